import {
  categoryOf,
  depositPrice,
  effectivePrice,
  spreadFor,
  withdrawPrice,
  type ItemCategory,
  type PriceOverride,
  type SpreadTable,
} from '@platform/core';
import type { PriceReader } from './price-reader.ts';

export interface ItemPrice {
  /** The market price in force (override or feed), minor units. */
  price: bigint;
  source: 'override' | 'feed';
  /** What the site pays for it on a deposit. */
  deposit: bigint;
  /** What the site charges for it on a withdrawal. */
  withdraw: bigint;
}

/**
 * Prices in memory: the feed prices, the active overrides and the blocklist, reloaded on a timer
 * and when an import finishes. Reads are map lookups, so enriching a 1000-item inventory costs no
 * query; override expiry is judged at read time against `now`, so an override stops applying the
 * moment it expires, not at the next reload.
 */
export class PriceBook {
  private readonly repo: Pick<PriceReader, 'currentPrices' | 'activeOverrides' | 'blocklist'>;
  private readonly spreads: SpreadTable;
  private feed = new Map<string, bigint>();
  private overrides = new Map<string, PriceOverride[]>();
  private blocked = new Set<string>();
  loadedAt = 0;

  constructor(
    repo: Pick<PriceReader, 'currentPrices' | 'activeOverrides' | 'blocklist'>,
    spreads: SpreadTable,
  ) {
    this.repo = repo;
    this.spreads = spreads;
  }

  async reload(): Promise<void> {
    const [feed, overrides, blocked] = await Promise.all([
      this.repo.currentPrices(),
      this.repo.activeOverrides(),
      this.repo.blocklist(),
    ]);
    const byName = new Map<string, PriceOverride[]>();
    for (const o of overrides) {
      let list = byName.get(o.marketHashName);
      if (!list) byName.set(o.marketHashName, (list = []));
      list.push({ price: o.price, expiresAt: o.expiresAt, createdAt: o.createdAt });
    }
    this.feed = feed;
    this.overrides = byName;
    this.blocked = blocked;
    this.loadedAt = Date.now();
  }

  get size(): number {
    return this.feed.size;
  }

  isBlocked(marketHashName: string): boolean {
    return this.blocked.has(marketHashName);
  }

  priceOf(marketHashName: string, category: ItemCategory, now: Date): ItemPrice | null {
    const p = effectivePrice(
      this.feed.get(marketHashName) ?? null,
      this.overrides.get(marketHashName) ?? [],
      now,
    );
    if (!p) return null;
    const spread = spreadFor(this.spreads, category);
    return {
      price: p.price,
      source: p.source,
      deposit: depositPrice(p.price, spread),
      withdraw: withdrawPrice(p.price, spread),
    };
  }

  priceOfTypeTag(marketHashName: string, typeTag: string | null, now: Date): ItemPrice | null {
    return this.priceOf(marketHashName, categoryOf(typeTag), now);
  }
}
