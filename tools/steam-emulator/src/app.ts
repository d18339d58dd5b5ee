// The emulator as a Fastify app. Never listens (main.ts and tests do), so tests build it on port 0.
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { controlPlugin } from './control/control.routes.ts';
import { gcPlugin } from './gc/gc.routes.ts';
import { inventoryPlugin } from './inventory/inventory.routes.ts';
import { TokenBuckets } from './lib/token-bucket.ts';
import { offersPlugin } from './offers/plugin.ts';
import { openidPlugin } from './openid/openid.routes.ts';
import { OpenIdService } from './openid/openid.service.ts';
import { profilePlugin } from './profile/profile.routes.ts';
import { LoginThrottle, sessionPlugin } from './session/session.routes.ts';
import { webapiPlugin } from './webapi/webapi.routes.ts';
import type { World } from './world/world.ts';

export interface EmulatorAppOptions {
  world: World;
  /** The services' logger (`createLogger` of @platform/observability, main.ts); none in tests. */
  logger?: FastifyBaseLogger;
  /** Directory for /_emulator/snapshot; undefined keeps snapshots in memory responses only. */
  dataDir?: string;
  /** Trust X-Forwarded-For so per-IP limits can be exercised behind a proxy or in tests. */
  trustProxy?: boolean;
  /** Pre-encode inventory descriptions at startup (main.ts and the bench; tests skip it). */
  warmCaches?: boolean;
}

/**
 * Fastify logs two info lines per request; the emulator answers a whole bot fleet's polling, which buried every
 * other service's log at `npm start`. One debug line per request instead (errors keep Fastify's error line), and
 * without the query: it carries access tokens, keys and OpenID assertions.
 */
class DebugRequestLogs extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, req: FastifyRequest, reply: FastifyReply): void {
    if (error) {
      super.requestCompleted(error, req, reply);
      return;
    }
    reply.log.debug(
      {
        req: { method: req.method, url: req.url.split('?')[0] },
        res: { statusCode: reply.statusCode },
        responseTime: reply.elapsedTime,
      },
      'request completed',
    );
  }
}

export async function buildEmulatorApp(opts: EmulatorAppOptions): Promise<FastifyInstance> {
  const { world } = opts;
  const app = Fastify({
    loggerInstance: opts.logger,
    logController: new DebugRequestLogs(),
    trustProxy: opts.trustProxy ?? false,
    bodyLimit: 1024 * 1024,
  });
  // Not a Steam path: lets `npm start` and orchestrators see the emulator is up.
  app.get('/healthz', () => ({ status: 'ok' }));
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);

  const openid = new OpenIdService(world);
  const buckets = new TokenBuckets();
  const throttle = new LoginThrottle();

  await app.register(openidPlugin, { world, openid });
  await app.register(inventoryPlugin, { world, buckets, warm: opts.warmCaches ?? false });
  await app.register(sessionPlugin, { world, throttle });
  await app.register(webapiPlugin, { world });
  await app.register(profilePlugin, { world });
  await app.register(gcPlugin, { world });
  await app.register(controlPlugin, { world, openid, buckets, throttle, dataDir: opts.dataDir });
  await app.register(offersPlugin, { world });
  return app;
}
