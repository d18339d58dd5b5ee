import type { FastifyInstance } from 'fastify';
import type { Databases, MainDatabase, PricingDatabase, Redis } from '@platform/db';
import { createHttpApp, type SiteSwitch } from '@platform/http';
import type { Logger, Metrics } from '@platform/observability';
import type { BackendConfig } from './config.ts';
import { statusRoutes } from './routes/status.routes.ts';

export interface BackendDeps {
  config: BackendConfig;
  logger: Logger;
  metrics: Metrics;
  dbs: Databases<MainDatabase, PricingDatabase>;
  redis: Redis;
  siteSwitch: SiteSwitch;
}

/** The backend as an app: routes and plumbing, never listening (main.ts listens; tests inject). */
export async function buildApp(deps: BackendDeps): Promise<FastifyInstance> {
  const app = await createHttpApp({
    service: 'backend',
    logger: deps.logger,
    metrics: deps.metrics,
    http: deps.config.http,
    rateLimit: { redis: deps.redis, ...deps.config.rateLimit, keyPrefix: deps.config.redis.keyPrefix },
    readiness: {
      mysql: () => deps.dbs.ping(),
      redis: () => deps.redis.ping(),
    },
    siteSwitch: deps.siteSwitch,
  });
  statusRoutes(app, deps);
  return app;
}
