import type { FastifyInstance } from 'fastify';
import { createServiceApp, createSessionAuth, type ServiceContext } from '@platform/http';
import type { BackendConfig } from './config.ts';
import { meRoutes } from './routes/me.routes.ts';
import { statusRoutes } from './routes/status.routes.ts';
import { MeService } from './users/me.service.ts';
import { UserRepository } from './users/user.repository.ts';

export interface BackendOptions {
  /** Epoch milliseconds for session expiry; tests move it. */
  now?: () => number;
}

/** The backend as an app: routes and plumbing, never listening (main.ts listens; tests inject). */
export async function buildApp(
  ctx: ServiceContext<BackendConfig>,
  opts: BackendOptions = {},
): Promise<FastifyInstance> {
  const app = await createServiceApp('backend', ctx);
  statusRoutes(app, ctx);
  // Sessions are written by services/login; here they are only validated (the auth guard).
  const { guard } = createSessionAuth(app, ctx, opts);
  meRoutes(app, { me: new MeService(new UserRepository(ctx.dbs.main)), guard });
  return app;
}
