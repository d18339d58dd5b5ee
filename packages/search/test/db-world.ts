// Rows of the contract suite written to MySQL the way sinv and the backend write them (items,
// item_classes, bots, a trade's reservations), for adapters that load from MySQL.
import type { Kysely } from 'kysely';
import type { MainDatabase } from '@platform/db';
import { factory } from '@platform/testing';
import type { IndexRow } from '../src/index.ts';

export async function insertRows(db: Kysely<MainDatabase>, rows: IndexRow[]): Promise<void> {
  const classes = [...new Set(rows.map((r) => r.iconUrl))];
  const classOf = (icon: string) => String(9_000 + classes.indexOf(icon) + icon.length * 1000);
  await db
    .insertInto('item_classes')
    .values(classes.map((icon) => ({ class_id: classOf(icon), icon_url: icon })))
    .onDuplicateKeyUpdate({ icon_url: (eb) => eb.ref('icon_url') })
    .execute();
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('items')
      .values(
        rows.slice(i, i + 500).map((r) => ({
          asset_id: r.assetId,
          bot_id: r.botId,
          class_id: classOf(r.iconUrl),
          instance_id: '0',
          market_hash_name: r.marketHashName,
          name: r.name,
          rarity: r.rarity,
          category: r.category,
          exterior: r.exterior,
          float_value: r.floatValue,
          paint_seed: r.paintSeed,
          stickers: r.stickers.length ? JSON.stringify(r.stickers) : null,
          attributes: JSON.stringify({ typeTag: r.typeTag, ...(r.weapon ? { weapon: r.weapon } : {}) }),
          tradable_after: r.tradableAfterMs === null ? null : new Date(r.tradableAfterMs),
          tradable: r.tradable ? 1 : 0,
          first_seen_at: new Date(r.firstSeenMs),
        })),
      )
      .execute();
}

/** A pending trade of a fresh user holding reservations on these items until `untilMs`. */
export async function reserveInDb(
  db: Kysely<MainDatabase>,
  assetIds: string[],
  untilMs: number,
): Promise<string> {
  const user = await factory.user(db);
  const t = await db
    .insertInto('trades')
    .values({
      user_id: user.id,
      kind: 'withdraw',
      state: 'pending',
      idempotency_key: `k${Math.random()}`,
      user_gives_value: '0',
      user_receives_value: '0',
      balance_hold: '0',
      balance_delta: '0',
      expires_at: new Date(untilMs),
    })
    .executeTakeFirstOrThrow();
  const tradeId = String(t.insertId);
  if (assetIds.length > 0)
    await db
      .insertInto('reservations')
      .values(
        assetIds.map((asset_id) => ({ asset_id, trade_id: tradeId, reserved_until: new Date(untilMs) })),
      )
      .execute();
  return tradeId;
}

export async function releaseInDb(db: Kysely<MainDatabase>, assetIds: string[]): Promise<void> {
  if (assetIds.length === 0) return;
  await db
    .updateTable('reservations')
    .set({ released_at: new Date() })
    .where('asset_id', 'in', assetIds)
    .where('released_at', 'is', null)
    .execute();
}
