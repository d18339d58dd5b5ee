import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { AppError } from '@platform/core';
import { assertSameOrigin, normalizeOrigins } from './csrf.ts';
import type { SessionStore } from './sessions.ts';

/** Who is calling, as every guarded handler sees it. */
export interface AuthUser {
  userId: string;
  steamId: string;
  /** The session's handle (not its token), e.g. to mark the current one in the session list. */
  sessionHandle: string;
  via: 'session' | 'bearer';
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth guard; read it with requireUser(req). */
    authUser: AuthUser | null;
  }
}

/**
 * The seam for the OAuth2 server (services/oauth2): a verifier for `Authorization: Bearer`
 * tokens. Until one is configured, bearer tokens are refused.
 */
export type BearerVerifier = (token: string) => Promise<AuthUser | undefined>;

export interface AuthGuardOptions {
  sessions: SessionStore;
  cookieName: string;
  /** The site's origins: state-changing cookie requests must come from one (CSRF). */
  allowedOrigins: readonly string[];
  bearer?: BearerVerifier;
}

// The error handler logs the refusal at warn with this reason (never the cookie or token).
function refuse(_req: FastifyRequest, reason: string): AppError {
  return new AppError('UNAUTHENTICATED', 'Sign in to continue (your session is missing or has expired).', {
    reason,
  });
}

/**
 * The session cookie's value, or undefined. Parsed here so no service has to register a
 * plugin; tokens are base64url, so there is nothing to decode. The first of several cookies of
 * that name wins (browsers send the most specific path first).
 */
export function sessionCookie(req: FastifyRequest, cookieName: string): string | undefined {
  const header = req.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === cookieName) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The auth guard every service puts in front of its signed-in routes (as an onRequest hook):
 * reads the session cookie (or a bearer token, through the seam), validates the session in
 * Redis on every request (a short in-process cache at most), refuses a missing, expired or
 * revoked one with 401 UNAUTHENTICATED, applies the Origin check to state-changing cookie
 * requests, and hands handlers the user (requireUser).
 */
export function createAuthGuard(app: FastifyInstance, opts: AuthGuardOptions): onRequestAsyncHookHandler {
  if (!app.hasRequestDecorator('authUser')) app.decorateRequest('authUser', null);
  const allowed = normalizeOrigins(opts.allowedOrigins);
  // @fastify/rate-limit appends its hook after a route's own onRequest hooks, so a request this
  // guard refuses (no cookie, unknown token, CSRF) would never be counted: unlimited guessing
  // and a Redis read per request. Count it here first (the plugin then skips the request);
  // a route with its own rateLimit config (or `rateLimit: false`) keeps it.
  const rateLimit = app.hasDecorator('rateLimit') ? app.rateLimit() : undefined;
  return async function authGuard(this: FastifyInstance, req, reply) {
    if (rateLimit && req.routeOptions.config.rateLimit === undefined) {
      await rateLimit.call(this, req, reply);
    }
    const authorization = req.headers.authorization;
    if (typeof authorization === 'string' && /^bearer /i.test(authorization)) {
      if (!opts.bearer) throw refuse(req, 'bearer_not_accepted');
      const user = await opts.bearer(authorization.slice(7).trim());
      if (!user) throw refuse(req, 'bearer_invalid');
      req.authUser = user;
      return;
    }
    const token = sessionCookie(req, opts.cookieName);
    if (token === undefined || token === '') throw refuse(req, 'no_session_cookie');
    // CSRF before the session lookup: a forged request learns nothing and costs no Redis read.
    assertSameOrigin(req, allowed);
    const session = await opts.sessions.validate(token);
    if (!session) throw refuse(req, 'session_expired_or_revoked');
    req.authUser = {
      userId: session.userId,
      steamId: session.steamId,
      sessionHandle: session.handle,
      via: 'session',
    };
  };
}

/** The signed-in user of a guarded route. */
export function requireUser(req: FastifyRequest): AuthUser {
  if (!req.authUser) throw new AppError('UNAUTHENTICATED');
  return req.authUser;
}
