import { AppError } from '@platform/core';
import type { Redis } from '@platform/db';
import type { Logger } from '@platform/observability';
import { SteamInventoryError, type SteamInventoryClient, type SteamItem } from '@platform/steam';
import type { InventoryMetrics } from '../metrics.ts';

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
  forceMinIntervalMs: number;
  now?: () => Date;
  metrics?: InventoryMetrics;
}

/** Negative answers (private, unknown) are cached briefly so a refreshing page does not hammer Steam. */
const NEGATIVE_TTL_MS = 30_000;
/** Parsed inventories kept per process: ~2,000 × a few hundred items stays within tens of MB. */
const PARSED_MAX = 2_000;
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
  private readonly parsed = new Map<string, UserInventory>();
  private readonly verifiedAt = new Map<string, number>();
  private nextProxy = 0;

  constructor(options: UserInventoryOptions) {
    this.o = options;
  }

  private key(kind: string, steamId: string): string {
    return `${this.o.keyPrefix}cinv:${kind}:${steamId}`;
  }

  async get(steamId: string, opts: { fresh?: boolean } = {}): Promise<UserInventory> {
    if (!/^\d{17}$/.test(steamId))
      throw new AppError('VALIDATION_FAILED', 'A SteamID64 has 17 digits.', { field: '/params/steamId' });
    if (opts.fresh) {
      // fresh=1 reaches Steam at most once per interval per inventory, whoever asks.
      const ok = await this.o.redis.set(
        this.key('force', steamId),
        '1',
        'PX',
        this.o.forceMinIntervalMs,
        'NX',
      );
      if (ok === null) {
        const ttl = await this.o.redis.pttl(this.key('force', steamId));
        throw new AppError('RATE_LIMITED', 'This inventory was refreshed a moment ago; try again shortly.', {
          retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)),
        });
      }
      return this.load(steamId);
    }
    // Checked against Redis less than a second ago in this process: serve from memory. Another
    // worker's refresh shows here within that second (the same window as the answer cache).
    const known = this.parsed.get(steamId);
    if (known && Date.now() - (this.verifiedAt.get(steamId) ?? 0) < MEMORY_TRUST_MS)
      return this.serve(steamId, known);
    // A small version key first: when this process already parsed that version, the large
    // record is neither fetched nor parsed again (the common case for a cached read).
    const [at, negative] = await this.o.redis.mget(this.key('at', steamId), this.key('neg', steamId));
    if (at) {
      const fetchedAt = Number(at);
      let inv = known;
      if (inv?.fetchedAt.getTime() !== fetchedAt) {
        const raw = await this.o.redis.get(this.key('inv', steamId));
        inv = raw ? this.remember(steamId, JSON.parse(raw) as CacheRecord) : undefined;
      } else this.verifiedAt.set(steamId, Date.now());
      if (inv) return this.serve(steamId, inv);
    }
    if (negative) throw new AppError(negative as 'INVENTORY_PRIVATE' | 'STEAM_USER_NOT_FOUND');
    return this.load(steamId);
  }

  private serve(steamId: string, inv: UserInventory): UserInventory {
    this.o.metrics?.userInventoryReads.inc({ source: 'cache' });
    const stale = Date.now() - inv.fetchedAt.getTime() > this.o.freshMs;
    if (stale) this.revalidate(steamId);
    return { ...inv, stale, cached: true };
  }

  /** Parsed records by inventory, bounded (insertion order evicts the oldest). */
  private remember(steamId: string, record: CacheRecord): UserInventory {
    const inv = fromRecord(steamId, record, { stale: false, cached: true });
    this.parsed.delete(steamId);
    this.parsed.set(steamId, inv);
    this.verifiedAt.set(steamId, Date.now());
    if (this.parsed.size > PARSED_MAX) {
      const oldest = this.parsed.keys().next();
      if (!oldest.done) {
        this.parsed.delete(oldest.value);
        this.verifiedAt.delete(oldest.value);
      }
    }
    return inv;
  }

  /** Background refresh: one per inventory across all workers (a Redis lock), errors only logged. */
  private revalidate(steamId: string): void {
    if (this.inflight.has(steamId)) return;
    const p = (async () => {
      const locked = await this.o.redis.set(this.key('lock', steamId), '1', 'PX', 30_000, 'NX');
      if (locked === null) return;
      try {
        await this.load(steamId);
      } finally {
        await this.o.redis.del(this.key('lock', steamId));
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
    await this.o.redis
      .multi()
      .set(this.key('inv', steamId), JSON.stringify(record), 'PX', this.o.ttlMs)
      .set(this.key('at', steamId), String(record.fetchedAt), 'PX', this.o.ttlMs)
      .del(this.key('neg', steamId))
      .exec();
    return { ...this.remember(steamId, record), cached: false };
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
    await this.o.redis.set(this.key('neg', steamId), code, 'PX', NEGATIVE_TTL_MS);
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
