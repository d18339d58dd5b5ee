import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import { AppError } from '@platform/core';
import {
  assertSameOrigin,
  noQuerySchema,
  requireUser,
  sessionCookie,
  type SessionStore,
} from '@platform/http';
import type { LoginCookies } from '../cookies.ts';

export interface SessionsRoutesDeps {
  sessions: SessionStore;
  cookies: LoginCookies;
  guard: onRequestAsyncHookHandler;
  allowedOrigins: ReadonlySet<string>;
}

const sessionView = {
  type: 'object',
  required: ['id', 'createdAt', 'lastSeenAt', 'expiresAt', 'ip', 'userAgent', 'current'],
  properties: {
    id: { type: 'string' },
    createdAt: { type: 'string' },
    lastSeenAt: { type: 'string' },
    expiresAt: { type: 'string' },
    ip: { type: 'string' },
    userAgent: { type: 'string' },
    current: { type: 'boolean' },
  },
} as const;

/** Logout, logout everywhere, and the user's list of active sessions. */
export function sessionsRoutes(app: FastifyInstance, deps: SessionsRoutesDeps): void {
  const { sessions, cookies, guard } = deps;

  // Works without a valid session (logging out twice is not an error), but not cross-site:
  // a forged logout is a nuisance attack the Origin check refuses like any other.
  app.post(
    '/auth/logout',
    {
      config: { siteSwitch: 'exempt', bodyless: true },
      schema: {
        tags: ['sessions'],
        summary: 'End this session (no error when there is none)',
        response: { 204: { type: 'null', description: 'Signed out' } },
      },
    },
    async (req, reply) => {
      assertSameOrigin(req, deps.allowedOrigins);
      const token = sessionCookie(req, cookies.sessionName);
      if (token) await sessions.revoke(token);
      cookies.clearSession(reply);
      return reply.status(204).send();
    },
  );

  app.post(
    '/auth/logout/everywhere',
    {
      onRequest: guard,
      config: { siteSwitch: 'exempt', bodyless: true },
      schema: {
        tags: ['sessions'],
        summary: 'End every session of the signed-in user',
        security: [{ session: [] }],
        response: { 200: { type: 'object', properties: { revoked: { type: 'integer' } } } },
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      const revoked = await sessions.revokeAll(user.userId);
      req.log.info({ userId: user.userId, revoked }, 'logged out everywhere');
      cookies.clearSession(reply);
      return { revoked };
    },
  );

  app.get(
    '/auth/sessions',
    {
      onRequest: guard,
      config: { siteSwitch: 'exempt' },
      schema: {
        tags: ['sessions'],
        summary: "The signed-in user's active sessions",
        security: [{ session: [] }],
        querystring: noQuerySchema,
        response: {
          200: { type: 'object', properties: { sessions: { type: 'array', items: sessionView } } },
        },
      },
    },
    async (req) => {
      const user = requireUser(req);
      const list = await sessions.list(user.userId);
      return {
        sessions: list.map((s) => ({
          id: s.handle,
          createdAt: new Date(s.createdAt).toISOString(),
          lastSeenAt: new Date(s.lastSeenAt).toISOString(),
          expiresAt: new Date(s.expiresAt).toISOString(),
          ip: s.ip,
          userAgent: s.userAgent,
          current: s.handle === user.sessionHandle,
        })),
      };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/auth/sessions/:id',
    {
      onRequest: guard,
      config: { siteSwitch: 'exempt' },
      schema: {
        tags: ['sessions'],
        summary: 'End one of the signed-in user’s sessions by its id',
        security: [{ session: [] }],
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' } },
        },
        response: { 204: { type: 'null', description: 'Ended' } },
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      if (!(await sessions.revokeHandle(user.userId, req.params.id))) {
        throw new AppError('NOT_FOUND', 'You have no session with this id.', { reason: 'no_such_session' });
      }
      if (req.params.id === user.sessionHandle) cookies.clearSession(reply);
      return reply.status(204).send();
    },
  );
}
