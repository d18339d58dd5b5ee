// The trading API end to end on real parts: each trade type carried through the tradebot's
// reports, every refusal of the contract, idempotency, cancel, settlement applied twice, every
// outcome of a two-offer swap, reversals and the reservation sweeper.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SettingsRepository } from '@platform/db';
import { SITE_DISABLED_SETTING } from '@platform/http';
import { documentationProblems, eventually } from '@platform/testing';
import { sweep } from '../src/app.ts';
import {
  assertLedgerMatches,
  balanceOf,
  createTrade,
  fund,
  givable,
  planOf,
  player,
  report,
  siteItems,
  startTrading,
  type Trading,
} from './trading.harness.ts';

let t: Trading;
before(async () => {
  t = await startTrading({ bots: 2, itemsPerBot: 40, users: 6 });
});
after(() => t.close());

interface TradeBody {
  id: string;
  type: string;
  state: string;
  giveValue: number;
  receiveValue: number;
  balanceDelta: number;
  hold: number;
  verificationCode: string;
  expiresAt: string;
  offers: Array<{ id: string; state: string; steamOfferId: string | null }>;
  give: Array<{ assetId: string; price: number }>;
  receive: Array<{ assetId: string; price: number }>;
}

let nextAsset = 9_000_000_000;
/** What the tradebot does for one offer: record the intent, send, and report how it ended. */
async function carryOut(tradeId: string, offerId: string, botId: number, end: 'accepted' | 'declined') {
  assert.equal((await report(t, `${tradeId}/offers/${offerId}/intent`, { botId })).statusCode, 200);
  const steamOfferId = String(5_000_000 + Math.floor(Math.random() * 1e9));
  assert.equal((await report(t, `${tradeId}/offers/${offerId}/sent`, { steamOfferId })).statusCode, 200);
  if (end === 'accepted') {
    const plan = await planOf(t, tradeId);
    const offer = plan.offers.find((o) => o.id === offerId)!;
    const received = offer.give.map((g, i) => ({
      assetId: g.assetId,
      newAssetId: String(nextAsset++ + i),
      newContextId: 16,
    }));
    const res = await report(t, `${tradeId}/offers/${offerId}/accepted`, {
      steamTradeId: String(nextAsset++),
      received,
    });
    assert.equal(res.statusCode, 200, res.body);
  } else {
    assert.equal(
      (await report(t, `${tradeId}/offers/${offerId}/ended`, { state: end, reason: 'user_declined' }))
        .statusCode,
      200,
    );
  }
}

