import {
  acceptance,
  categoryOf,
  minorToJson,
  type AcceptanceRules,
  type ItemCategory,
  type RefusalReason,
} from '@platform/core';
import type { PriceBook } from './price-book.ts';

/** The fields of an item that enrichment reads; both user items and site items have them. */
export interface PricedInput {
  marketHashName: string;
  typeTag: string | null;
  /** When known already (the snapshot stores it), else derived from typeTag. */
  category?: ItemCategory;
  tradable: boolean;
  tradableAfter: Date | null;
}

export interface Enrichment {
  /** Market price in cents (override or feed), or null when there is none. */
  price: number | null;
  priceSource: 'override' | 'feed' | null;
  /** What the site pays on a deposit / charges on a withdrawal, in cents. */
  depositPrice: number | null;
  withdrawPrice: number | null;
  /** Tradable right now. */
  tradableNow: boolean;
  /** End of a trade hold (cooldown or trade protection), ISO 8601, when there is one. */
  tradeHoldUntil: string | null;
  accepted: boolean;
  refusal: RefusalReason | null;
}

/** How many of each name the site holds, reloaded from MySQL on a timer. */
export interface SiteStock {
  count(marketHashName: string): number;
  readonly loadedAt: number;
}

export class Enricher {
  private readonly prices: PriceBook;
  private readonly stock: SiteStock;
  private readonly rules: AcceptanceRules;
  constructor(prices: PriceBook, stock: SiteStock, rules: AcceptanceRules) {
    this.prices = prices;
    this.stock = stock;
    this.rules = rules;
  }

  /** Changes whenever prices or stock reload: a cached enrichment is valid while it stays the same. */
  version(): string {
    return `${this.prices.loadedAt}:${this.stock.loadedAt}`;
  }

  enrich(item: PricedInput, now: Date): Enrichment {
    const p = this.prices.priceOf(item.marketHashName, item.category ?? categoryOf(item.typeTag), now);
    const hold =
      item.tradableAfter !== null && item.tradableAfter.getTime() > now.getTime() ? item.tradableAfter : null;
    const verdict = acceptance(
      {
        price: p?.price ?? null,
        tradable: item.tradable,
        tradableAfter: hold,
        blocklisted: this.prices.isBlocked(item.marketHashName),
        siteCount: this.stock.count(item.marketHashName),
      },
      this.rules,
      now,
    );
    return {
      price: p ? minorToJson(p.price) : null,
      priceSource: p?.source ?? null,
      depositPrice: p ? minorToJson(p.deposit) : null,
      withdrawPrice: p ? minorToJson(p.withdraw) : null,
      tradableNow: item.tradable && hold === null,
      tradeHoldUntil: hold ? hold.toISOString() : null,
      accepted: verdict.accepted,
      refusal: verdict.accepted ? null : verdict.reason,
    };
  }
}

/** Counts per market_hash_name from the items table, refreshed by the caller's timer. */
export class StockCounts implements SiteStock {
  private counts = new Map<string, number>();
  loadedAt = 0;
  private readonly load: () => Promise<Map<string, number>>;
  constructor(load: () => Promise<Map<string, number>>) {
    this.load = load;
  }
  async reload(): Promise<void> {
    this.counts = await this.load();
    this.loadedAt = Date.now();
  }
  count(name: string): number {
    return this.counts.get(name) ?? 0;
  }
}
