import type { FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import { createServiceApp, createSessionAuth, normalizeOrigins, type ServiceContext } from '@platform/http';
import type { LoginConfig } from './config.ts';
import { LoginCookies } from './cookies.ts';
import { LoginStateRepository } from './login/login-state.repository.ts';
import { loginRoutes } from './login/login.routes.ts';
import { LoginService } from './login/login.service.ts';
import { sessionsRoutes } from './sessions/sessions.routes.ts';
import { UserRepository } from './users/user.repository.ts';

export interface LoginOptions {
  /** Epoch milliseconds; tests move it to age nonces and sessions. */
  now?: () => number;
}

/** The login service as an app: routes and plumbing, never listening. */
export async function buildApp(
  ctx: ServiceContext<LoginConfig>,
  opts: LoginOptions = {},
): Promise<FastifyInstance> {
  const { config } = ctx;
  const app = await createServiceApp('login', ctx);
  await app.register(fastifyCookie);

  const allowedOrigins = normalizeOrigins(config.session.allowedOrigins);
  const { sessions, guard } = createSessionAuth(app, ctx, opts);
  const cookies = new LoginCookies(config);
  const login = new LoginService({
    config,
    allowedOrigins,
    states: new LoginStateRepository(ctx.redis, config.redis.keyPrefix),
    users: new UserRepository(ctx.dbs.main),
    sessions,
    ...(opts.now ? { now: opts.now } : {}),
  });

  loginRoutes(app, { login, cookies });
  sessionsRoutes(app, { sessions, cookies, guard, allowedOrigins });
  return app;
}
