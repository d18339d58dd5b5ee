import type { FastifyInstance } from 'fastify';
import { createAuthGuard, createServiceApp, SessionStore, type ServiceDeps } from '@platform/http';
import type { BackendConfig } from './config.ts';
import { meRoutes } from './routes/me.routes.ts';
import { statusRoutes } from './routes/status.routes.ts';
import { MeService } from './users/me.service.ts';
import { UserRepository } from './users/user.repository.ts';

export interface BackendDeps extends ServiceDeps {
  config: BackendConfig;
  /** Epoch milliseconds for session expiry; tests move it. */
  now?: () => number;
}

/** The backend as an app: routes and plumbing, never listening (main.ts listens; tests inject). */
export async function buildApp(deps: BackendDeps): Promise<FastifyInstance> {
  const app = await createServiceApp('backend', deps);
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
