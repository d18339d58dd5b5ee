import { sql, type Kysely } from 'kysely';
import type { MainDatabase } from '@platform/db';
import type { IndexRow } from './index-row.ts';

/**
 * The site items as MySQL holds them (the source of truth): read in pages by primary key for a
 * load, by asset id after an event, and as (asset id, version) pairs for reconciliation. The
 * version is `items.updated_at` (set by MySQL on every change of a row, main 0001), so no writer
 * has to remember to bump one.
 */
export class ItemsSource {
  readonly #db: Kysely<MainDatabase>;
  constructor(db: Kysely<MainDatabase>) {
    this.#db = db;
  }

  #select() {
    return this.#db
      .selectFrom('items as i')
      .leftJoin('item_classes as c', 'c.class_id', 'i.class_id')
      .leftJoin('reservations as r', 'r.active_asset_id', 'i.asset_id')
      .select([
        'i.id',
        'i.asset_id',
        'i.bot_id',
        'i.market_hash_name',
        'i.name',
        'i.category',
        'i.rarity',
        'i.exterior',
        'i.float_value',
        'i.paint_seed',
        'i.stickers',
        'i.attributes',
        'i.tradable',
        'i.tradable_after',
        'i.first_seen_at',
        'i.updated_at',
        'c.icon_url',
        'r.reserved_until',
      ]);
  }

  /** Every item, in pages of `pageSize` by primary key (a keyset walk: no OFFSET). */
  async *pages(pageSize = 5_000): AsyncGenerator<IndexRow[]> {
    let after = '0';
    for (;;) {
      const rows = await this.#select().where('i.id', '>', after).orderBy('i.id').limit(pageSize).execute();
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.id;
      yield rows.map(toIndexRow);
      if (rows.length < pageSize) return;
    }
  }

  async rows(assetIds: readonly string[]): Promise<IndexRow[]> {
    const out: IndexRow[] = [];
    for (let i = 0; i < assetIds.length; i += 1_000) {
      const chunk = assetIds.slice(i, i + 1_000);
      const rows = await this.#select().where('i.asset_id', 'in', chunk).execute();
      for (const r of rows) out.push(toIndexRow(r));
    }
    return out;
  }

  /** (asset id, version) of every item, in pages. */
  async *versions(pageSize = 20_000): AsyncGenerator<Array<{ assetId: string; version: number }>> {
    let after = '0';
    for (;;) {
      const rows = await this.#db
        .selectFrom('items')
        .select(['id', 'asset_id', 'updated_at'])
        .where('id', '>', after)
        .orderBy('id')
        .limit(pageSize)
        .execute();
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.id;
      yield rows.map((r) => ({ assetId: r.asset_id, version: r.updated_at.getTime() }));
      if (rows.length < pageSize) return;
    }
  }

  /** Active reservations: asset id → end (epoch ms). */
  async activeReservations(): Promise<Map<string, number>> {
    const rows = await this.#db
      .selectFrom('reservations')
      .select(['asset_id', 'reserved_until'])
      .where('released_at', 'is', null)
      .execute();
    return new Map(rows.map((r) => [r.asset_id, r.reserved_until.getTime()]));
  }

  /** Bots whose items are not listed (paused, disabled, in error). */
  async inactiveBots(): Promise<number[]> {
    const rows = await this.#db.selectFrom('bots').select('id').where('status', '!=', 'active').execute();
    return rows.map((r) => r.id);
  }

  /** How many of each name the site holds (listable, on active bots; reserved ones too): sort `popular`. */
  async stock(): Promise<Map<string, number>> {
    const r = await sql<{ market_hash_name: string; n: number | string }>`
      SELECT i.market_hash_name, COUNT(*) AS n FROM items i JOIN bots b ON b.id = i.bot_id
      WHERE b.status = 'active' AND (i.tradable = 1 OR i.tradable_after IS NOT NULL)
      GROUP BY i.market_hash_name`.execute(this.#db);
    return new Map(r.rows.map((x) => [x.market_hash_name, Number(x.n)]));
  }

  async count(): Promise<number> {
    const r = await sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM items`.execute(this.#db);
    return Number(r.rows[0]?.n ?? 0);
  }
}

type Row = {
  asset_id: string;
  bot_id: number;
  market_hash_name: string;
  name: string;
  category: string;
  rarity: string;
  exterior: string | null;
  float_value: number | null;
  paint_seed: number | null;
  stickers: unknown;
  attributes: unknown;
  tradable: number;
  tradable_after: Date | null;
  first_seen_at: Date;
  updated_at: Date;
  icon_url: string | null;
  reserved_until: Date | null;
};

/** JSON columns come back as text from MariaDB and parsed from MySQL 8. */
function json(v: unknown): unknown {
  if (typeof v === 'string') {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return null;
    }
  }
  return v;
}

export function toIndexRow(r: Row): IndexRow {
  const attributes = (json(r.attributes) ?? {}) as { typeTag?: string; weapon?: string; isCasket?: boolean };
  const stickers = json(r.stickers);
  return {
    assetId: r.asset_id,
    botId: r.bot_id,
    marketHashName: r.market_hash_name,
    name: r.name,
    category: r.category,
    typeTag: attributes.typeTag ?? null,
    weapon: attributes.weapon ?? null,
    rarity: r.rarity,
    exterior: r.exterior,
    floatValue: r.float_value,
    paintSeed: r.paint_seed,
    stickers: Array.isArray(stickers) ? stickers.filter((s): s is string => typeof s === 'string') : [],
    iconUrl: r.icon_url ?? '',
    tradable: r.tradable === 1,
    tradableAfterMs: r.tradable_after ? r.tradable_after.getTime() : null,
    casket: attributes.isCasket === true,
    firstSeenMs: r.first_seen_at.getTime(),
    version: r.updated_at.getTime(),
    reservedUntilMs: r.reserved_until ? r.reserved_until.getTime() : null,
  };
}