async function tradeOf(p: { headers: Record<string, string> }, id: string): Promise<TradeBody> {
  const res = await t.app.inject({ url: `/api/v1/trades/${id}`, headers: p.headers });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

async function activeReservations(assetIds: string[]): Promise<number> {
  const rows = await t.stores.dbs.main
    .selectFrom('reservations')
    .select('id')
    .where('active_asset_id', 'in', assetIds)
    .execute();
  return rows.length;
}

test('a deposit: priced by the server, carried out, completed; the credit is trade-protected', async () => {
  const alice = await player(t, 0);
  const items = (await givable(t, alice)).slice(0, 2);
  assert.equal(items.length, 2, 'the user has items the site accepts');
  const res = await createTrade(t, alice, { give: items.map((i) => i.assetId) });
  assert.equal(res.statusCode, 201, res.body);
  const trade = res.json<TradeBody>();
  const value = Number(items[0]!.price + items[1]!.price);
  assert.deepEqual(
    [trade.type, trade.state, trade.giveValue, trade.receiveValue, trade.balanceDelta, trade.hold],
    ['deposit', 'pending', value, 0, value, 0],
  );
  assert.match(trade.verificationCode, /^[A-HJKMNP-Z2-9]{6}$/);
  const minutes = (Date.parse(trade.expiresAt) - Date.now()) / 60_000;
  assert.ok(minutes > 9 && minutes <= 10, `reserved ~10 minutes, got ${minutes}`);
  assert.equal(trade.offers.length, 1);
  const bot = (
    await t.stores.dbs.main.selectFrom('bots').select('id').orderBy('id').executeTakeFirstOrThrow()
  ).id;
  await carryOut(trade.id, trade.offers[0]!.id, bot, 'accepted');
  const done = await tradeOf(alice, trade.id);
  assert.equal(done.state, 'completed');
  assert.equal(done.offers[0]!.state, 'accepted');
  const balance = await t.app.inject({ url: '/api/v1/balance', headers: alice.headers });
  assert.deepEqual(
    [balance.json().amount, balance.json().protected, balance.json().currency],
    [value, value, 'USD'],
  );
  const ledger = await t.app.inject({ url: '/api/v1/balance/ledger', headers: alice.headers });
  assert.equal(ledger.json().items[0].tradeId, trade.id);
  assert.equal(ledger.json().items[0].reason, 'trade_credit');
  await assertLedgerMatches(t, alice.userId);
});

test('a withdrawal: items reserved for one trade only, the balance held, then spent on acceptance', async () => {
  const bob = await player(t, 1, { balance: 1_000_000n });
  const carol = await player(t, 2, { balance: 1_000_000n });
  const items = (await siteItems(t)).filter((i) => i.price < 200_000n);
  const wanted = [items[0]!, items.find((i) => i.botId !== items[0]!.botId)!];
  const value = wanted[0]!.price + wanted[1]!.price;
  const res = await createTrade(t, bob, { receive: wanted.map((w) => w.assetId) });
  assert.equal(res.statusCode, 201, res.body);
  const trade = res.json<TradeBody>();
  assert.deepEqual(
    [trade.type, trade.receiveValue, trade.hold, trade.balanceDelta],
    ['withdraw', Number(value), Number(value), -Number(value)],
  );
  assert.equal(trade.offers.length, 2, 'one offer per bot holding the items');
  assert.equal((await balanceOf(t, bob.userId)).amount, 1_000_000n - value);
  // The same item for someone else: refused, and nothing of carol's changed.
  const taken = await createTrade(t, carol, { receive: [wanted[0]!.assetId] });
  assert.equal(taken.statusCode, 409);
  assert.equal(taken.json().error.code, 'ITEM_UNAVAILABLE');
  assert.equal(taken.json().error.field, '/body/receive/0');
  assert.equal((await balanceOf(t, carol.userId)).amount, 1_000_000n);
  const plan = await planOf(t, trade.id);
  for (const o of plan.offers) await carryOut(trade.id, o.id, o.botId!, 'accepted');
  assert.equal((await tradeOf(bob, trade.id)).state, 'completed');
  assert.equal((await balanceOf(t, bob.userId)).amount, 1_000_000n - value);
  const left = await t.stores.dbs.main
    .selectFrom('items')
    .select('asset_id')
    .where(
      'asset_id',
      'in',
      wanted.map((w) => w.assetId),
    )
    .execute();
  assert.deepEqual(left, [], 'the items left the site inventory');
  assert.equal(await activeReservations(wanted.map((w) => w.assetId)), 0);
  await assertLedgerMatches(t, bob.userId);
});

test('a swap: the balance covers only what is received beyond what is given; a surplus is credited', async () => {
  const dave = await player(t, 3, { balance: 5_000n });
  const give = (await givable(t, dave)).sort((a, b) => (a.price > b.price ? -1 : 1))[0]!;
  const cheap = (await siteItems(t)).find((i) => i.price < give.price)!;
  const res = await createTrade(t, dave, { give: [give.assetId], receive: [cheap.assetId] });
  assert.equal(res.statusCode, 201, res.body);
  const trade = res.json<TradeBody>();
  assert.equal(trade.type, 'swap');
  assert.equal(trade.offers.length, 1, 'both ways in one offer with the bot holding the item');
  assert.equal(trade.hold, 0);
  assert.equal(trade.balanceDelta, Number(give.price - cheap.price));
  const [offer] = (await planOf(t, trade.id)).offers;
  await carryOut(trade.id, offer!.id, offer!.botId!, 'accepted');
  assert.equal((await balanceOf(t, dave.userId)).amount, 5_000n + give.price - cheap.price);
  await assertLedgerMatches(t, dave.userId);
});

test('every refusal of the contract, each a clear 4xx that changes nothing', async (t2) => {
  const eve = await player(t, 4, { balance: 100n });
  const noUrl = await player(t, 5, { tradeUrl: false });
  const before = await balanceOf(t, eve.userId);
  const reservedBefore = await t.stores.dbs.main.selectFrom('reservations').select('id').execute();
  const expensive = (await siteItems(t)).at(-1)!;
  const mine = await givable(t, eve);
  const others = await givable(t, await player(t, 0));
  const cases: Array<
    [string, Promise<{ statusCode: number; json(): { error: { code: string } } }>, number, string]
  > = [
    ['empty', createTrade(t, eve, {}), 400, 'EMPTY_TRADE'],
    [
      'too many',
      createTrade(t, eve, { receive: Array.from({ length: 51 }, (_, i) => String(1_000 + i)) }),
      400,
      'TOO_MANY_ITEMS',
    ],
    ['no trade URL', createTrade(t, noUrl, { receive: [expensive.assetId] }), 422, 'TRADE_URL_REQUIRED'],
    [
      'insufficient balance',
      createTrade(t, eve, { receive: [expensive.assetId] }),
      422,
      'INSUFFICIENT_BALANCE',
    ],
    ['not on the site', createTrade(t, eve, { receive: ['123456789'] }), 409, 'ITEM_UNAVAILABLE'],
    ['not owned', createTrade(t, eve, { give: [others[0]!.assetId] }), 422, 'ITEM_NOT_OWNED'],
    [
      'a duplicate item',
      createTrade(t, eve, { give: [mine[0]!.assetId, mine[0]!.assetId] }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'no idempotency key',
      t.app.inject({
        method: 'POST',
        url: '/api/v1/trades',
        headers: eve.headers,
        payload: { give: [mine[0]!.assetId] },
      }),
      400,
      'IDEMPOTENCY_KEY_REQUIRED',
    ],
    [
      'signed out',
      t.app.inject({
        method: 'POST',
        url: '/api/v1/trades',
        headers: { 'idempotency-key': randomUUID() },
        payload: { give: [mine[0]!.assetId] },
      }),
      401,
      'UNAUTHENTICATED',
    ],
  ];
  for (const [label, pending, status, code] of cases) {
    const res = await pending;
    assert.equal(res.statusCode, status, `${label}: ${JSON.stringify(res.json())}`);
    assert.equal(res.json().error.code, code, label);
  }
  // An item the site refuses: blocklisted.
  const blocked = mine[1]!;
  const name = (await t.app.inject({ url: '/api/v1/inventory/me', headers: eve.headers }))
    .json<{ items: Array<{ assetId: string; marketHashName: string }> }>()
    .items.find((i) => i.assetId === blocked.assetId)!.marketHashName;
  await t.stores.dbs.pricing
    .insertInto('price_blocklist')
    .values({ market_hash_name: name, reason: 'test', created_by: 'test' })
    .execute();
  t2.after(async () => {
    await t.stores.dbs.pricing.deleteFrom('price_blocklist').execute();
    await t.backend.prices.book.reload();
  });
  await t.backend.prices.book.reload();
  const refused = await createTrade(t, eve, { give: [blocked.assetId] });
  assert.equal(refused.statusCode, 422);
  assert.equal(refused.json().error.code, 'ITEM_NOT_ACCEPTED');
  assert.equal(refused.json().error.refusal, 'BLOCKLISTED');
  // Nothing changed: no balance moved, no reservation written, no trade recorded.
  assert.deepEqual(await balanceOf(t, eve.userId), before);
  assert.equal(
    (await t.stores.dbs.main.selectFrom('reservations').select('id').execute()).length,
    reservedBefore.length,
  );
  assert.equal(
    (await t.stores.dbs.main.selectFrom('trades').select('id').where('user_id', '=', eve.userId).execute())
      .length,
    0,
  );
});

test('an Idempotency-Key: the same body answers the same trade, another body is 409', async () => {
  const frank = await player(t, 0);
  const [item] = await givable(t, frank);
  const key = randomUUID();
  const first = await createTrade(t, frank, { give: [item!.assetId] }, key);
  assert.equal(first.statusCode, 201, first.body);
  // Twice more at once, as a client retrying after a timeout would.
  const [again, racing] = await Promise.all([
    createTrade(t, frank, { give: [item!.assetId] }, key),
    createTrade(t, frank, { give: [item!.assetId] }, key),
  ]);
  for (const r of [again, racing]) {
    assert.equal(r.statusCode, 201);
    assert.equal(r.json().id, first.json().id);
    assert.equal(r.headers['idempotent-replayed'], 'true');
  }
  const reused = await createTrade(t, frank, { give: [], receive: [(await siteItems(t))[0]!.assetId] }, key);
  assert.equal(reused.statusCode, 409);
  assert.equal(reused.json().error.code, 'IDEMPOTENCY_KEY_REUSED');
  await t.app.inject({
    method: 'POST',
    url: `/api/v1/trades/${first.json().id}/cancel`,
    headers: frank.headers,
  });
});

test('cancel while no offer is accepted: items released, hold returned; then no more', async () => {
  const gina = await player(t, 1);
  const balanceBefore = (await balanceOf(t, gina.userId)).amount;
  const [item] = await siteItems(t);
  const res = await createTrade(t, gina, { receive: [item!.assetId] });
  assert.equal(res.statusCode, 201, res.body);
  const trade = res.json<TradeBody>();
  assert.equal((await balanceOf(t, gina.userId)).amount, balanceBefore - item!.price);
  const canceled = await t.app.inject({
    method: 'POST',
    url: `/api/v1/trades/${trade.id}/cancel`,
    headers: gina.headers,
  });
  assert.equal(canceled.statusCode, 200, canceled.body);
  assert.equal(canceled.json().state, 'canceled');
  assert.equal((await balanceOf(t, gina.userId)).amount, balanceBefore);
  assert.equal(await activeReservations([item!.assetId]), 0);
  const again = await t.app.inject({
    method: 'POST',
    url: `/api/v1/trades/${trade.id}/cancel`,
    headers: gina.headers,
  });
  assert.equal(again.statusCode, 200, 'canceling twice is not an error');
  // Someone else's trade: not found.
  const other = await player(t, 2);
  const foreign = await t.app.inject({
    method: 'POST',
    url: `/api/v1/trades/${trade.id}/cancel`,
    headers: other.headers,
  });
  assert.equal(foreign.statusCode, 404);

  // With an offer sent: the trade waits for the tradebot to cancel it on Steam; once accepted, no cancel.
  const [next] = await siteItems(t);
  const sent = (await createTrade(t, gina, { receive: [next!.assetId] })).json<TradeBody>();
  const [offer] = (await planOf(t, sent.id)).offers;
  await report(t, `${sent.id}/offers/${offer!.id}/intent`, { botId: offer!.botId });
  await report(t, `${sent.id}/offers/${offer!.id}/sent`, { steamOfferId: '880001' });
  const cancel = await t.app.inject({
    method: 'POST',
    url: `/api/v1/trades/${sent.id}/cancel`,
    headers: gina.headers,
  });
  assert.equal(cancel.json().state, 'canceling');
  await eventually(async () =>
    (await t.ctx.bus.queue('trade-execution').getJobs(['waiting', 'prioritized'])).some(
      (j) => j.name === 'cancel-trade' && (j.data as { tradeId: string }).tradeId === sent.id,
    ),
  );
  // The user accepted just before Steam canceled it: the offer settles; the trade completes.
  await report(t, `${sent.id}/offers/${offer!.id}/accepted`, { steamTradeId: '990001' });
  assert.equal((await tradeOf(gina, sent.id)).state, 'completed');
  const late = await t.app.inject({
    method: 'POST',
    url: `/api/v1/trades/${sent.id}/cancel`,
    headers: gina.headers,
  });
  assert.equal(late.statusCode, 409);
  assert.equal(late.json().error.code, 'TRADE_NOT_CANCELABLE');
  await assertLedgerMatches(t, gina.userId);
});

test('a settlement applied twice, or twice at once, changes nothing the second time', async () => {
  const hank = await player(t, 3, { balance: 500_000n });
  const [item] = await siteItems(t);
  const trade = (await createTrade(t, hank, { receive: [item!.assetId] })).json<TradeBody>();
  const [offer] = (await planOf(t, trade.id)).offers;
  await report(t, `${trade.id}/offers/${offer!.id}/intent`, { botId: offer!.botId });
  await report(t, `${trade.id}/offers/${offer!.id}/sent`, { steamOfferId: '770001' });
  const before = await balanceOf(t, hank.userId);
  const results = await Promise.all(
    [1, 2, 3].map(() => report(t, `${trade.id}/offers/${offer!.id}/ended`, { state: 'declined' })),
  );
  assert.deepEqual(
    results.map((r) => r.statusCode),
    [200, 200, 200],
  );
  const after1 = await balanceOf(t, hank.userId);
  assert.equal(after1.amount, before.amount + item!.price, 'the hold came back once');
  assert.equal(
    (await report(t, `${trade.id}/offers/${offer!.id}/ended`, { state: 'declined' })).statusCode,
    200,
  );
  assert.deepEqual(await balanceOf(t, hank.userId), after1);
  // An accepted report for an offer already declined is a conflict, not a second settlement.
  const conflict = await report(t, `${trade.id}/offers/${offer!.id}/accepted`, {});
  assert.equal(conflict.statusCode, 409);
  assert.equal((await tradeOf(hank, trade.id)).state, 'declined');
  await assertLedgerMatches(t, hank.userId);
});

test('every combination of the outcomes of a two-offer swap keeps the balance exact', async () => {
  const ivan = await player(t, 4, { balance: 1_000_000n });
  for (const [a, b] of [
    ['accepted', 'accepted'],
    ['accepted', 'declined'],
    ['declined', 'accepted'],
    ['declined', 'declined'],
  ] as const) {
    const give = (await givable(t, ivan))[0]!;
    const items = await siteItems(t);
    const one = items[0]!;
    const two = items.find((i) => i.botId !== one.botId)!;
    const before = await balanceOf(t, ivan.userId);
    const res = await createTrade(t, ivan, { give: [give.assetId], receive: [one.assetId, two.assetId] });
    assert.equal(res.statusCode, 201, res.body);
    const trade = res.json<TradeBody>();
    const plan = await planOf(t, trade.id);
    assert.equal(plan.offers.length, 2);
    const outcomes = [a, b];
    let exchanged = 0n;
    for (const [i, o] of plan.offers.entries()) {
      await carryOut(trade.id, o.id, o.botId!, outcomes[i]!);
      if (outcomes[i] === 'accepted') {
        const g = o.give.length ? give.price : 0n;
        const r = o.receive.reduce((s, x) => s + [one, two].find((y) => y.assetId === x.assetId)!.price, 0n);
        exchanged += g - r;
      }
    }
    const after = await balanceOf(t, ivan.userId);
    assert.equal(after.amount, before.amount + exchanged, `${a}/${b}`);
    assert.ok(after.amount >= 0n);
    const view = await tradeOf(ivan, trade.id);
    assert.equal(view.state, a === 'accepted' || b === 'accepted' ? 'completed' : 'declined', `${a}/${b}`);
    // Items of declined offers are back on offer; those of accepted ones left.
    for (const [i, o] of plan.offers.entries()) {
      const ids = o.receive.map((r) => r.assetId);
      const present = await t.stores.dbs.main
        .selectFrom('items')
        .select('asset_id')
        .where('asset_id', 'in', ids)
        .execute();
      assert.equal(present.length, outcomes[i] === 'accepted' ? 0 : ids.length, `${a}/${b} offer ${i}`);
      assert.equal(await activeReservations(ids), 0);
    }
  }
  await assertLedgerMatches(t, ivan.userId);
});

test('a reversed deposit takes back its protected credit; what was spent becomes debt that blocks withdrawals', async () => {
  const judy = await player(t, 5, { tradeUrl: true });
  await t.stores.dbs.main
    .updateTable('users')
    .set({
      trade_partner_id: t.emu.world.users()[5]!.accountId,
      trade_token: t.emu.world.users()[5]!.tradeToken,
    })
    .where('id', '=', judy.userId)
    .execute();
  const [item] = await givable(t, judy);
  const deposit = (await createTrade(t, judy, { give: [item!.assetId] })).json<TradeBody>();
  const bot = (
    await t.stores.dbs.main.selectFrom('bots').select('id').orderBy('id').executeTakeFirstOrThrow()
  ).id;
  await carryOut(deposit.id, deposit.offers[0]!.id, bot, 'accepted');
  const credit = item!.price;
  assert.equal((await balanceOf(t, judy.userId)).amount, credit);
  // Protected credit may buy items (docs/decisions/0006): spend most of it.
  const cheap = (await siteItems(t)).filter((i) => i.price <= credit).at(-1)!;
  const spend = (await createTrade(t, judy, { receive: [cheap.assetId] })).json<TradeBody>();
  const [offer] = (await planOf(t, spend.id)).offers;
  await carryOut(spend.id, offer!.id, offer!.botId!, 'accepted');
  const left = credit - cheap.price;
  assert.equal((await balanceOf(t, judy.userId)).amount, left);
  // Steam reverses the deposit.
  const rev = await report(t, `${deposit.id}/reversed`);
  assert.equal(rev.statusCode, 200, rev.body);
  assert.equal((await tradeOf(judy, deposit.id)).state, 'reversed');
  const after = await balanceOf(t, judy.userId);
  assert.deepEqual(after, { amount: 0n, debt: cheap.price });
  const view = (await t.app.inject({ url: '/api/v1/balance', headers: judy.headers })).json();
  assert.deepEqual([view.amount, view.protected, view.debt], [0, 0, Number(cheap.price)]);
  // Twice: nothing more.
  assert.equal((await report(t, `${deposit.id}/reversed`)).statusCode, 200);
  assert.deepEqual(await balanceOf(t, judy.userId), after);
  // Withdrawals wait until the debt is settled.
  const blocked = await createTrade(t, judy, { receive: [(await siteItems(t))[0]!.assetId] });
  assert.equal(blocked.statusCode, 403);
  assert.equal(blocked.json().error.code, 'ACCOUNT_IN_DEBT');
  // A credit repays the debt first.
  await fund(t, judy.userId, cheap.price + 10n);
  assert.deepEqual(await balanceOf(t, judy.userId), { amount: 10n, debt: 0n });
  await assertLedgerMatches(t, judy.userId);
});

test('a reversed withdrawal returns the value to the balance', async () => {
  const kim = await player(t, 2, { balance: 300_000n });
  const [item] = await siteItems(t);
  const trade = (await createTrade(t, kim, { receive: [item!.assetId] })).json<TradeBody>();
  const [offer] = (await planOf(t, trade.id)).offers;
  await carryOut(trade.id, offer!.id, offer!.botId!, 'accepted');
  const before = await balanceOf(t, kim.userId);
  assert.equal((await report(t, `${trade.id}/reversed`)).statusCode, 200);
  assert.equal((await balanceOf(t, kim.userId)).amount, before.amount + item!.price);
  const jobs = await t.ctx.bus.queue('inventory-refresh').getJobs(['waiting', 'prioritized', 'delayed']);
  assert.ok(
    jobs.some((j) => (j.data as { botId: number }).botId === offer!.botId),
    'sinv re-reads the bot the items came back to',
  );
  await assertLedgerMatches(t, kim.userId);
});

test('the sweeper: a reservation that ran out ends its trade (at once, or once its offers are canceled)', async () => {
  const leo = await player(t, 3);
  const items = await siteItems(t);
  const idle = (await createTrade(t, leo, { receive: [items[0]!.assetId] })).json<TradeBody>();
  const sent = (await createTrade(t, leo, { receive: [items[1]!.assetId] })).json<TradeBody>();
  const [offer] = (await planOf(t, sent.id)).offers;
  await report(t, `${sent.id}/offers/${offer!.id}/intent`, { botId: offer!.botId });
  await report(t, `${sent.id}/offers/${offer!.id}/sent`, { steamOfferId: '660001' });
  const before = await balanceOf(t, leo.userId);
  await t.stores.dbs.main
    .updateTable('trades')
    .set({ expires_at: new Date(Date.now() - 1000) })
    .where('id', 'in', [idle.id, sent.id])
    .execute();
  assert.equal(await sweep(t.backend.settlement), 2);
  assert.equal((await tradeOf(leo, idle.id)).state, 'expired');
  assert.equal(await activeReservations([items[0]!.assetId]), 0);
  assert.equal(
    (await tradeOf(leo, sent.id)).state,
    'canceling',
    'its offer is live on Steam: the tradebot cancels it',
  );
  assert.equal(await activeReservations([items[1]!.assetId]), 1);
  await report(t, `${sent.id}/offers/${offer!.id}/ended`, { state: 'canceled', reason: 'expired' });
  assert.equal((await tradeOf(leo, sent.id)).state, 'expired');
  assert.equal((await balanceOf(t, leo.userId)).amount, before.amount + items[0]!.price + items[1]!.price);
  assert.equal(await sweep(t.backend.settlement), 0);
  await assertLedgerMatches(t, leo.userId);
});

test('the site-disable switch refuses new trades; reads and cancels go on', async (t2) => {
  const mia = await player(t, 0);
  const settings = new SettingsRepository(t.stores.dbs.main);
  await settings.set(SITE_DISABLED_SETTING, true, 'test');
  t.ctx.siteSwitch.invalidate();
  t2.after(async () => {
    await settings.set(SITE_DISABLED_SETTING, false, 'test');
    t.ctx.siteSwitch.invalidate();
  });
  const refused = await createTrade(t, mia, {
    give: [(await givable(t, mia).catch(() => [{ assetId: '1' }]))[0]!.assetId],
  });
  assert.equal(refused.statusCode, 503);
  assert.equal(refused.json().error.code, 'SITE_DISABLED');
  assert.equal((await t.app.inject({ url: '/api/v1/trades', headers: mia.headers })).statusCode, 200);
  assert.equal((await t.app.inject({ url: '/api/v1/balance', headers: mia.headers })).statusCode, 200);
});

test('trade history: newest first, cursor pages', async () => {
  const alice = await player(t, 0);
  const all = (await t.app.inject({ url: '/api/v1/trades?limit=100', headers: alice.headers })).json();
  assert.ok(all.items.length >= 2);
  const first = (await t.app.inject({ url: '/api/v1/trades?limit=1', headers: alice.headers })).json();
  assert.equal(first.items[0].id, all.items[0].id);
  const second = (
    await t.app.inject({ url: `/api/v1/trades?limit=1&cursor=${first.nextCursor}`, headers: alice.headers })
  ).json();
  assert.equal(second.items[0].id, all.items[1].id);
  const ids = (all.items as Array<{ id: string }>).map((i) => BigInt(i.id));
  assert.deepEqual(
    ids,
    [...ids].sort((a: bigint, b: bigint) => (a > b ? -1 : 1)),
  );
});

test('the outbox: trade and balance events reach the bus, each once per change', async () => {
  const seen: string[] = [];
  const sub = await t.ctx.bus.subscribe('trade.updated', (e) => {
    seen.push(`${e.tradeId}:${e.version}:${(e.trade as { state: string }).state}`);
  });
  const nina = await player(t, 1);
  const [item] = await siteItems(t);
  const trade = (await createTrade(t, nina, { receive: [item!.assetId] })).json<TradeBody>();
  await t.app.inject({ method: 'POST', url: `/api/v1/trades/${trade.id}/cancel`, headers: nina.headers });
  await eventually(() => seen.filter((s) => s.startsWith(`${trade.id}:`)).length >= 2);
  await sub.unsubscribe();
  const mine = seen.filter((s) => s.startsWith(`${trade.id}:`));
  assert.deepEqual(
    mine.map((s) => s.split(':')[2]),
    ['pending', 'canceled'],
    'in order',
  );
  await eventually(
    async () =>
      (await t.stores.dbs.main.selectFrom('outbox').select('id').where('published_at', 'is', null).execute())
        .length === 0,
  );
});

test('every route is described and served at /docs', async () => {
  assert.deepEqual(await documentationProblems(t.app), []);
});
