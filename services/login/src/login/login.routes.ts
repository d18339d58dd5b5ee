import type { FastifyInstance, FastifyReply } from 'fastify';
import { sessionCookie } from '@platform/http';

const redirect = {
  302: { description: 'Redirect (Location)', type: 'null' },
} as const;
import type { LoginCookies } from '../cookies.ts';
import type { LoginService } from './login.service.ts';

// The callback's query (assertion, state) never reaches the logs: createHttpApp logs paths only.
const RETURN_PATH = '/auth/steam/return';

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

  // No schema for returnTo: one that is too long, repeated or otherwise not a single string is
  // ignored (the default page, allowedReturnTo refuses it), not a 400 nobody can act on.
  app.get<{ Querystring: { returnTo?: unknown } }>(
    '/auth/steam',
    {
      config: { siteSwitch: 'exempt' },
      schema: {
        tags: ['sign-in'],
        summary: "Start signing in through Steam: redirects to Steam's OpenID page",
        // Documented, not enforced: a returnTo that is not one whitelisted URL lands on the default page.
        querystring: {
          type: 'object',
          properties: { returnTo: { description: 'Where to land afterwards (an allowed origin)' } },
          additionalProperties: true,
        },
        response: redirect,
      },
    },
    async (req, reply) => {
      const { state, providerUrl } = await login.start(req.query.returnTo);
      cookies.setState(reply, state);
      return noStore(reply).redirect(providerUrl, 302);
    },
  );

  app.get(
    RETURN_PATH,
    {
      config: { siteSwitch: 'exempt' },
      schema: {
        tags: ['sign-in'],
        summary: "Steam's OpenID answer: verified, then a session cookie and a redirect to returnTo",
        // Documented, not enforced: the raw query is parsed by the login service itself, which
        // refuses duplicates and anything else malformed with its own codes.
        querystring: {
          type: 'object',
          properties: {
            state: { description: 'The sign-in state (also in a cookie)' },
          },
          additionalProperties: true,
        },
        response: redirect,
      },
    },
    async (req, reply) => {
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
    },
  );
}
