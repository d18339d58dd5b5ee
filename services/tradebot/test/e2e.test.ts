// Every kind of trade and every offer outcome, end to end: the backend's API creates the trade,
// its outbox relay enqueues the job, the tradebot sends, confirms and follows the offer on the
// emulator, the emulator's user acts, and the backend settles from the tradebot's reports.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '@platform/testing';
import type { Tradebot } from '../src/index.ts';
import { startFleet, type Fleet } from './fleet.harness.ts';

let f: Fleet;
const notices: Array<{ tradeId: string; kind: string }> = [];

before(async () => {
  f = await startFleet({ bots: 2, itemsPerBot: 40, users: 12 });
  tb = await f.startTradebot();
  const sub = await f.backendCtx.bus.subscribe('trade.notice', (e) => {
    notices.push({ tradeId: e.tradeId, kind: e.kind });
  });
  stopNotices = () => sub.unsubscribe();
});
after(async () => {
  await stopNotices?.();
  await f.close();
});
let stopNotices: (() => Promise<unknown>) | undefined;
let tb: Tradebot;
const auth = { authorization: 'Bearer test-internal-token-0123456789' };

describe('trades end to end', () => {
  test('a withdrawal: the bot sends, the user accepts, the item is theirs, the balance settles', async () => {
    const p = await f.player(0, 100_000n);
    await f.autoAccept(p.steamId);
    const [item] = await f.siteItems();
    const before = await f.balanceOf(p.userId);
    const trade = await f.createTrade(p, { receive: [item!.assetId] });
    assert.equal(await f.waitFinal(trade.id), 'completed');
    // The backend settles first; the tradebot records that it reported just after.
    await eventually(async () => (await f.botOffersOf(trade.id))[0]?.reported === 'final', 15_000);
    const [offer] = await f.botOffersOf(trade.id);
    assert.equal(offer?.status, 'accepted');
    assert.match(offer.message, /verification code [A-Z0-9]{6}/);
    assert.equal(await f.balanceOf(p.userId), before - item!.price);
    await f.assertLedger(p.userId);
    // On Steam the item left the bot for the user, under a new asset id.
    assert.ok(f.emu.world.bots().every((b) => f.emu.world.findAsset(b.steamid, item!.assetId) === undefined));
    assert.equal(
      (await f.db.selectFrom('items').select('asset_id').where('asset_id', '=', item!.assetId).execute())
        .length,
      0,
    );
  });

  test('a deposit: the best healthy bot with room receives, the new asset id is reported, credit lands', async () => {
    const p = await f.player(1);
    await f.autoAccept(p.steamId);
    const [give] = await f.givable(p);
    const trade = await f.createTrade(p, { give: [give!.assetId] });
    assert.equal(await f.waitFinal(trade.id), 'completed');
    const [ti] = await f.db.selectFrom('trade_items').selectAll().where('trade_id', '=', trade.id).execute();
    assert.ok(ti?.new_asset_id, 'the new asset id of the deposited item is recorded');
    const [offer] = await f.botOffersOf(trade.id);
    const bot = f.emu.world.bots().find((b) => f.emu.world.findAsset(b.steamid, ti.new_asset_id!));
    assert.ok(bot, 'the item is on a bot under its new id');
    assert.equal(await f.balanceOf(p.userId), give!.price);
    assert.ok(offer);
    await f.assertLedger(p.userId);
    // What the user sees next is what Steam now holds: the read cached before the trade is not served.
    assert.ok(
      !(await f.givable(p)).some((i) => i.assetId === give!.assetId),
      'the deposited item has left the user’s inventory',
    );
  });

  test('a swap: one offer both ways', async () => {
    const p = await f.player(2, 50_000n);
    await f.autoAccept(p.steamId);
    const [give] = await f.givable(p);
    const [item] = await f.siteItems();
    const trade = await f.createTrade(p, { give: [give!.assetId], receive: [item!.assetId] });
    assert.equal(await f.waitFinal(trade.id), 'completed');
    const offers = await f.botOffersOf(trade.id);
    assert.equal(offers.length, 1);
    await f.assertLedger(p.userId);
  });

  test('declined: released and refunded exactly once', async () => {
    const p = await f.player(3, 100_000n);
    await f.autoAccept(p.steamId, 'decline');
    const before = await f.balanceOf(p.userId);
    const [item] = await f.siteItems();
    const trade = await f.createTrade(p, { receive: [item!.assetId] });
    assert.equal(await f.waitFinal(trade.id), 'declined');
    assert.equal(await f.balanceOf(p.userId), before);
    await f.assertLedger(p.userId);
    const again = await f.siteItems();
    assert.ok(
      again.some((i) => i.assetId === item!.assetId),
      'the item is on offer again',
    );
  });

  test('the user cancels on the site: the offer is canceled on Steam', async () => {
    const p = await f.player(6, 100_000n);
    await f.autoAccept(p.steamId, 'ignore');
    const [item] = await f.siteItems();
    const trade = await f.createTrade(p, { receive: [item!.assetId] });
    await eventually(async () => (await f.botOffersOf(trade.id))[0]?.steam_state === 2, 15_000);
    const res = await f.cancelTrade(p, trade.id);
    assert.ok(res.statusCode < 300, res.body);
    assert.equal(await f.waitFinal(trade.id), 'canceled');
    const [offer] = await f.botOffersOf(trade.id);
    const steam = (await f.steamOffersOfBots()).find((o) => o.tradeofferid === offer?.steam_offer_id);
    assert.equal(steam?.trade_offer_state, 6);
    assert.equal(offer?.notice_sent, 0, 'no notice for a cancel the user asked for');
  });

  test('canceled by someone else: released, and the user gets a security notice', async () => {
    const p = await f.player(5, 100_000n);
    await f.autoAccept(p.steamId, 'ignore');
    const [item] = await f.siteItems();
    const trade = await f.createTrade(p, { receive: [item!.assetId] });
    await eventually(async () => (await f.botOffersOf(trade.id))[0]?.steam_state === 2, 15_000);
    const [offer] = await f.botOffersOf(trade.id);
    const bot = (
      await f.db
        .selectFrom('bots')
        .select('steam_id')
        .where('id', '=', offer!.bot_id)
        .executeTakeFirstOrThrow()
    ).steam_id;
    await f.emu.control('POST', `_emulator/accounts/${bot}/offers/${offer!.steam_offer_id}/cancel`);
    assert.equal(await f.waitFinal(trade.id), 'canceled');
    const [ended] = await f.botOffersOf(trade.id);
    assert.equal(ended?.end_reason, 'canceled_elsewhere');
    assert.equal(ended?.notice_sent, 1);
    const o = await f.offersOf(trade.id);
    assert.equal(o[0]?.end_reason, 'canceled_elsewhere');
    await eventually(() =>
      notices.some((n) => n.tradeId === trade.id && n.kind === 'offer_canceled_elsewhere'),
    );
  });

  test('a partner whose trades Steam would hold (no authenticator: escrow) is refused with a reason', async () => {
    // Every fifth generated user has no mobile authenticator: Steam holds their trades 15 days.
    const p = await f.player(4, 100_000n);
    await f.autoAccept(p.steamId);
    const before = await f.balanceOf(p.userId);
    const [item] = await f.siteItems();
    const trade = await f.createTrade(p, { receive: [item!.assetId] });
    assert.equal(await f.waitFinal(trade.id), 'failed');
    const [offer] = await f.offersOf(trade.id);
    assert.equal(offer?.end_reason, 'partner_escrow');
    assert.equal(offer?.steam_offer_id, null, 'nothing was sent');
    assert.equal(await f.balanceOf(p.userId), before);
  });

  test('a blocked partner gets no offer', async () => {
    const p = await f.player(7, 100_000n);
    await f.db.insertInto('blocked_partners').values({ steam_id: p.steamId, note: 'test' }).execute();
    const [item] = await f.siteItems();
    const trade = await f.createTrade(p, { receive: [item!.assetId] });
    assert.equal(await f.waitFinal(trade.id), 'failed');
    assert.equal((await f.offersOf(trade.id))[0]?.end_reason, 'partner_blocked');
    assert.equal((await f.botOffersOf(trade.id)).length, 0);
  });

  test('the session expires mid-trade: the next Steam call logs in again and the trade completes', async () => {
    const p = await f.player(8, 100_000n);
    await f.autoAccept(p.steamId, 'ignore');
    const [item] = await f.siteItems();
    const trade = await f.createTrade(p, { receive: [item!.assetId] });
    await eventually(async () => (await f.botOffersOf(trade.id))[0]?.steam_state === 2, 15_000);
    const [offer] = await f.botOffersOf(trade.id);
    const bot = await f.db
      .selectFrom('bots')
      .select(['steam_id', 'last_login_at'])
      .where('id', '=', offer!.bot_id)
      .executeTakeFirstOrThrow();
    await f.emu.control('POST', `_emulator/accounts/${bot.steam_id}/expire-session`);
    await f.emu.control('POST', `_emulator/accounts/${p.steamId}/offers/${offer!.steam_offer_id}/accept`);
    assert.equal(await f.waitFinal(trade.id), 'completed');
    const after = await f.db
      .selectFrom('bots')
      .select('last_login_at')
      .where('id', '=', offer!.bot_id)
      .executeTakeFirstOrThrow();
    assert.ok(after.last_login_at! > bot.last_login_at!, 'the bot logged in again');
  });

  test('invalid items (the user no longer has what they offered): released', async () => {
    const p = await f.player(3);
    await f.autoAccept(p.steamId, 'ignore');
    const before = await f.balanceOf(p.userId);
    const [give] = await f.givable(p);
    const trade = await f.createTrade(p, { give: [give!.assetId] });
    await eventually(async () => (await f.botOffersOf(trade.id))[0]?.steam_state === 2, 15_000);
    f.emu.world.removeAsset(p.steamId, give!.assetId);
    assert.equal(await f.waitFinal(trade.id), 'failed');
    assert.equal((await f.offersOf(trade.id))[0]?.end_reason, 'invalid_items');
    assert.equal(await f.balanceOf(p.userId), before);
  });

  test('a counter-offer ends the offer (declined) and the bot declines the counter', async () => {
    const p = await f.player(10, 100_000n);
    await f.autoAccept(p.steamId, 'ignore');
    const [item] = await f.siteItems();
    const trade = await f.createTrade(p, { receive: [item!.assetId] });
    await eventually(async () => (await f.botOffersOf(trade.id))[0]?.steam_state === 2, 15_000);
    const [offer] = await f.botOffersOf(trade.id);
    await f.emu.control(
      'POST',
      `_emulator/accounts/${p.steamId}/offers/${offer!.steam_offer_id}/counter`,
      {},
    );
    assert.equal(await f.waitFinal(trade.id), 'declined');
    assert.equal((await f.offersOf(trade.id))[0]?.end_reason, 'countered');
  });

  test('offers not accepted before the reservation ends are canceled', async () => {
    const p = await f.player(11, 100_000n);
    await f.autoAccept(p.steamId, 'ignore');
    const [item] = await f.siteItems();
    const trade = await f.createTrade(p, { receive: [item!.assetId] });
    await eventually(async () => (await f.botOffersOf(trade.id))[0]?.steam_state === 2, 15_000);
    // The reservation's end, as the tradebot recorded it, moved to now.
    await f.db
      .updateTable('bot_offers')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('trade_id', '=', trade.id)
      .execute();
    assert.equal(await f.waitFinal(trade.id), 'expired');
    const [offer] = await f.botOffersOf(trade.id);
    const steam = (await f.steamOffersOfBots()).find((o) => o.tradeofferid === offer?.steam_offer_id);
    assert.equal(steam?.trade_offer_state, 6, 'canceled on Steam');
    assert.equal(offer?.end_reason, 'reservation_ended');
  });

  test('a reversal on Steam is found and reported: the backend unwinds the trade', async () => {
    const p = await f.player(5);
    await f.autoAccept(p.steamId);
    const [give] = await f.givable(p);
    const trade = await f.createTrade(p, { give: [give!.assetId] });
    assert.equal(await f.waitFinal(trade.id), 'completed');
    const [offer] = await f.botOffersOf(trade.id);
    // The user reverses (steam.md §4.8): the items go back, the tradebot finds it on GetTradeStatus.
    await f.emu.control('POST', `_emulator/trades/${offer!.steam_trade_id}/reverse`, { steamid: p.steamId });
    await eventually(async () => (await f.tradeState(trade.id)).state === 'reversed', 15_000);
    await f.assertLedger(p.userId);
    assert.equal((await f.botOffersOf(trade.id))[0]?.reversed, 1);
  });
});

