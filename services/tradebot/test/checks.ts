// What every multi-trade test checks at the end: no trade stuck, no offer sent twice, no item
// or cent lost (the ledger, the balances against the trades' values, and Steam's inventories).
import assert from 'node:assert/strict';
import { toMinor } from '@platform/core';
import type { Fleet } from './fleet.harness.ts';

export const FINAL = ['completed', 'declined', 'expired', 'canceled', 'failed'];

export async function assertNoDuplicateOffers(f: Fleet): Promise<number> {
  const steam = await f.steamOffersOfBots();
  const refs = new Map<string, number>();
  for (const o of steam) {
    const m = /\[ref:(o\d+)\]/.exec(o.message);
    if (m?.[1]) refs.set(m[1], (refs.get(m[1]) ?? 0) + 1);
  }
  for (const [ref, n] of refs) assert.equal(n, 1, `offer ${ref} was sent ${n} times`);
  return refs.size;
}

/** Balances: funding plus the balance change of every completed trade; ledgers consistent. */
export async function assertMoney(f: Fleet, users: Array<{ userId: string; funded: bigint }>): Promise<void> {
  for (const u of users) {
    await f.assertLedger(u.userId);
    const trades = await f.db
      .selectFrom('trades')
      .select(['state', 'balance_delta'])
      .where('user_id', '=', u.userId)
      .execute();
    const expected = trades
      .filter((t) => t.state === 'completed')
      .reduce((s, t) => s + toMinor(t.balance_delta), u.funded);
    assert.equal(await f.balanceOf(u.userId), expected, `balance of user ${u.userId}`);
  }
}

/** Items: a completed trade's site items left every bot; a released one's are back on offer, on their bot. */
export async function assertItems(f: Fleet, tradeIds: string[]): Promise<void> {
  const world = f.emu.world;
  const onBot = (assetId: string) =>
    world.bots().some((b) => world.findAsset(b.steamid, assetId) !== undefined);
  for (const id of tradeIds) {
    const { state } = await f.tradeState(id);
    const items = await f.db.selectFrom('trade_items').selectAll().where('trade_id', '=', id).execute();
    for (const i of items) {
      if (i.side === 'user_receives') {
        assert.equal(
          onBot(i.asset_id),
          state !== 'completed',
          `site item ${i.asset_id} of ${state} trade ${id}`,
        );
      } else if (state === 'completed') {
        assert.ok(i.new_asset_id && onBot(i.new_asset_id), `deposited item of trade ${id} is on a bot`);
      }
    }
    const active = await f.db
      .selectFrom('reservations')
      .select('id')
      .where('trade_id', '=', id)
      .where('released_at', 'is', null)
      .execute();
    assert.equal(active.length, 0, `trade ${id} (${state}) still holds reservations`);
  }
}
