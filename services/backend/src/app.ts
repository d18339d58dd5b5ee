import type { FastifyInstance } from 'fastify';
import type { Databases, MainDatabase, PricingDatabase, Redis } from '@platform/db';
import { createAuthGuard, createHttpApp, SessionStore, type SiteSwitch } from '@platform/http';
import type { Logger, Metrics } from '@platform/observability';
import type { BackendConfig } from './config.ts';
import { meRoutes } from './routes/me.routes.ts';
import { statusRoutes } from './routes/status.routes.ts';
import { MeService } from './users/me.service.ts';
import { UserRepository } from './users/user.repository.ts';

export interface BackendDeps {
  config: BackendConfig;
  logger: Logger;
  metrics: Metrics;
  dbs: Databases<MainDatabase, PricingDatabase>;
  redis: Redis;
  siteSwitch: SiteSwitch;
  /** Epoch milliseconds for session expiry; tests move it. */
  now?: () => number;
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

  // Sessions are written by services/login; here they are only validated (the auth guard).
  const sessions = new SessionStore(deps.redis, {
    keyPrefix: deps.config.redis.keyPrefix,
    ...deps.config.session,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const guard = createAuthGuard(app, {
    sessions,
    cookieName: deps.config.session.cookieName,
    allowedOrigins: deps.config.session.allowedOrigins,
  });
  meRoutes(app, { me: new MeService(new UserRepository(deps.dbs.main)), guard });
  return app;
}
