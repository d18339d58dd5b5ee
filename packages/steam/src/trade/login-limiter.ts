import { SteamTradeError } from './errors.ts';

/** Counters shared by every process of the fleet (Redis in the tradebot; memory in unit tests). */
export interface LimiterStore {
  /** Adds one to `key` in a window of `windowMs` and returns the count in it. */
  hit(key: string, windowMs: number): Promise<number>;
  /** Unix ms until which `key` is blocked (0 when not). */
  blockedUntil(key: string): Promise<number>;
  block(key: string, untilMs: number): Promise<void>;
}

export class MemoryLimiterStore implements LimiterStore {
  readonly #counts = new Map<string, { until: number; n: number }>();
  readonly #blocks = new Map<string, number>();
  readonly #now: () => number;
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }
  hit(key: string, windowMs: number): Promise<number> {
    const t = this.#now();
    const c = this.#counts.get(key);
    const next = c && c.until > t ? { until: c.until, n: c.n + 1 } : { until: t + windowMs, n: 1 };
    this.#counts.set(key, next);
    return Promise.resolve(next.n);
  }
  blockedUntil(key: string): Promise<number> {
    return Promise.resolve(this.#blocks.get(key) ?? 0);
  }
  block(key: string, untilMs: number): Promise<void> {
    this.#blocks.set(key, Math.max(untilMs, this.#blocks.get(key) ?? 0));
    return Promise.resolve();
  }
}

export interface LoginLimits {
  /** Logins per IP (egress address or proxy) per window. */
  perIp: number;
  /** Logins of the whole fleet per window. */
  global: number;
  windowMs: number;
  /** After EResult 84 (per IP) or 87 (per account): wait this long, doubling up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
}

export type LoginDecision =
  { ok: true } | { ok: false; retryAtMs: number; reason: 'ip' | 'global' | 'backoff' };

/**
 * Bot logins under Steam's throttles (steam.md §7.3): a budget per IP and a global one, and a
 * backoff after EResult 84 (RateLimitExceeded, per IP) or 87 (AccountLoginDeniedThrottle, per
 * account) that doubles while Steam keeps refusing ("retries reset the timer", §5).
 */
export class LoginLimiter {
  readonly #store: LimiterStore;
  readonly #limits: LoginLimits;
  readonly #now: () => number;
  readonly #streak = new Map<string, number>();
  constructor(store: LimiterStore, limits: LoginLimits, now: () => number = Date.now) {
    this.#store = store;
    this.#limits = limits;
    this.#now = now;
  }

  async acquire(ip: string, account: string): Promise<LoginDecision> {
    const now = this.#now();
    const blocked = Math.max(
      await this.#store.blockedUntil(`ip:${ip}`),
      await this.#store.blockedUntil(`acct:${account}`),
    );
    if (blocked > now) return { ok: false, retryAtMs: blocked, reason: 'backoff' };
    const w = this.#limits.windowMs;
    const windowEnd = (Math.floor(now / w) + 1) * w;
    if ((await this.#store.hit(`global:${Math.floor(now / w)}`, w)) > this.#limits.global)
      return { ok: false, retryAtMs: windowEnd, reason: 'global' };
    if ((await this.#store.hit(`ip:${ip}:${Math.floor(now / w)}`, w)) > this.#limits.perIp)
      return { ok: false, retryAtMs: windowEnd, reason: 'ip' };
    return { ok: true };
  }

  /** The login's outcome: a throttle answer starts (or doubles) a backoff; success clears it. */
  async record(ip: string, account: string, err?: unknown): Promise<void> {
    if (!(err instanceof SteamTradeError) || err.kind !== 'rate_limited') {
      if (!err) this.#streak.delete(account);
      return;
    }
    const key = err.eresult === 84 ? `ip:${ip}` : `acct:${account}`;
    const streak = (this.#streak.get(key) ?? 0) + 1;
    this.#streak.set(key, streak);
    const wait = Math.min(this.#limits.backoffMs * 2 ** (streak - 1), this.#limits.maxBackoffMs);
    await this.#store.block(key, this.#now() + wait);
  }
}
