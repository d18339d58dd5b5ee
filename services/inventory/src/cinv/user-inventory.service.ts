import { AppError, ByteLru } from '@platform/core';
import { redisKeys, type RedisKeys } from '@platform/bus';
import type { Redis } from '@platform/db';
import type { Logger } from '@platform/observability';
import { SteamInventoryError, type SteamInventoryClient, type SteamItem } from '@platform/steam';
import type { InventoryMetrics } from '../metrics.ts';
import type { Requester, SteamBudget } from './steam-budget.ts';

/** A cached inventory: what Steam said and when. Dates are epoch ms so the JSON stays flat. */
interface CacheRecord {
  v: 1;
  fetchedAt: number;
  source: 'steam' | 'fallback';
  totalCount: number;
  items: Array<Omit<SteamItem, 'tradableAfter'> & { tradableAfter: number | null }>;
}

export interface UserInventory {
  steamId: string;
  fetchedAt: Date;
  source: 'steam' | 'fallback';
  /** Served from the cache past its fresh age while a refresh runs in the background. */
  stale: boolean;
  cached: boolean;
  totalCount: number;
  items: SteamItem[];
}

export interface UserInventoryOptions {
  redis: Redis;
  keyPrefix: string;
  logger: Logger;
  steam: SteamInventoryClient;
  /** A source speaking Steam's shape, asked when Steam refuses. */
  fallback?: SteamInventoryClient;
  proxies: readonly string[];
  proxyCooldownMs: number;
  freshMs: number;
  ttlMs: number;
  /** `fresh=1` is honoured once per this interval per requester; 0 = every time. */
  forceMinIntervalMs: number;
  /** Parsed inventories kept in memory, measured in bytes of their cached JSON. */
  memoryBytes: number;
  /** Bounds the Steam reads anonymous requesters cause. */
  budget?: SteamBudget;
  now?: () => Date;
  metrics?: InventoryMetrics;
}

/** Negative answers (private, unknown) are cached briefly so a refreshing page does not hammer Steam. */
const NEGATIVE_TTL_MS = 30_000;
/** How long a parsed record is served without asking Redis whether a newer one exists. */
const MEMORY_TRUST_MS = 1_000;

/**
 * cinv: a user's CS2 inventory (context 2; context 16 is owner-only and we hold no user cookies)
 * through a Redis cache with stale-while-revalidate, outbound proxies rotated on 429, and a
 * fallback provider when Steam refuses.
 */
export class UserInventoryService {
  private readonly o: UserInventoryOptions;
  private readonly inflight = new Map<string, Promise<UserInventory>>();
  private readonly cooling = new Map<string, number>();
  private readonly background = new Set<Promise<void>>();
  /** Parsed records and when each was last checked against Redis, bounded by bytes. */
  private readonly parsed: ByteLru<string, { inv: UserInventory; verifiedAt: number }>;
  private readonly keys: RedisKeys['cinv'];
  private nextProxy = 0;

  constructor(options: UserInventoryOptions) {
    this.o = options;
    this.keys = redisKeys(options.keyPrefix).cinv;
    this.parsed = new ByteLru(options.memoryBytes);
  }

  /**
   * `maxAgeMs`: a copy older than this is not served; Steam is asked now (the backend checking
   * what a user gives in a trade: ownership against fresh-enough data).
   */
  async get(
    steamId: string,
    opts: { fresh?: boolean; requester: Requester; maxAgeMs?: number },
  ): Promise<UserInventory> {
    if (!/^\d{17}$/.test(steamId))
      throw new AppError('VALIDATION_FAILED', 'A SteamID64 has 17 digits.', { field: '/params/steamId' });
    if (opts.fresh) {
      await this.limitFresh(opts.requester);
      await this.o.budget?.take(opts.requester);
      return this.load(steamId);
    }
    if (opts.maxAgeMs !== undefined) {
      const inv = await this.get(steamId, { requester: opts.requester });
      if (Date.now() - inv.fetchedAt.getTime() <= opts.maxAgeMs) return inv;
      await this.o.budget?.take(opts.requester);
      return this.load(steamId);
    }
    // Checked against Redis less than a second ago in this process: serve from memory. Another
    // worker's refresh shows here within that second (the same window as the answer cache).
    const known = this.parsed.get(steamId);
    if (known && Date.now() - known.verifiedAt < MEMORY_TRUST_MS)
      return this.serve(steamId, known.inv, opts.requester);
    // A small version key first: when this process already parsed that version, the large
    // record is neither fetched nor parsed again (the common case for a cached read).
    const [at, negative] = await this.o.redis.mget(this.keys.version(steamId), this.keys.negative(steamId));
    if (at) {
      const fetchedAt = Number(at);
      let inv = known?.inv;
      if (inv?.fetchedAt.getTime() !== fetchedAt) {
        const raw = await this.o.redis.get(this.keys.inventory(steamId));
        inv = raw ? this.remember(steamId, raw) : undefined;
      } else if (known) known.verifiedAt = Date.now();
      if (inv) return this.serve(steamId, inv, opts.requester);
    }
    if (negative) throw new AppError(negative as 'INVENTORY_PRIVATE' | 'STEAM_USER_NOT_FOUND');
    await this.o.budget?.take(opts.requester);
    return this.load(steamId);
  }

