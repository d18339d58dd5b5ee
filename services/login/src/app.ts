import type { FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import type { Databases, MainDatabase, PricingDatabase, Redis } from '@platform/db';
import {
  createAuthGuard,
  createHttpApp,
  normalizeOrigins,
  SessionStore,
  type SiteSwitch,
} from '@platform/http';
import type { Logger, Metrics } from '@platform/observability';
import type { LoginConfig } from './config.ts';
import { LoginCookies } from './cookies.ts';
import { LoginStateRepository } from './login/login-state.repository.ts';
import { loginRoutes } from './login/login.routes.ts';
import { LoginService } from './login/login.service.ts';
import { sessionsRoutes } from './sessions/sessions.routes.ts';
import { UserRepository } from './users/user.repository.ts';

export interface LoginDeps {
  config: LoginConfig;
  logger: Logger;
  metrics: Metrics;
  dbs: Databases<MainDatabase, PricingDatabase>;
  redis: Redis;
  siteSwitch: SiteSwitch;
  /** Epoch milliseconds; tests move it to age nonces and sessions. */
  now?: () => number;
}

/** The login service as an app: routes and plumbing, never listening. */
export async function buildApp(deps: LoginDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = await createHttpApp({
    service: 'login',
    logger: deps.logger,
    metrics: deps.metrics,
    http: config.http,
    rateLimit: { redis: deps.redis, ...config.rateLimit, keyPrefix: config.redis.keyPrefix },
    readiness: {
      mysql: () => deps.dbs.ping(),
      redis: () => deps.redis.ping(),
    },
    siteSwitch: deps.siteSwitch,
  });
  await app.register(fastifyCookie);

  const allowedOrigins = normalizeOrigins(config.session.allowedOrigins);
  const sessions = new SessionStore(deps.redis, {
    keyPrefix: config.redis.keyPrefix,
    ...config.session,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const cookies = new LoginCookies(config);
  const login = new LoginService({
    config,
    allowedOrigins,
    states: new LoginStateRepository(deps.redis, config.redis.keyPrefix),
    users: new UserRepository(deps.dbs.main),
    sessions,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const guard = createAuthGuard(app, {
    sessions,
    cookieName: config.session.cookieName,
    allowedOrigins: config.session.allowedOrigins,
  });

  loginRoutes(app, { login, cookies });
  sessionsRoutes(app, { sessions, cookies, guard, allowedOrigins });
  return app;
}
