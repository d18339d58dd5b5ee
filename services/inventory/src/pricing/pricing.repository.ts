import { sql, type Kysely } from 'kysely';
import type { PriceImportStatus, PricingDatabase } from '@platform/db';
import type { FeedRow, RejectedRow } from './price-feed.ts';

/** SQL of the pricing database that the import writes (the reads are packages/pricing's PriceReader). */
export class PricingRepository {
  private readonly db: Kysely<PricingDatabase>;
  constructor(db: Kysely<PricingDatabase>) {
    this.db = db;
  }

  async startImport(source: string, url: string): Promise<string> {
    const r = await this.db
      .insertInto('price_imports')
      .values({ source, url: url.slice(0, 1024), format: '', status: 'running' })
      .executeTakeFirstOrThrow();
    return String(r.insertId);
  }

  /** Proof of life of a running import, by the server's clock (all processes share it). */
  async heartbeat(id: string): Promise<void> {
    await this.db
      .updateTable('price_imports')
      .set({ heartbeat_at: sql<Date>`CURRENT_TIMESTAMP(3)` })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .execute();
  }

  /**
   * Marks `abandoned` every running import without a heartbeat for `staleMs`: its process is
   * gone (a live one writes one several times per bound). Both sides of the comparison are the
   * server's clock, so clocks of the processes never matter. Returns how many were marked.
   */
  async abandonInterrupted(staleMs: number): Promise<number> {
    const r = await this.db
      .updateTable('price_imports')
      .set({
        status: 'abandoned',
        finished_at: sql<Date>`CURRENT_TIMESTAMP(3)`,
        errors: JSON.stringify({
          rejected: [],
          error: `no heartbeat for ${staleMs} ms: its process stopped`,
        }),
      })
      .where('status', '=', 'running')
      .where(
        'heartbeat_at',
        '<',
        sql<Date>`CURRENT_TIMESTAMP(3) - INTERVAL ${sql.lit(Math.round(staleMs) * 1000)} MICROSECOND`,
      )
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /**
   * Records the end of an import, whatever its status: a run taken for abandoned that was in
   * fact alive (a process stalled past the bound) gets its real outcome.
   */
  async finishImport(
    id: string,
    result: {
      status: PriceImportStatus;
      format: string;
      total: number;
      accepted: number;
      rejected: RejectedRow[];
      changed: number;
      error?: string;
    },
  ): Promise<void> {
    // The first 100 rejections are kept: enough to see what is wrong with a feed, bounded in size.
    const errors = {
      rejected: result.rejected.slice(0, 100),
      ...(result.error ? { error: result.error } : {}),
    };
    await this.db
      .updateTable('price_imports')
      .set({
        status: result.status,
        format: result.format,
        rows_total: result.total,
        rows_accepted: result.accepted,
        rows_rejected: result.rejected.length,
        rows_changed: result.changed,
        errors: JSON.stringify(errors),
        finished_at: new Date(),
      })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Writes the feed: every row's price and updated_at (when a feed last confirmed it), and a
   * history row only where the price changed. Chunked so one statement stays small.
   */
  async applyRows(rows: FeedRow[], changed: FeedRow[], source: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += 1000) {
        const chunk = rows.slice(i, i + 1000);
        await trx
          .insertInto('prices')
          .values(chunk.map((r) => ({ market_hash_name: r.marketHashName, price: r.price, source })))
          .onDuplicateKeyUpdate({
            price: sql`VALUES(price)`,
            source: sql`VALUES(source)`,
            updated_at: sql`CURRENT_TIMESTAMP(3)`,
          })
          .execute();
      }
      for (let i = 0; i < changed.length; i += 1000) {
        await trx
          .insertInto('price_history')
          .values(
            changed
              .slice(i, i + 1000)
              .map((r) => ({ market_hash_name: r.marketHashName, price: r.price, source })),
          )
          .execute();
      }
    });
  }

  async addOverride(o: {
    marketHashName: string;
    price: bigint;
    reason: string;
    expiresAt: Date | null;
    createdBy: string;
  }) {
    await this.db
      .insertInto('price_overrides')
      .values({
        market_hash_name: o.marketHashName,
        price: o.price,
        reason: o.reason,
        expires_at: o.expiresAt,
        created_by: o.createdBy,
      })
      .execute();
  }
}
