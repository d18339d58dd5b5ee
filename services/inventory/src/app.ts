import type { FastifyInstance } from 'fastify';
import { createServiceApp, createSessionAuth, internalRoutes } from '@platform/http';
import { cinvInternalRoutes, cinvRoutes } from './cinv/cinv.routes.ts';
import type { UserInventoryService } from './cinv/user-inventory.service.ts';
import type { Enricher } from '@platform/pricing';
import type { InventoryContext } from './runtime.ts';
import { sinvInternalRoutes, sinvRoutes } from './sinv/sinv.routes.ts';
import type { SinvJobs } from './sinv/sinv.jobs.ts';
import type { SnapshotStore } from './sinv/snapshot.store.ts';

/** sinv as an app (port 3010): internal routes only: the snapshot's listing and on-demand refreshes. */
export async function buildSinvApp(
  ctx: InventoryContext,
  parts: { enricher: Enricher; snapshot: SnapshotStore; jobs: SinvJobs; now?: () => Date },
): Promise<FastifyInstance> {
  const app = await createServiceApp('sinv', ctx);
  // The whole-site listing is internal (issue 10): the public one is the backend's search.
  await internalRoutes(app, ctx.config.internal.token, (internal) => {
    sinvRoutes(internal, parts);
    sinvInternalRoutes(internal, parts);
  });
  return app;
}

/** cinv as an app (port 3011): user inventories, cached, priced. */
export async function buildCinvApp(
  ctx: InventoryContext,
  parts: {
    enricher: Enricher;
    inventories: UserInventoryService;
    now?: () => Date;
    sessionNow?: () => number;
  },
): Promise<FastifyInstance> {
  const app = await createServiceApp('cinv', ctx);
  const { guard } = createSessionAuth(app, ctx, parts.sessionNow ? { now: parts.sessionNow } : {});
  const { cinv } = ctx.config;
  cinvRoutes(app, {
    inventories: parts.inventories,
    enricher: parts.enricher,
    authGuard: guard,
    rateLimit: { max: cinv.rateLimitMax, windowMs: cinv.rateLimitWindowMs },
    responseCacheBytes: cinv.responseCacheBytes,
    ...(parts.now ? { now: parts.now } : {}),
  });
  await internalRoutes(app, ctx.config.internal.token, (internal) =>
    cinvInternalRoutes(internal, { inventories: parts.inventories }),
  );
  return app;
}
