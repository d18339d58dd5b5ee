import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '@platform/core';
import { int, list, str } from '@platform/config';
import type { Redis } from '@platform/db';

/**
 * Session settings every service that reads the session cookie shares (the login service
 * writes sessions; every other service only validates them through the auth guard).
 */
export function sessionGroup() {
  return {
    cookieName: str('SESSION_COOKIE_NAME', 'cs2t_session'),
    /** A session unused this long is over (sliding: each use renews it). */
    idleTtlSeconds: int('SESSION_IDLE_TTL_SECONDS', 3 * 86_400, { min: 60 }),
    /** A session is over this long after sign-in, however active (re-sign-in through Steam). */
    absoluteTtlSeconds: int('SESSION_ABSOLUTE_TTL_SECONDS', 30 * 86_400, { min: 60 }),
    /** In-process cache of validated sessions: a revocation reaches other processes within this. */
    cacheMs: int('SESSION_CACHE_MS', 1_000, { min: 0, max: 60_000 }),
    /**
     * The site's origins: the only places login redirects back to, and the only Origins a
     * state-changing cookie request may come from (CSRF).
     */
    allowedOrigins: list('ALLOWED_ORIGINS', ['http://127.0.0.1:3000', 'http://localhost:3000']),
  };
}

export interface SessionData {
  userId: string;
  steamId: string;
  /** Epoch milliseconds. */
  createdAt: number;
  lastSeenAt: number;
  /** The absolute end; the idle end is lastSeenAt + idle TTL. */
  expiresAt: number;
  ip: string;
  userAgent: string;
}

export interface Session extends SessionData {
  /**
   * sha256 of the token: the Redis key and the id shown in the list of sessions. It cannot be
   * turned back into the token, so neither a Redis dump nor the session list leaks a credential.
   */
  handle: string;
}

export interface SessionStoreOptions {
  keyPrefix: string;
  idleTtlSeconds: number;
  absoluteTtlSeconds: number;
  cacheMs: number;
  /** Epoch milliseconds; tests move it to expire sessions without waiting. */
  now?: () => number;
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const CACHE_MAX = 10_000;

function handleOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/**
 * Sessions in Redis: `<prefix>session:<handle>` holds the JSON session with a TTL of the
 * earlier of its idle and absolute end; `<prefix>user-sessions:<userId>` is a sorted set of the
 * user's handles (score: absolute end) for listing and "log out everywhere".
 */
export class SessionStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #idleMs: number;
  readonly #absoluteMs: number;
  readonly #cacheMs: number;
  readonly #now: () => number;
  /** Renewing on every request would be a Redis write per request; once a minute is enough. */
  readonly #renewAfterMs: number;
  readonly #cache = new Map<string, { session: Session; at: number }>();

  constructor(redis: Redis, opts: SessionStoreOptions) {
    this.#redis = redis;
    this.#prefix = opts.keyPrefix;
    this.#idleMs = opts.idleTtlSeconds * 1000;
    this.#absoluteMs = opts.absoluteTtlSeconds * 1000;
    this.#cacheMs = opts.cacheMs;
    this.#now = opts.now ?? Date.now;
    this.#renewAfterMs = Math.min(60_000, this.#idleMs / 10);
  }

  get absoluteTtlSeconds(): number {
    return this.#absoluteMs / 1000;
  }

