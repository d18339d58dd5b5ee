import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Kysely } from 'kysely';
import { AppError } from '@platform/core';
import type { MainDatabase } from '@platform/db';
import { assertSameOrigin, normalizeOrigins } from './csrf.ts';
import { SessionStore } from './sessions.ts';
import type { ServiceConfig, ServiceContext } from './service.ts';

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
  /** Whether the account may act (not banned); a banned user's sessions stop at the guard. */
  accounts?: AccountStatus;
}

/**
 * users.banned_at, read through a per-process cache as short as the session cache: a ban stops
 * every session of the user within that time, in every service, without a query per request.
 */
export class AccountStatus {
  readonly #db: Kysely<MainDatabase>;
  readonly #cacheMs: number;
  readonly #cache = new Map<string, { banned: boolean; at: number }>();

  constructor(db: Kysely<MainDatabase>, opts: { cacheMs: number }) {
    this.#db = db;
    this.#cacheMs = opts.cacheMs;
  }

  async isBanned(userId: string): Promise<boolean> {
    const now = performance.now();
    const hit = this.#cache.get(userId);
    if (hit && now - hit.at < this.#cacheMs) return hit.banned;
    let row: { banned_at: Date | null } | undefined;
    try {
      row = await this.#db
        .selectFrom('users')
        .select('banned_at')
        .where('id', '=', userId)
        .executeTakeFirst();
    } catch (err) {
      throw new AppError('DEPENDENCY_UNAVAILABLE', undefined, undefined, { cause: err });
    }
    // A session of a user that no longer exists is no sign-in either.
    const banned = row === undefined || row.banned_at !== null;
    if (this.#cache.size >= 10_000) this.#cache.clear();
    this.#cache.set(userId, { banned, at: now });
    return banned;
  }
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
    if (opts.accounts && (await opts.accounts.isBanned(session.userId))) throw refuse(req, 'user_banned');
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

/** The session settings a service with signed-in routes has (sessionGroup()). */
export interface SessionConfig {
  session: {
    cookieName: string;
    idleTtlSeconds: number;
    absoluteTtlSeconds: number;
    cacheMs: number;
    allowedOrigins: readonly string[];
  };
}

/**
 * Session auth as every service wires it: the session store on the context's Redis, the ban
 * check on its MySQL, and the guard for signed-in routes.
 */
export function createSessionAuth(
  app: FastifyInstance,
  ctx: ServiceContext<ServiceConfig & SessionConfig>,
  opts: { now?: () => number; bearer?: BearerVerifier } = {},
): { sessions: SessionStore; guard: onRequestAsyncHookHandler } {
  const { config } = ctx;
  const sessions = new SessionStore(ctx.redis, {
    keyPrefix: config.redis.keyPrefix,
    ...config.session,
    ...(opts.now ? { now: opts.now } : {}),
  });
  const guard = createAuthGuard(app, {
    sessions,
    cookieName: config.session.cookieName,
    allowedOrigins: config.session.allowedOrigins,
    accounts: new AccountStatus(ctx.dbs.main, { cacheMs: config.session.cacheMs }),
    ...(opts.bearer ? { bearer: opts.bearer } : {}),
  });
  return { sessions, guard };
}
