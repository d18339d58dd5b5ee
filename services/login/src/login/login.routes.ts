import type { FastifyInstance, FastifyReply } from 'fastify';
import { sessionCookie } from '@platform/http';
import type { LoginCookies } from '../cookies.ts';
import type { LoginService } from './login.service.ts';

/** The callback's URL carries the assertion and the state: its request lines log the path only. */
const RETURN_PATH = '/auth/steam/return';
const pathOnly = {
  req: (req: { method: string; url: string; ip: string }) => ({
    method: req.method,
    url: req.url.split('?')[0],
    remoteAddress: req.ip,
  }),
};

function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
}

/**
 * Signing in and out stays open while the site is disabled (routes exempt from the switch):
 * operators and admins sign in during maintenance, and nothing here trades.
 */
export function loginRoutes(
  app: FastifyInstance,
  deps: { login: LoginService; cookies: LoginCookies },
): void {
  const { login, cookies } = deps;

  app.get<{ Querystring: { returnTo?: string } }>(
    '/auth/steam',
    {
      config: { siteSwitch: 'exempt' },
      schema: {
        querystring: {
          type: 'object',
          // No maxLength: a returnTo that is too long is ignored (the default page), not an error.
          properties: { returnTo: { type: 'string' } },
        },
      },
    },
    async (req, reply) => {
      const { state, providerUrl } = await login.start(req.query.returnTo);
      cookies.setState(reply, state);
      return noStore(reply).redirect(providerUrl, 302);
    },
  );

  app.get(RETURN_PATH, { config: { siteSwitch: 'exempt' }, logSerializers: pathOnly }, async (req, reply) => {
    const q = req.url.indexOf('?');
    const result = await login.finish({
      rawQuery: q < 0 ? '' : req.url.slice(q + 1),
      stateCookie: req.cookies[cookies.stateName],
      previousToken: sessionCookie(req, cookies.sessionName),
      ip: req.ip,
      userAgent: req.headers['user-agent'] ?? '',
      log: req.log,
    });
    cookies.clearState(reply);
    cookies.setSession(reply, result.token);
    return noStore(reply).redirect(result.redirectTo.href, 302);
  });
}
