// Invariants 1 and 2 under load: 500 concurrent trade requests from 100 users over 50
// contested site items, then their offers ending concurrently in every way.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { toMinor } from '@platform/core';
import {
  assertLedgerMatches,
  createTrade,
  planOf,
  player,
  report,
  siteItems,
  startTrading,
  type Player,
  type Trading,
} from './trading.harness.ts';

let t: Trading;
before(async () => {
  t = await startTrading({
    bots: 2,
    itemsPerBot: 40,
    users: 100,
    env: { MYSQL_POOL_SIZE: '20', MYSQL_ACQUIRE_TIMEOUT_MS: '60000', RATE_LIMIT_MAX: '1000000' },
  });
});
after(() => t.close());

test('500 concurrent trades from 100 users over 50 items: one active trade per item, no negative balance, ledgers exact', async () => {
  const items = (await siteItems(t)).slice(0, 50);
  assert.equal(items.length, 50);
  const prices = new Map(items.map((i) => [i.assetId, i.price]));
  // Balances that let some trades through and refuse others (INSUFFICIENT_BALANCE too).
  const users: Player[] = [];
  for (let i = 0; i < 100; i++) users.push(await player(t, i, { balance: BigInt(randomInt(0, 60_000)) }));
  const requests = Array.from({ length: 500 }, (_, i) => {
    const user = users[i % 100]!;
    const wanted = new Set<string>();
    const n = 1 + randomInt(3);
    while (wanted.size < n) wanted.add(items[randomInt(items.length)]!.assetId);
    return { user, receive: [...wanted] };
  });
  const answers = await Promise.all(requests.map((r) => createTrade(t, r.user, { receive: r.receive })));
  const codes = new Map<string, number>();
  for (const a of answers) {
    const code = a.statusCode === 201 ? 'created' : a.json<{ error: { code: string } }>().error.code;
    codes.set(code, (codes.get(code) ?? 0) + 1);
  }
  for (const code of codes.keys())
    assert.ok(
      ['created', 'ITEM_UNAVAILABLE', 'INSUFFICIENT_BALANCE'].includes(code),
      `unexpected ${code}: ${JSON.stringify([...codes])}`,
    );
  const created = answers
    .filter((a) => a.statusCode === 201)
    .map((a) => a.json<{ id: string; receive: Array<{ assetId: string }> }>());
  assert.ok(created.length > 0 && created.length <= 50, `${created.length} trades got items`);

  const checkInvariants = async (when: string) => {
    // Invariant 1: each item in at most one active trade (and the database says so too).
    const active = await t.stores.dbs.main
      .selectFrom('reservations')
      .select(['asset_id'])
      .where('released_at', 'is', null)
      .execute();
    assert.equal(
      new Set(active.map((r) => r.asset_id)).size,
      active.length,
      `${when}: an item reserved twice`,
    );
    const live = await t.stores.dbs.main
      .selectFrom('trade_items as ti')
      .innerJoin('trades as tr', 'tr.id', 'ti.trade_id')
      .select(['ti.asset_id'])
      .where('ti.side', '=', 'user_receives')
      .where('tr.state', 'in', ['pending', 'sent', 'canceling'])
      .execute();
    assert.equal(
      new Set(live.map((r) => r.asset_id)).size,
      live.length,
      `${when}: an item in two live trades`,
    );
    // Invariant 2: no balance below zero; every ledger sums to its balance.
    const negative = await t.stores.dbs.main
      .selectFrom('balances')
      .select('user_id')
      .where('amount', '<', '0')
      .execute();
    assert.deepEqual(negative, [], when);
    for (const u of users) await assertLedgerMatches(t, u.userId);
  };
  await checkInvariants('after creation');
  // What each trade holds is exactly what its items cost.
  for (const c of created) {
    const hold = await t.stores.dbs.main
      .selectFrom('trades')
      .select('balance_hold')
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    assert.equal(
      toMinor(hold.balance_hold),
      c.receive.reduce((s, r) => s + prices.get(r.assetId)!, 0n),
    );
  }

  // Every offer ends at once, each way, some reported twice.
  await Promise.all(
    created.map(async (c, i) => {
      const plan = await planOf(t, c.id);
      await Promise.all(
        plan.offers.map(async (o, j) => {
          await report(t, `${c.id}/offers/${o.id}/intent`, { botId: o.botId });
          await report(t, `${c.id}/offers/${o.id}/sent`, { steamOfferId: String(100_000 + i * 10 + j) });
          const end = (i + j) % 3;
          const send = () =>
            end === 0
              ? report(t, `${c.id}/offers/${o.id}/accepted`, {})
              : report(t, `${c.id}/offers/${o.id}/ended`, { state: end === 1 ? 'declined' : 'expired' });
          const [first, second] = await Promise.all([send(), send()]);
          assert.deepEqual([first.statusCode, second.statusCode], [200, 200]);
        }),
      );
    }),
  );
  await checkInvariants('after settlement');
  const states = await t.stores.dbs.main
    .selectFrom('trades')
    .select('state')
    .where(
      'id',
      'in',
      created.map((c) => c.id),
    )
    .execute();
  assert.ok(
    states.every((s) => ['completed', 'declined', 'expired'].includes(s.state)),
    JSON.stringify(states),
  );
});
