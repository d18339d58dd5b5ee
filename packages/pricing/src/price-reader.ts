import { sql, type Kysely } from 'kysely';
import type { MainDatabase, PricingDatabase } from '@platform/db';

export interface OverrideRow {
  marketHashName: string;
  price: bigint;
  expiresAt: Date | null;
  createdAt: Date;
}

/** The reads behind the price book: the pricing database, and stock counts from the main one. */
export class PriceReader {
  private readonly pricing: Kysely<PricingDatabase>;
  private readonly main: Kysely<MainDatabase>;
  constructor(dbs: { pricing: Kysely<PricingDatabase>; main: Kysely<MainDatabase> }) {
    this.pricing = dbs.pricing;
    this.main = dbs.main;
  }

  async currentPrices(): Promise<Map<string, bigint>> {
    const rows = await this.pricing.selectFrom('prices').select(['market_hash_name', 'price']).execute();
    return new Map(rows.map((r) => [r.market_hash_name, BigInt(r.price)]));
  }

  /** Overrides not yet expired by the database clock; callers re-check expiry against their own clock. */
  async activeOverrides(): Promise<OverrideRow[]> {
    const rows = await this.pricing
      .selectFrom('price_overrides')
      .select(['market_hash_name', 'price', 'expires_at', 'created_at'])
      .where((eb) =>
        eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`CURRENT_TIMESTAMP(3)`)]),
      )
      .execute();
    return rows.map((r) => ({
      marketHashName: r.market_hash_name,
      price: BigInt(r.price),
      expiresAt: r.expires_at,
      createdAt: r.created_at,
    }));
  }

  async blocklist(): Promise<Set<string>> {
    const rows = await this.pricing.selectFrom('price_blocklist').select('market_hash_name').execute();
    return new Set(rows.map((r) => r.market_hash_name));
  }

  /** How many items of each name the site holds (deposit acceptance: overstock). */
  async stockCounts(): Promise<Map<string, number>> {
    const rows = await this.main
      .selectFrom('items')
      .select(['market_hash_name', sql<string>`COUNT(*)`.as('n')])
      .groupBy('market_hash_name')
      .execute();
    return new Map(rows.map((r) => [r.market_hash_name, Number(r.n)]));
  }
}