  #key(handle: string): string {
    return `${this.#prefix}session:${handle}`;
  }
  #userKey(userId: string): string {
    return `${this.#prefix}user-sessions:${userId}`;
  }

  /** A new session with a new random token (never one the browser brought: no fixation). */
  async create(input: { userId: string; steamId: string; ip: string; userAgent: string }): Promise<{
    token: string;
    session: Session;
  }> {
    const token = randomBytes(32).toString('base64url');
    const now = this.#now();
    const session: Session = {
      handle: handleOf(token),
      userId: input.userId,
      steamId: input.steamId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + this.#absoluteMs,
      ip: input.ip,
      userAgent: input.userAgent.slice(0, 256),
    };
    const { handle, ...data } = session;
    await this.#call(() =>
      this.#redis
        .multi()
        .set(this.#key(handle), JSON.stringify(data), 'PX', Math.min(this.#idleMs, this.#absoluteMs))
        .zadd(this.#userKey(input.userId), session.expiresAt, handle)
        .zremrangebyscore(this.#userKey(input.userId), '-inf', now)
        .pexpire(this.#userKey(input.userId), this.#absoluteMs)
        .exec()
        .then(throwOnFailure),
    );
    return { token, session };
  }

  /**
   * The live session behind a token, renewed (sliding), or undefined when it is unknown,
   * expired or revoked. Redis errors throw DEPENDENCY_UNAVAILABLE: a guard never fails open.
   */
  async validate(token: string): Promise<Session | undefined> {
    if (!TOKEN.test(token)) return undefined;
    const handle = handleOf(token);
    const now = this.#now();
    const cached = this.#cache.get(handle);
    if (cached && now - cached.at < this.#cacheMs) {
      return this.#alive(cached.session, now) ? cached.session : undefined;
    }
    const raw = await this.#call(() => this.#redis.get(this.#key(handle)));
    if (raw === null) {
      this.#cache.delete(handle);
      return undefined;
    }
    const session: Session = { ...(JSON.parse(raw) as SessionData), handle };
    if (!this.#alive(session, now)) {
      await this.#forget(session);
      return undefined;
    }
    if (now - session.lastSeenAt >= this.#renewAfterMs) {
      session.lastSeenAt = now;
      const { handle: _h, ...data } = session;
      // XX: never resurrect a session revoked between the read and this write, nor serve it.
      const renewed = await this.#call(() =>
        this.#redis.set(this.#key(handle), JSON.stringify(data), 'PX', this.#ttlMs(session, now), 'XX'),
      );
      if (renewed === null) {
        this.#cache.delete(handle);
        return undefined;
      }
    }
    this.#remember(session, now);
    return session;
  }

  async list(userId: string): Promise<Session[]> {
    const handles = await this.#call(() => this.#redis.zrange(this.#userKey(userId), 0, '-1'));
    if (handles.length === 0) return [];
    const values = await this.#call(() => this.#redis.mget(handles.map((h) => this.#key(h))));
    const now = this.#now();
    const live: Session[] = [];
    const gone: string[] = [];
    handles.forEach((handle, i) => {
      const raw = values[i];
      const session = raw ? { ...(JSON.parse(raw) as SessionData), handle } : undefined;
      if (session && session.userId === userId && this.#alive(session, now)) live.push(session);
      else gone.push(handle);
    });
    if (gone.length > 0) await this.#call(() => this.#redis.zrem(this.#userKey(userId), ...gone));
    return live.sort((a, b) => b.lastSeenAt - a.lastSeenAt);
  }

  /** Ends one session by its token (logout). */
  async revoke(token: string): Promise<void> {
    if (!TOKEN.test(token)) return;
    const handle = handleOf(token);
    const raw = await this.#call(() => this.#redis.get(this.#key(handle)));
    if (raw === null) return;
    await this.#forget({ ...(JSON.parse(raw) as SessionData), handle });
  }

  /** Ends one of the user's sessions by its handle; false when the user has no such session. */
  async revokeHandle(userId: string, handle: string): Promise<boolean> {
    const score = await this.#call(() => this.#redis.zscore(this.#userKey(userId), handle));
    if (score === null) return false;
    await this.#call(() =>
      this.#redis
        .multi()
        .del(this.#key(handle))
        .zrem(this.#userKey(userId), handle)
        .exec()
        .then(throwOnFailure),
    );
    this.#cache.delete(handle);
    return true;
  }

  /** Ends every session of the user ("log out everywhere"); returns how many there were. */
  async revokeAll(userId: string): Promise<number> {
    const handles = await this.#call(() => this.#redis.zrange(this.#userKey(userId), 0, '-1'));
    const tx = this.#redis.multi().del(this.#userKey(userId));
    for (const h of handles) {
      tx.del(this.#key(h));
      this.#cache.delete(h);
    }
    await this.#call(() => tx.exec().then(throwOnFailure));
    return handles.length;
  }

  #alive(s: SessionData, now: number): boolean {
    return now < s.expiresAt && now < s.lastSeenAt + this.#idleMs;
  }

  #ttlMs(s: SessionData, now: number): number {
    return Math.max(1, Math.min(s.lastSeenAt + this.#idleMs, s.expiresAt) - now);
  }

  #remember(session: Session, now: number): void {
    if (this.#cacheMs === 0) return;
    if (this.#cache.size >= CACHE_MAX) this.#cache.clear();
    this.#cache.set(session.handle, { session, at: now });
  }

  async #forget(session: Session): Promise<void> {
    this.#cache.delete(session.handle);
    await this.#call(() =>
      this.#redis
        .multi()
        .del(this.#key(session.handle))
        .zrem(this.#userKey(session.userId), session.handle)
        .exec()
        .then(throwOnFailure),
    );
  }

  async #call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('DEPENDENCY_UNAVAILABLE', undefined, undefined, { cause: err });
    }
  }
}

function throwOnFailure(results: [Error | null, unknown][] | null): void {
  if (results === null) throw new Error('redis transaction aborted');
  for (const [err] of results) if (err) throw err;
}
