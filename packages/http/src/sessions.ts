import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '@platform/core';
import { int, list, str } from '@platform/config';
import { redisKeys, type RedisKeys } from '@platform/bus';
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

/**
 * A token is `<userId>.<32 random bytes, base64url>`. The user id in front names the hash slot
 * of the user's keys (`{u:<userId>}`), so a user's sessions and their index are created, listed
 * and revoked atomically, on one Redis or on a Redis Cluster. It is no secret (the random part
 * is the credential); editing it only misses the key.
 */
const TOKEN = /^([1-9]\d{0,19})\.([A-Za-z0-9_-]{43})$/;
const HANDLE = /^[A-Za-z0-9_-]{43}$/;
const CACHE_MAX = 10_000;
/** Revoke-all retries when sign-ins keep landing between its read and its delete. */
const REVOKE_ALL_ATTEMPTS = 20;

function handleOf(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

function parseToken(token: string): { userId: string; handle: string } | undefined {
  const m = TOKEN.exec(token);
  return m?.[1] && m[2] ? { userId: m[1], handle: handleOf(m[2]) } : undefined;
}

/**
 * Deletes the user's sessions and their index in one step, but only if the index still holds
 * exactly the handles read before: a session created in between (a sign-in in flight) makes it
 * answer -1 and the caller reads again, so no session ever drops out of the index alive. Every
 * key is declared (KEYS), as Redis Cluster requires; they share the user's hash slot.
 */
const REVOKE_ALL_SCRIPT = `
local current = redis.call('ZRANGE', KEYS[1], 0, -1)
if #current ~= #ARGV then return -1 end
local expected = {}
for _, h in ipairs(ARGV) do expected[h] = true end
for _, h in ipairs(current) do if not expected[h] then return -1 end end
for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
redis.call('DEL', KEYS[1])
return #ARGV
`;

/**
 * Sessions in Redis (keys from packages/bus): one JSON value per session with a TTL of the
 * earlier of its idle and absolute end, and a sorted set of the user's handles (score: absolute
 * end) for listing and "log out everywhere".
 */
export class SessionStore {
  readonly #redis: Redis;
  readonly #keys: RedisKeys['sessions'];
  readonly #idleMs: number;
  readonly #absoluteMs: number;
  readonly #cacheMs: number;
  readonly #now: () => number;
  /** Renewing on every request would be a Redis write per request; once a minute is enough. */
  readonly #renewAfterMs: number;
  readonly #cache = new Map<string, { session: Session; at: number }>();

  constructor(redis: Redis, opts: SessionStoreOptions) {
    this.#redis = redis;
    this.#keys = redisKeys(opts.keyPrefix).sessions;
    this.#idleMs = opts.idleTtlSeconds * 1000;
    this.#absoluteMs = opts.absoluteTtlSeconds * 1000;
    this.#cacheMs = opts.cacheMs;
    this.#now = opts.now ?? Date.now;
    this.#renewAfterMs = Math.min(60_000, this.#idleMs / 10);
  }

  get absoluteTtlSeconds(): number {
    return this.#absoluteMs / 1000;
  }

  /** A new session with a new random token (never one the browser brought: no fixation). */
  async create(input: { userId: string; steamId: string; ip: string; userAgent: string }): Promise<{
    token: string;
    session: Session;
  }> {
    const secret = randomBytes(32).toString('base64url');
    const token = `${input.userId}.${secret}`;
    const now = this.#now();
    const session: Session = {
      handle: handleOf(secret),
      userId: input.userId,
      steamId: input.steamId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + this.#absoluteMs,
      ip: input.ip,
      userAgent: input.userAgent.slice(0, 256),
    };
    const { handle, ...data } = session;
    const userKey = this.#keys.userSessions(input.userId);
    // One MULTI: the session and its index entry appear together (same slot), so revokeAll
    // sees either both or neither.
    await this.#call(() =>
      this.#redis
        .multi()
        .set(
          this.#keys.session(input.userId, handle),
          JSON.stringify(data),
          'PX',
          Math.min(this.#idleMs, this.#absoluteMs),
        )
        .zadd(userKey, session.expiresAt, handle)
        .zremrangebyscore(userKey, '-inf', now)
        .pexpire(userKey, this.#absoluteMs)
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
    const parsed = parseToken(token);
    if (!parsed) return undefined;
    const { userId, handle } = parsed;
    const now = this.#now();
    const cached = this.#cache.get(handle);
    if (cached && now - cached.at < this.#cacheMs) {
      return this.#alive(cached.session, now) ? cached.session : undefined;
    }
    const key = this.#keys.session(userId, handle);
    const raw = await this.#call(() => this.#redis.get(key));
    if (raw === null) {
      this.#cache.delete(handle);
      return undefined;
    }
    const session: Session = { ...(JSON.parse(raw) as SessionData), handle };
    if (session.userId !== userId) return undefined;
    if (!this.#alive(session, now)) {
      await this.#forget(session);
      return undefined;
    }
    if (now - session.lastSeenAt >= this.#renewAfterMs) {
      session.lastSeenAt = now;
      const { handle: _h, ...data } = session;
      // XX: never resurrect a session revoked between the read and this write, nor serve it.
      const renewed = await this.#call(() =>
        this.#redis.set(key, JSON.stringify(data), 'PX', this.#ttlMs(session, now), 'XX'),
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
    const userKey = this.#keys.userSessions(userId);
    const handles = await this.#call(() => this.#redis.zrange(userKey, 0, '-1'));
    if (handles.length === 0) return [];
    const values = await this.#call(() =>
      this.#redis.mget(handles.map((h) => this.#keys.session(userId, h))),
    );
    const now = this.#now();
    const live: Session[] = [];
    const gone: string[] = [];
    handles.forEach((handle, i) => {
      const raw = values[i];
      const session = raw ? { ...(JSON.parse(raw) as SessionData), handle } : undefined;
      if (session && session.userId === userId && this.#alive(session, now)) live.push(session);
      else gone.push(handle);
    });
    if (gone.length > 0) await this.#call(() => this.#redis.zrem(userKey, ...gone));
    return live.sort((a, b) => b.lastSeenAt - a.lastSeenAt);
  }

  /** Ends one session by its token (logout). */
  async revoke(token: string): Promise<void> {
    const parsed = parseToken(token);
    if (!parsed) return;
    await this.revokeHandle(parsed.userId, parsed.handle);
  }

  /** Ends one of the user's sessions by its handle; false when the user has no such session. */
  async revokeHandle(userId: string, handle: string): Promise<boolean> {
    if (!HANDLE.test(handle)) return false;
    this.#cache.delete(handle);
    const results = await this.#call(() =>
      this.#redis
        .multi()
        .del(this.#keys.session(userId, handle))
        .zrem(this.#keys.userSessions(userId), handle)
        .exec(),
    );
    throwOnFailure(results);
    return results?.some(([, n]) => n === 1) ?? false;
  }

  /**
   * Ends every session of the user ("log out everywhere"); returns how many there were.
   * Atomic against sign-ins in flight: see REVOKE_ALL_SCRIPT.
   */
  async revokeAll(userId: string): Promise<number> {
    const userKey = this.#keys.userSessions(userId);
    for (let attempt = 0; attempt < REVOKE_ALL_ATTEMPTS; attempt++) {
      const handles = await this.#call(() => this.#redis.zrange(userKey, 0, '-1'));
      for (const h of handles) this.#cache.delete(h);
      const keys = [userKey, ...handles.map((h) => this.#keys.session(userId, h))];
      const n = await this.#call(
        () => this.#redis.eval(REVOKE_ALL_SCRIPT, keys.length, ...keys, ...handles) as Promise<number>,
      );
      if (n >= 0) return n;
    }
    throw new AppError('DEPENDENCY_UNAVAILABLE', 'Sessions kept changing; try again.', {
      reason: 'revoke_all_contended',
    });
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
    await this.revokeHandle(session.userId, session.handle);
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
