import type { FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import {
  createAuthGuard,
  createServiceApp,
  normalizeOrigins,
  SessionStore,
  type ServiceDeps,
} from '@platform/http';
import type { LoginConfig } from './config.ts';
import { LoginCookies } from './cookies.ts';
import { LoginStateRepository } from './login/login-state.repository.ts';
import { loginRoutes } from './login/login.routes.ts';
import { LoginService } from './login/login.service.ts';
import { sessionsRoutes } from './sessions/sessions.routes.ts';
import { UserRepository } from './users/user.repository.ts';

export interface LoginDeps extends ServiceDeps {
  config: LoginConfig;
  /** Epoch milliseconds; tests move it to age nonces and sessions. */
  now?: () => number;
}

/** The login service as an app: routes and plumbing, never listening. */
export async function buildApp(deps: LoginDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = await createServiceApp('login', deps);
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
