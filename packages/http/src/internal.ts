import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import { AppError } from '@platform/core';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * The guard of service-to-service routes (`/internal/*`, `/metrics`): `Authorization: Bearer
 * <INTERNAL_TOKEN>`, compared in constant time. A browser cannot attach that header to a
 * cross-site request without a CORS preflight that no service answers, so an internal route is
 * never reachable through a forged form or link.
 */
export function internalGuard(token: string): onRequestHookHandler {
  const expected = digest(token);
  return (req: FastifyRequest, _reply, done) => {
    const header = req.headers.authorization;
    const given = typeof header === 'string' && /^bearer /i.test(header) ? header.slice(7).trim() : '';
    if (given === '' || !timingSafeEqual(digest(given), expected)) {
      done(
        new AppError('UNAUTHENTICATED', 'This route is for the platform’s own services.', {
          reason: given === '' ? 'no_internal_token' : 'bad_internal_token',
        }),
      );
      return;
    }
    done();
  };
}

/**
 * Registers service-to-service routes behind the internal guard, exempt from the site switch
 * (operators and the tradebot keep working during maintenance) and from the public rate limit.
 */
export async function internalRoutes(
  app: FastifyInstance,
  token: string,
  register: (internal: FastifyInstance) => void | Promise<void>,
): Promise<void> {
  await app.register(async (internal) => {
    internal.addHook('onRequest', internalGuard(token));
    internal.addHook('onRoute', (route) => {
      route.config = { ...route.config, siteSwitch: 'exempt', rateLimit: false };
      route.schema = { ...route.schema, hide: route.schema?.hide ?? false, tags: ['internal'] };
    });
    await register(internal);
  });
}