  /**
   * `fresh=1` asks Steam again, at most once per interval per requester (a user, or an IP when
   * anonymous): limiting it per inventory would let anyone block the owner's own refresh.
   */
  private async limitFresh(requester: Requester): Promise<void> {
    if (this.o.forceMinIntervalMs <= 0) return;
    const key = this.keys.fresh(requester.kind === 'user' ? `u:${requester.userId}` : `ip:${requester.ip}`);
    const ok = await this.o.redis.set(key, '1', 'PX', this.o.forceMinIntervalMs, 'NX');
    if (ok !== null) return;
    const ttl = await this.o.redis.pttl(key);
    throw new AppError('RATE_LIMITED', 'You refreshed an inventory a moment ago; try again shortly.', {
      retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)),
    });
  }

  private serve(steamId: string, inv: UserInventory, requester: Requester): UserInventory {
    this.o.metrics?.userInventoryReads.inc({ source: 'cache' });
    const stale = Date.now() - inv.fetchedAt.getTime() > this.o.freshMs;
    if (stale) this.revalidate(steamId, requester);
    return { ...inv, stale, cached: true };
  }

  /** Parsed records by inventory, bounded by the bytes of their JSON (least recently used go first). */
  private remember(steamId: string, raw: string): UserInventory {
    const inv = fromRecord(steamId, JSON.parse(raw) as CacheRecord, { stale: false, cached: true });
    this.parsed.set(steamId, { inv, verifiedAt: Date.now() }, raw.length);
    return inv;
  }

  /**
   * Background refresh: one per inventory across all workers (a Redis lock), errors only logged.
   * An anonymous requester's revalidation spends the anonymous budget like a miss; past it, the
   * stale copy is served as it is.
   */
  private revalidate(steamId: string, requester: Requester): void {
    if (this.inflight.has(steamId)) return;
    const p = (async () => {
      const locked = await this.o.redis.set(this.keys.lock(steamId), '1', 'PX', 30_000, 'NX');
      if (locked === null) return;
      try {
        await this.o.budget?.take(requester);
        await this.load(steamId);
      } finally {
        await this.o.redis.del(this.keys.lock(steamId));
      }
    })()
      .catch((err: unknown) =>
        this.o.logger.info({ steamId, err: (err as Error).message }, 'revalidation failed; stale copy kept'),
      )
      .finally(() => this.background.delete(p));
    this.background.add(p);
  }

  /** Waits for background revalidations (shutdown, and tests that read what they wrote). */
  async drain(): Promise<void> {
    while (this.background.size > 0) await Promise.all([...this.background]);
  }

  /** Single flight per inventory in this process. */
  private load(steamId: string): Promise<UserInventory> {
    let p = this.inflight.get(steamId);
    if (!p) {
      p = this.fetchAndStore(steamId).finally(() => this.inflight.delete(steamId));
      this.inflight.set(steamId, p);
    }
    return p;
  }

  private async fetchAndStore(steamId: string): Promise<UserInventory> {
    const { items, totalCount, source } = await this.fetch(steamId);
    const record: CacheRecord = {
      v: 1,
      fetchedAt: Date.now(),
      source,
      totalCount,
      items: items.map((i) => ({ ...i, tradableAfter: i.tradableAfter ? i.tradableAfter.getTime() : null })),
    };
    const raw = JSON.stringify(record);
    // One MULTI (the keys share the inventory's hash slot): readers never see a version without its record.
    await this.o.redis
      .multi()
      .set(this.keys.inventory(steamId), raw, 'PX', this.o.ttlMs)
      .set(this.keys.version(steamId), String(record.fetchedAt), 'PX', this.o.ttlMs)
      .del(this.keys.negative(steamId))
      .exec()
      .then((results) => {
        for (const [err] of results ?? []) if (err) throw err;
      });
    return { ...this.remember(steamId, raw), cached: false };
  }

  /** The routes to try, in order: each proxy not cooling down (round robin), or direct when there are none. */
  private routes(): Array<string | undefined> {
    const { proxies } = this.o;
    if (proxies.length === 0) return [undefined];
    const now = Date.now();
    const start = this.nextProxy++ % proxies.length;
    const order = [...proxies.slice(start), ...proxies.slice(0, start)];
    const ready = order.filter((p) => (this.cooling.get(p) ?? 0) <= now);
    // When every proxy is cooling down, still try them: a cool-down is a guess, a refusal is certain.
    return ready.length > 0 ? ready : order;
  }

  private async fetch(
    steamId: string,
  ): Promise<{ items: SteamItem[]; totalCount: number; source: 'steam' | 'fallback' }> {
    const now = this.o.now?.();
    let refused: SteamInventoryError | undefined;
    for (const proxy of this.routes()) {
      try {
        const inv = await this.o.steam.fetchInventory(steamId, '2', {
          ...(proxy ? { proxy } : {}),
          ...(now ? { now } : {}),
        });
        this.o.metrics?.userInventoryReads.inc({ source: 'steam' });
        return { items: inv.items, totalCount: inv.totalCount, source: 'steam' };
      } catch (err) {
        if (!(err instanceof SteamInventoryError)) throw err;
        await this.rememberNegative(steamId, err);
        if (err.kind === 'rate_limited') {
          if (proxy) this.cooling.set(proxy, Date.now() + this.o.proxyCooldownMs);
          this.o.logger.info(
            { proxy: proxy ? new URL(proxy).host : 'direct' },
            'Steam rate limited this route; rotating',
          );
          refused = err;
          continue;
        }
        refused = err;
        break;
      }
    }
    if (this.o.fallback) {
      try {
        const inv = await this.o.fallback.fetchInventory(steamId, '2', now ? { now } : {});
        this.o.logger.info({ steamId, reason: refused?.kind }, 'served from the fallback provider');
        this.o.metrics?.userInventoryReads.inc({ source: 'fallback' });
        return { items: inv.items, totalCount: inv.totalCount, source: 'fallback' };
      } catch (err) {
        if (!(err instanceof SteamInventoryError)) throw err;
        await this.rememberNegative(steamId, err);
        refused = err;
      }
    }
    throw new AppError(
      'STEAM_UNAVAILABLE',
      undefined,
      { reason: refused?.kind ?? 'unavailable' },
      { cause: refused },
    );
  }

  /** Private and unknown are answers, not outages: they end the attempt and are cached briefly. */
  private async rememberNegative(steamId: string, err: SteamInventoryError): Promise<void> {
    this.o.metrics?.steamRefusals.inc({ kind: err.kind });
    const code =
      err.kind === 'private'
        ? 'INVENTORY_PRIVATE'
        : err.kind === 'not_found'
          ? 'STEAM_USER_NOT_FOUND'
          : undefined;
    if (!code) return;
    await this.o.redis.set(this.keys.negative(steamId), code, 'PX', NEGATIVE_TTL_MS);
    throw new AppError(code, undefined, undefined, { cause: err });
  }
}

function fromRecord(
  steamId: string,
  r: CacheRecord,
  flags: { stale: boolean; cached: boolean },
): UserInventory {
  return {
    steamId,
    fetchedAt: new Date(r.fetchedAt),
    source: r.source,
    stale: flags.stale,
    cached: flags.cached,
    totalCount: r.totalCount,
    items: r.items.map((i) => ({
      ...i,
      tradableAfter: i.tradableAfter === null ? null : new Date(i.tradableAfter),
    })),
  };
}
