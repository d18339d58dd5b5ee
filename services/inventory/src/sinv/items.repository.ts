import { CompiledQuery, sql, type Kysely, type Transaction } from 'kysely';
import type { OutboxWriter } from '@platform/bus';
import { transact, type MainDatabase } from '@platform/db';
import { categoryOf, ITEM_CATEGORIES, type ItemCategory } from '@platform/core';
import type { SteamItem } from '@platform/steam';

/** What reconciliation compares: the fields a refresh can change on an asset that stays. */
export interface StoredItem {
  assetId: string;
  contextId: number;
  instanceId: string;
  marketHashName: string;
  tradable: boolean;
  tradableAfterMs: number | null;
  floatValue: number | null;
  paintSeed: number | null;
  isCasket: boolean;
  category: ItemCategory;
  stale: boolean;
}

const COLUMNS = [
  'asset_id',
  'context_id',
  'bot_id',
  'class_id',
  'instance_id',
  'market_hash_name',
  'name',
  'type',
  'rarity',
  'category',
  'exterior',
  'float_value',
  'paint_seed',
  'stickers',
  'attributes',
  'tradable_after',
  'tradable',
  'stale',
] as const;
const INSERT = `INSERT INTO items (${COLUMNS.join(', ')}) VALUES `;
const UPSERT_TAIL = ` ON DUPLICATE KEY UPDATE ${COLUMNS.filter((c) => c !== 'asset_id')
  .map((c) => `${c} = VALUES(${c})`)
  .join(', ')}`;
const ROW = `(${COLUMNS.map(() => '?').join(',')})`;

type Value = string | number | Date | null;

/**
 * The multi-row INSERT of `n` rows, with placeholders: the values are bound by mysql2
 * (`query(sql, values)`), never written into the text by our code. Built as text rather than
 * through the query builder: at 400k rows the builder's per-value nodes cost as much CPU as
 * MariaDB's insert (profiled); a placeholder list costs nothing.
 */
function insertSql(n: number, upsert: boolean): string {
  return INSERT + new Array<string>(n).fill(ROW).join(',') + (upsert ? UPSERT_TAIL : '');
}

/** One row's values, in COLUMNS order. Ids stay decimal strings (exact into BIGINT UNSIGNED). */
function pushRow(values: Value[], botId: number, i: SteamItem): void {
  // Only what a listing needs beyond the columns, nulls left out: rows stay small at 400k.
  const attributes = JSON.stringify({
    ...(i.typeTag ? { typeTag: i.typeTag } : {}),
    ...(i.weapon ? { weapon: i.weapon } : {}),
    ...(i.quality ? { quality: i.quality } : {}),
    ...(i.rarityColor ? { rarityColor: i.rarityColor } : {}),
    // The inspect link's last part (D…) belongs to the class; the rest is rebuilt from owner and asset.
    ...(i.inspectLink ? { inspectD: /D(\d+)$/.exec(i.inspectLink)?.[1] } : {}),
    ...(i.isCasket ? { isCasket: true } : {}),
  });
  values.push(
    i.assetId,
    i.contextId === '16' ? 16 : 2,
    botId,
    i.classId,
    i.instanceId,
    i.marketHashName,
    i.name.slice(0, 255),
    i.type.slice(0, 128),
    i.rarity.slice(0, 64),
    categoryOf(i.typeTag),
    i.exterior,
    i.floatValue,
    i.paintSeed,
    i.stickers.length > 0 ? JSON.stringify(i.stickers) : null,
    attributes,
    // mysql2 renders a Date in UTC (timezone 'Z'), the session's zone too (createMysqlPool).
    i.tradableAfter,
    i.tradable ? 1 : 0,
    0,
  );
}

/** INSERT (or upsert) of a chunk of items through the transaction's connection, values bound. */
async function writeRows(trx: Transaction<MainDatabase>, botId: number, items: SteamItem[], upsert: boolean) {
  const values: Value[] = [];
  for (const item of items) pushRow(values, botId, item);
  await trx.executeQuery(CompiledQuery.raw(insertSql(items.length, upsert), values));
}

export interface BotChanges {
  add: SteamItem[];
  remove: string[];
  update: SteamItem[];
  /** Whether any stored item of the bot is marked stale (skips a pass over its rows when not). */
  clearStale: boolean;
  /** Stored assets a partial read did not show: kept, and marked stale (not confirmed). */
  unseen: string[];
}

/** The items table: MySQL is the source of truth for the site inventory. */
export class ItemsRepository {
  private readonly db: Kysely<MainDatabase>;
  constructor(db: Kysely<MainDatabase>) {
    this.db = db;
  }