describe('operations', () => {
  test('the internal bot API lists bots, pauses and resumes them; a paused bot gets no deposit', async () => {
    assert.equal((await tb.app.inject({ url: '/internal/v1/bots' })).statusCode, 401);
    const list = await tb.app.inject({ url: '/internal/v1/bots', headers: auth });
    assert.equal(list.statusCode, 200);
    const bots = list.json<{ bots: Array<{ id: number; status: string; heldHere: boolean; tier: string }> }>()
      .bots;
    assert.equal(bots.length, 2);
    assert.ok(bots.every((b) => b.heldHere && b.status === 'active'));
    const paused = await tb.app.inject({
      method: 'POST',
      url: `/internal/v1/bots/${bots[0]!.id}/pause`,
      headers: auth,
      payload: { reason: 'maintenance' },
    });
    assert.equal(paused.json<{ status: string }>().status, 'paused');
    const p = await f.player(11);
    await f.autoAccept(p.steamId);
    const [give] = await f.givable(p);
    const trade = await f.createTrade(p, { give: [give!.assetId] });
    assert.equal(await f.waitFinal(trade.id), 'completed');
    assert.equal(
      (await f.botOffersOf(trade.id))[0]?.bot_id,
      bots[1]!.id,
      'the deposit went to the active bot',
    );
    const resumed = await tb.app.inject({
      method: 'POST',
      url: `/internal/v1/bots/${bots[0]!.id}/resume`,
      headers: auth,
    });
    assert.equal(resumed.json<{ status: string }>().status, 'active');
    assert.equal(
      (await tb.app.inject({ method: 'POST', url: '/internal/v1/bots/999/resume', headers: auth }))
        .statusCode,
      404,
    );
  });

  test('metrics: bots by state and tier, offers by state, logins, time since the last completed trade', async () => {
    await eventually(async () => {
      const text = (await tb.app.inject({ url: '/metrics', headers: auth })).body;
      return (
        /tradebot_seconds_since_last_completed_trade\S* \d/.test(text) &&
        /tradebot_offers\{[^}]*state="accepted"/.test(text)
      );
    }, 10_000);
    const text = (await tb.app.inject({ url: '/metrics', headers: auth })).body;
    assert.match(text, /tradebot_bots\{[^}]*status="active"[^}]*tier="[a-z_]+"/);
    assert.match(text, /tradebot_logins_total\{[^}]*how="login",result="ok"/);
    assert.match(text, /tradebot_offers_sent_total\S* [1-9]/);
    assert.match(text, /tradebot_offer_outcomes_total\{[^}]*reason="canceled_elsewhere"/);
    assert.equal((await tb.app.inject({ url: '/healthz' })).statusCode, 200);
  });
});
