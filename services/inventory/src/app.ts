import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import type { Databases, MainDatabase, PricingDatabase, Redis } from '@platform/db';
import { createHttpApp, type SiteSwitch } from '@platform/http';
import type { Logger, Metrics } from '@platform/observability';
import type { UserInventoryService } from './cinv/user-inventory.service.ts';
import { cinvRoutes } from './cinv/cinv.routes.ts';
import type { InventoryConfig } from './config.ts';
import type { Enricher } from './enrich.ts';
import type { SinvJobs } from './sinv/sinv.jobs.ts';
import { sinvRoutes } from './sinv/sinv.routes.ts';
import type { SnapshotStore } from './sinv/snapshot.store.ts';

interface CommonDeps {
  config: InventoryConfig;
  logger: Logger;
  metrics: Metrics;
  dbs: Databases<MainDatabase, PricingDatabase>;
  redis: Redis;
  siteSwitch?: SiteSwitch;
  enricher: Enricher;
  now?: () => Date;
}

async function base(service: 'sinv' | 'cinv', deps: CommonDeps): Promise<FastifyInstance> {
  return createHttpApp({
    service,
    logger: deps.logger,
    metrics: deps.metrics,
    http: deps.config.http,
    rateLimit: { redis: deps.redis, ...deps.config.rateLimit, keyPrefix: deps.config.redis.keyPrefix },
    readiness: { mysql: () => deps.dbs.ping(), redis: () => deps.redis.ping() },
    ...(deps.siteSwitch ? { siteSwitch: deps.siteSwitch } : {}),
  });
}

/** sinv as an app (port 3010): the site inventory from the snapshot, and on-demand refreshes. */
export async function buildSinvApp(
  deps: CommonDeps & { snapshot: SnapshotStore; jobs: SinvJobs | undefined },
): Promise<FastifyInstance> {
  const app = await base('sinv', deps);
  sinvRoutes(app, {
    snapshot: deps.snapshot,
    enricher: deps.enricher,
    jobs: deps.jobs,
    ...(deps.now ? { now: deps.now } : {}),
  });
  return app;
}

/** cinv as an app (port 3011): user inventories, cached, priced. */
export async function buildCinvApp(
  deps: CommonDeps & {
    inventories: UserInventoryService;
    authGuard?: (app: FastifyInstance) => onRequestAsyncHookHandler;
  },
): Promise<FastifyInstance> {
  const app = await base('cinv', deps);
  cinvRoutes(app, {
    inventories: deps.inventories,
    enricher: deps.enricher,
    authGuard: deps.authGuard?.(app),
    rateLimit: { max: deps.config.cinv.rateLimitMax, windowMs: deps.config.cinv.rateLimitWindowMs },
    ...(deps.now ? { now: deps.now } : {}),
  });
  return app;
}