  async listForBot(botId: number): Promise<StoredItem[]> {
    const rows = await this.db
      .selectFrom('items')
      .select([
        'asset_id',
        'context_id',
        'instance_id',
        'market_hash_name',
        'tradable',
        'tradable_after',
        'float_value',
        'paint_seed',
        'attributes',
        'category',
        'stale',
      ])
      .where('bot_id', '=', botId)
      .execute();
    return rows.map((r) => ({
      assetId: r.asset_id,
      contextId: r.context_id,
      instanceId: r.instance_id,
      marketHashName: r.market_hash_name,
      tradable: r.tradable === 1,
      tradableAfterMs: r.tradable_after ? r.tradable_after.getTime() : null,
      floatValue: r.float_value,
      paintSeed: r.paint_seed,
      isCasket: isCasketAttr(r.attributes),
      category: (ITEM_CATEGORIES as readonly string[]).includes(r.category)
        ? (r.category as ItemCategory)
        : 'other',
      stale: r.stale === 1,
    }));
  }

  /**
   * Applies one bot's changes and its refresh state in one transaction, so a reader never sees
   * half a refresh. Inserts upsert on the asset id: an asset that a crashed refresh left under
   * another bot moves to the bot that holds it now.
   */
  /**
   * One refresh's writes, in one transaction; `outbox` holds its events (site-inventory.changed),
   * written in the same transaction, so they are published if and only if the change committed.
   */
  async applyBotChanges(
    botId: number,
    changes: BotChanges,
    itemCount: number,
    outbox?: OutboxWriter,
  ): Promise<void> {
    // Bots refresh in parallel and their asset ids sit side by side in the unique index: under
    // REPEATABLE READ the upserts' next-key locks deadlocked each other (transact: READ
    // COMMITTED, and a deadlock that still happens is retried).
    await transact(this.db, async (trx) => {
      for (let i = 0; i < changes.remove.length; i += 1000) {
        await trx
          .deleteFrom('items')
          .where('bot_id', '=', botId)
          .where('asset_id', 'in', changes.remove.slice(i, i + 1000))
          .execute();
      }
      await insertNew(trx, botId, changes.add);
      await upsertItems(trx, botId, changes.update);
      await upsertClasses(trx, changes.add);
      if (changes.clearStale)
        await trx
          .updateTable('items')
          .set({ stale: 0 })
          .where('bot_id', '=', botId)
          .where('stale', '=', 1)
          .$if(changes.unseen.length > 0, (qb) => qb.where('asset_id', 'not in', changes.unseen))
          .execute();
      for (let i = 0; i < changes.unseen.length; i += 1000) {
        await trx
          .updateTable('items')
          .set({ stale: 1 })
          .where('bot_id', '=', botId)
          .where('asset_id', 'in', changes.unseen.slice(i, i + 1000))
          .where('stale', '=', 0)
          .execute();
      }
      await trx
        .updateTable('bots')
        .set({
          item_count: itemCount,
          inventory_refreshed_at: new Date(),
          inventory_failure: null,
          inventory_failures: 0,
        })
        .where('id', '=', botId)
        .execute();
      await outbox?.write(trx);
    });
  }

  /** A failed refresh keeps every item and marks them stale: the bot may still hold them. */
  async markStale(botId: number): Promise<void> {
    await this.db
      .updateTable('items')
      .set({ stale: 1 })
      .where('bot_id', '=', botId)
      .where('stale', '=', 0)
      .execute();
  }
}

function isCasketAttr(attributes: unknown): boolean {
  if (attributes === null || attributes === undefined) return false;
  const o = (typeof attributes === 'string' ? JSON.parse(attributes) : attributes) as { isCasket?: boolean };
  return o.isCasket === true;
}

const ER_DUP_ENTRY = 1062;

/**
 * New assets go in with a plain INSERT (cheaper than an upsert at 400k rows). An asset id that
 * already exists (a crashed refresh left it under the bot that held it before) falls back to
 * the upsert, which moves it to this bot.
 */
async function insertNew(trx: Transaction<MainDatabase>, botId: number, items: SteamItem[]): Promise<void> {
  for (let i = 0; i < items.length; i += 1000) {
    const chunk = items.slice(i, i + 1000);
    try {
      await writeRows(trx, botId, chunk, false);
    } catch (err) {
      if ((err as { errno?: number }).errno !== ER_DUP_ENTRY) throw err;
      await upsertItems(trx, botId, chunk);
    }
  }
}

/** Icons per class (the same for every asset of a class), written for the classes a refresh added. */
async function upsertClasses(trx: Transaction<MainDatabase>, items: SteamItem[]): Promise<void> {
  const icons = new Map<string, string>();
  for (const i of items)
    if (i.iconUrl && !icons.has(i.classId)) icons.set(i.classId, i.iconUrl.slice(0, 512));
  if (icons.size === 0) return;
  await trx
    .insertInto('item_classes')
    .values(
      // Sorted, so concurrent bots lock shared classes in the same order.
      [...icons]
        .sort(([a], [b]) => (BigInt(a) < BigInt(b) ? -1 : 1))
        .map(([class_id, icon_url]) => ({ class_id, icon_url })),
    )
    .onDuplicateKeyUpdate({ icon_url: sql`VALUES(icon_url)` })
    .execute();
}

async function upsertItems(trx: Transaction<MainDatabase>, botId: number, items: SteamItem[]): Promise<void> {
  for (let i = 0; i < items.length; i += 1000) {
    const chunk = items.slice(i, i + 1000);
    await writeRows(trx, botId, chunk, true);
  }
}
