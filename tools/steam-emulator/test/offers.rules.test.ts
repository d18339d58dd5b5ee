// Offer rules and error shapes (steam.md §4.2–§4.8, §5): tokens, CSRF, Referer, limits, vanished items, expiry,
// escrow, acknowledgement, counter, auto-policies, glitched offers, persistence.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { buildEmulatorApp } from '../src/app.ts';
import { applySnapshot, dumpWorld } from '../src/world/persistence.ts';
import { generateWorld } from '../src/world/generate.ts';
import {
  advanceClock,
  controlJson,
  SteamClient,
  startWithBotAndUser,
  type Harness,
} from './offers.helpers.ts';

let h: Harness;
let bot: SteamClient;
let user: SteamClient;
let user2: SteamClient;

before(async () => {
  ({ h, bot, user } = await startWithBotAndUser());
  user2 = await SteamClient.forAccount(h.base, h.world.users()[1]!.steamid);
});
after(() => h.close());
beforeEach(async () => {
  await controlJson(h.base, 'PUT', '/_emulator/offer-settings', { limits: { total: 30, perPartner: 5 } });
});

function strError(body: Record<string, unknown>): string {
  return String(body['strError']);
}

test('send refuses a wrong or missing trade token with EResult 15', async () => {
  const receive = await user.tradableItems(1);
  for (const token of ['WRONGTOK', null]) {
    const res = await bot.sendOffer({ partner: user.account, give: [], receive, token });
    assert.equal(res.status, 500);
    assert.equal(
      strError(res.body),
      'There was an error sending your trade offer.  Please try again later. (15)',
    );
  }
});

test('send refuses a sessionid that does not match the cookie, a missing Referer and no session', async () => {
  const receive = await user.tradableItems(1);
  const mismatch = await bot.sendOffer({
    partner: user.account,
    give: [],
    receive,
    sessionid: 'not-the-cookie',
  });
  assert.equal(mismatch.status, 401);
  const noReferer = await bot.sendOffer({ partner: user.account, give: [], receive, referer: null });
  assert.equal(noReferer.status, 500);
  assert.match(strError(noReferer.body), /\(8\)$/);
  const anon = await fetch(`${h.base}/tradeoffer/new/send`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'sessionid=x',
  });
  assert.equal(anon.status, 401);
});

test('send validates items: not owned ⇒ 26, duplicate ⇒ 8, numeric assetid ⇒ 26, untradable ⇒ 26', async () => {
  const [mine] = await bot.tradableItems(1);
  assert.ok(mine);
  const notMine = await bot.sendOffer({ partner: user.account, give: [], receive: [mine] });
  assert.match(strError(notMine.body), /\(26\)$/);
  const dup = await bot.sendOffer({ partner: user.account, give: [mine, mine], receive: [] });
  assert.match(strError(dup.body), /\(8\)$/);
  const numeric = await bot.postForm(
    '/tradeoffer/new/send',
    {
      sessionid: bot.sessionid,
      serverid: '1',
      partner: user.account.steamid,
      tradeoffermessage: '',
      json_tradeoffer: JSON.stringify({
        newversion: true,
        version: 2,
        me: {
          assets: [{ appid: 730, contextid: '2', amount: 1, assetid: Number(mine.assetid) }],
          currency: [],
          ready: false,
        },
        them: { assets: [], currency: [], ready: false },
      }),
      captcha: '',
      trade_offer_create_params: JSON.stringify({ trade_offer_access_token: user.account.tradeToken }),
    },
    { referer: `https://steamcommunity.com/tradeoffer/new/?partner=${user.account.accountId}` },
  );
  assert.match(strError(numeric.body), /\(26\)$/);
  const locked = (await bot.inventory('2')).find((i) => !i.tradable);
  if (locked !== undefined) {
    const res = await bot.sendOffer({ partner: user.account, give: [locked], receive: [] });
    assert.match(strError(res.body), /\(26\)$/);
  }
});

test('outstanding-offer limits answer EResult 25 (per partner, then total)', async () => {
  await controlJson(h.base, 'PUT', '/_emulator/offer-settings', { limits: { total: 3, perPartner: 2 } });
  const items = await user2.tradableItems(4);
  const ids: string[] = [];
  for (const item of items.slice(0, 2)) {
    const res = await bot.sendOffer({ partner: user2.account, give: [], receive: [item] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    ids.push(String(res.body['tradeofferid']));
  }
  const third = await bot.sendOffer({ partner: user2.account, give: [], receive: [items[2]!] });
  assert.equal(third.status, 500);
  assert.match(strError(third.body), /sent too many trade offers.*\(25\)$/);
  // Cancelling one frees a slot (§4.3 cancel → 6).
  const cancel = await bot.postForm(`/tradeoffer/${ids[0]}/cancel`, { sessionid: bot.sessionid });
  assert.deepEqual(cancel.body, { tradeofferid: ids[0] });
  assert.equal((await bot.offer(ids[0]!))['trade_offer_state'], 6);
  const retry = await bot.sendOffer({ partner: user2.account, give: [], receive: [items[2]!] });
  assert.equal(retry.status, 200);
  for (const id of [ids[1], String(retry.body['tradeofferid'])]) {
    await bot.postForm(`/tradeoffer/${id}/cancel`, { sessionid: bot.sessionid });
  }
});

test('an item leaving its owner turns active offers into 8 InvalidItems; accepting then fails with 26', async () => {
  const [item] = await user.tradableItems(1);
  assert.ok(item);
  const first = await bot.sendOffer({ partner: user.account, give: [], receive: [item] });
  const second = await bot.sendOffer({ partner: user.account, give: [], receive: [item] });
  const firstId = String(first.body['tradeofferid']);
  const secondId = String(second.body['tradeofferid']);
  const ok = await user.acceptConfirmed(secondId, bot.account.steamid);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  const stale = await bot.offer(firstId);
  assert.equal(stale['trade_offer_state'], 8);
  assert.equal((stale['items_to_receive'] as Array<Record<string, unknown>>)[0]?.['missing'], true);
  const res = await user.acceptOffer(firstId, bot.account.steamid);
  assert.equal(res.status, 500);
  assert.equal(
    strError(res.body),
    'There was an error accepting this trade offer.  Please try again later. (26)',
  );
});

test('offers expire after 14 days of world clock (state 5), lazily on read', async () => {
  const [item] = await user.tradableItems(1);
  const sent = await bot.sendOffer({ partner: user.account, give: [], receive: [item!] });
  const id = String(sent.body['tradeofferid']);
  assert.equal((await bot.offer(id))['trade_offer_state'], 2);
  await advanceClock(h.base, 14 * 86_400 + 1, [bot, user, user2]);
  const offer = await bot.offer(id);
  assert.equal(offer['trade_offer_state'], 5);
  const summary = await bot.webapi('GetTradeOffersSummary', { time_last_visit: 0 });
  assert.equal((summary.body['response'] as Record<string, number>)['pending_sent_count'], 0);
});

test('decline by the recipient ⇒ 7; cancel by the recipient is refused with 15', async () => {
  const [item] = await user.tradableItems(1);
  const sent = await bot.sendOffer({ partner: user.account, give: [], receive: [item!] });
  const id = String(sent.body['tradeofferid']);
  const wrong = await user.postForm(`/tradeoffer/${id}/cancel`, { sessionid: user.sessionid });
  assert.equal(wrong.status, 500);
  assert.match(strError(wrong.body), /\(15\)$/);
  const declined = await user.postForm(`/tradeoffer/${id}/decline`, { sessionid: user.sessionid });
  assert.deepEqual(declined.body, { tradeofferid: id });
  assert.equal((await bot.offer(id))['trade_offer_state'], 7);
  const again = await user.postForm(`/tradeoffer/${id}/decline`, { sessionid: user.sessionid });
  assert.match(strError(again.body), /\(11\)$/);
});

test('accepting while giving items waits for the acceptor’s mobile confirmation (multiajaxop)', async () => {
  const give = await user.tradableItems(0);
  const receive = await bot.tradableItems(1);
  const sent = await user.sendOffer({ partner: bot.account, give, receive });
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  assert.equal(sent.body['needs_mobile_confirmation'], false);
  const id = String(sent.body['tradeofferid']);
  const acc = await bot.acceptOffer(id, user.account.steamid);
  assert.equal(acc.status, 200);
  assert.equal(acc.body['needs_mobile_confirmation'], true);
  assert.equal(acc.body['tradeid'], undefined);
  assert.equal((await user.offer(id))['trade_offer_state'], 2);

  const t = (await controlJson(h.base, 'GET', '/_emulator/clock')).body['now'] as number;
  const list = await bot.mobileconf('getlist', 'conf', t);
  const conf = (list['conf'] as Array<Record<string, string>>).find((c) => c['creator_id'] === id);
  assert.ok(conf);
  const form = new URLSearchParams({
    p: 'android:x',
    a: bot.account.steamid,
    k: bot.confKey(t, 'allow'),
    t: String(t),
    m: 'react',
    tag: 'allow',
    op: 'allow',
  });
  form.append('cid[]', conf['id']!);
  form.append('ck[]', conf['nonce']!);
  const res = await fetch(`${h.base}/mobileconf/multiajaxop`, {
    method: 'POST',
    headers: { cookie: bot.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  assert.deepEqual(await res.json(), { success: true });
  // The same action key cannot be used twice (§6.4).
  const replay = await fetch(`${h.base}/mobileconf/multiajaxop`, {
    method: 'POST',
    headers: { cookie: bot.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  assert.equal(((await replay.json()) as Record<string, unknown>)['success'], false);
  const offer = await user.offer(id);
  assert.equal(offer['trade_offer_state'], 3);
  assert.match(String(offer['tradeid']), /^\d+$/);
});

test('escrow: hold durations, state 11 with escrow_end_date, delivered after the hold', async () => {
  await controlJson(h.base, 'PATCH', `/_emulator/accounts/${user2.account.steamid}`, { escrowDays: 15 });
  const holds = await bot.webapi('GetTradeHoldDurations', {
    steamid_target: user2.account.steamid,
    trade_offer_access_token: user2.account.tradeToken,
  });
  assert.deepEqual(holds.body['response'], {
    my_escrow: { escrow_end_duration_seconds: 0 },
    their_escrow: { escrow_end_duration_seconds: 1_296_000 },
    both_escrow: { escrow_end_duration_seconds: 1_296_000 },
  });
  const noToken = await bot.webapi('GetTradeHoldDurations', { steamid_target: user2.account.steamid });
  assert.deepEqual(noToken.body, { response: {} });

  const [item] = await user2.tradableItems(1);
  const sent = await bot.sendOffer({ partner: user2.account, give: [], receive: [item!] });
  const id = String(sent.body['tradeofferid']);
  const acc = await user2.acceptConfirmed(id, bot.account.steamid);
  const tradeid = String(acc.tradeid);
  let offer = await bot.offer(id);
  assert.equal(offer['trade_offer_state'], 11);
  assert.ok((offer['escrow_end_date'] as number) > 0);
  let status = await bot.webapi('GetTradeStatus', { tradeid });
  let trade = (
    (status.body['response'] as Record<string, unknown>)['trades'] as Array<Record<string, unknown>>
  )[0]!;
  assert.equal(trade['status'], 10);
  assert.ok(
    !(await user2.inventory('2')).some((i) => i.assetid === item!.assetid),
    'held item left the inventory',
  );

  await advanceClock(h.base, 15 * 86_400 + 1, [bot, user, user2]);
  offer = await bot.offer(id);
  assert.equal(offer['trade_offer_state'], 3);
  status = await bot.webapi('GetTradeStatus', { tradeid });
  trade = (
    (status.body['response'] as Record<string, unknown>)['trades'] as Array<Record<string, unknown>>
  )[0]!;
  assert.equal(trade['status'], 3);
  const got = (trade['assets_received'] as Array<Record<string, string>>)[0]!;
  assert.ok((await bot.inventory('16')).some((i) => i.assetid === got['new_assetid']));
  await controlJson(h.base, 'PATCH', `/_emulator/accounts/${user2.account.steamid}`, { escrowDays: 0 });
});

test('trade-protection acknowledgement is required once before trading (§4.3)', async () => {
  await controlJson(h.base, 'PATCH', `/_emulator/accounts/${bot.account.steamid}`, {
    tradeProtectionAcknowledged: false,
  });
  const [item] = await user.tradableItems(1);
  const refused = await bot.sendOffer({ partner: user.account, give: [], receive: [item!] });
  assert.equal(refused.status, 500);
  assert.match(strError(refused.body), /acknowledge.*\(15\)$/);
  const ack = await bot.postForm('//trade/new/acknowledge', { sessionid: bot.sessionid, message: '1' });
  assert.equal(ack.status, 200, JSON.stringify(ack.body));
  const ok = await bot.sendOffer({ partner: user.account, give: [], receive: [item!] });
  assert.equal(ok.status, 200);
  await bot.postForm(`/tradeoffer/${String(ok.body['tradeofferid'])}/cancel`, { sessionid: bot.sessionid });
});

test('reversal rolls back protected trades, shows rollback ids and restricts the account for 30 days', async () => {
  const [item] = await user2.tradableItems(1);
  const sent = await bot.sendOffer({ partner: user2.account, give: [], receive: [item!] });
  const id = String(sent.body['tradeofferid']);
  const acc = await user2.acceptConfirmed(id, bot.account.steamid);
  const tradeid = String(acc.tradeid);
  const rev = await controlJson(h.base, 'POST', `/_emulator/trades/${tradeid}/reverse`, {});
  assert.equal(rev.status, 200, JSON.stringify(rev.body));
  assert.equal(rev.body['steamid'], user2.account.steamid);

  const status = await user2.webapi('GetTradeStatus', { tradeid });
  const trade = (
    (status.body['response'] as Record<string, unknown>)['trades'] as Array<Record<string, unknown>>
  )[0]!;
  assert.equal(trade['status'], 6);
  const given = (trade['assets_given'] as Array<Record<string, string>>)[0]!;
  assert.match(given['rollback_new_assetid'] ?? '', /^\d+$/);
  assert.equal(given['rollback_new_contextid'], '2');
  assert.ok((await user2.inventory('2')).some((i) => i.assetid === given['rollback_new_assetid']));
  assert.ok(!(await bot.inventory('16')).some((i) => i.assetid === given['new_assetid']));

  // Restricted for 30 days (§4.8): sending and being sent to both fail with 15.
  const [again] = await user2.tradableItems(1);
  const blocked = await bot.sendOffer({ partner: user2.account, give: [], receive: [again!] });
  assert.match(strError(blocked.body), /not available to trade.*\(15\)$/);
  const twice = await controlJson(h.base, 'POST', `/_emulator/trades/${tradeid}/reverse`, {});
  assert.equal(twice.status, 409);
  await controlJson(h.base, 'PATCH', `/_emulator/accounts/${user2.account.steamid}`, { restrictedUntil: 0 });
});

test('control API: counter, auto-accept policy, glitched offers, summary', async () => {
  const [item] = await user.tradableItems(1);
  const sent = await bot.sendOffer({ partner: user.account, give: [], receive: [item!] });
  const id = String(sent.body['tradeofferid']);
  const counter = await controlJson(
    h.base,
    'POST',
    `/_emulator/accounts/${user.account.steamid}/offers/${id}/counter`,
    {
      message: 'how about no',
    },
  );
  assert.equal(counter.status, 200, JSON.stringify(counter.body));
  assert.equal((await bot.offer(id))['trade_offer_state'], 4);
  const counterId = String((counter.body['offer'] as Record<string, unknown>)['tradeofferid']);
  const seen = await bot.offer(counterId);
  assert.equal(seen['is_our_offer'], false);
  assert.equal(seen['trade_offer_state'], 2);

  await controlJson(h.base, 'PUT', `/_emulator/accounts/${user.account.steamid}/offer-policy`, {
    mode: 'accept',
    afterMs: 20,
  });
  const item2 = (await user.tradableItems(3)).find((i) => i.assetid !== item!.assetid);
  const auto = await bot.sendOffer({ partner: user.account, give: [], receive: [item2!] });
  const autoId = String(auto.body['tradeofferid']);
  let state = 0;
  for (let i = 0; i < 50 && state !== 3; i += 1) {
    await new Promise((r) => setTimeout(r, 20));
    state = (await bot.offer(autoId))['trade_offer_state'] as number;
  }
  assert.equal(state, 3);
  await controlJson(h.base, 'DELETE', `/_emulator/accounts/${user.account.steamid}/offer-policy`);

  await controlJson(h.base, 'PUT', '/_emulator/faults/GetTradeOffers', { glitch: true });
  const glitched = await bot.webapi('GetTradeOffers', { get_sent_offers: 1, get_received_offers: 1 });
  const resp = glitched.body['response'] as Record<string, Array<Record<string, unknown>>>;
  assert.ok((resp['trade_offers_sent'] ?? []).length > 0);
  for (const o of [...(resp['trade_offers_sent'] ?? []), ...(resp['trade_offers_received'] ?? [])]) {
    assert.deepEqual(o['items_to_give'], []);
    assert.deepEqual(o['items_to_receive'], []);
  }
  await controlJson(h.base, 'DELETE', '/_emulator/faults/GetTradeOffers');

  const summary = await bot.webapi('GetTradeOffersSummary', { time_last_visit: 0 });
  const s = summary.body['response'] as Record<string, number>;
  assert.equal(s['pending_received_count'], 1);
  assert.ok((s['historical_sent_count'] ?? 0) > 0);

  const ui = await fetch(`${h.base}/_emulator/ui?steamid=${bot.account.steamid}`);
  const html = await ui.text();
  assert.match(html, /Pending offers/);
  assert.match(html, new RegExp(`/offers/${counterId}/accept`));
});

test('GetTradeOffers filters and cursor; WebAPI auth failures are 403', async () => {
  const res = await bot.webapi('GetTradeOffers', {
    get_sent_offers: 1,
    historical_only: 1,
    time_historical_cutoff: 1,
  });
  const sent =
    (res.body['response'] as Record<string, Array<Record<string, unknown>>>)['trade_offers_sent'] ?? [];
  assert.ok(sent.length > 0);
  for (const o of sent) assert.ok(![2, 9].includes(o['trade_offer_state'] as number));
  assert.equal((res.body['response'] as Record<string, unknown>)['next_cursor'], 0);
  const denied = await fetch(`${h.base}/IEconService/GetTradeOffers/v1/?access_token=nope&get_sent_offers=1`);
  assert.equal(denied.status, 403);
  const missing = await bot.webapi('GetTradeOffer', { tradeofferid: '1' });
  assert.deepEqual(missing.body, { response: {} });
  assert.notEqual(missing.eresult, '1');
});

test('time_historical_cutoff filters only active_only=1 and historical_only=1 (§4.4, TOM getOffers(All))', async () => {
  const [item] = await user.tradableItems(1);
  const sent = await bot.sendOffer({ partner: user.account, give: [], receive: [item!] });
  const declinedId = String(sent.body['tradeofferid']);
  await user.postForm(`/tradeoffer/${declinedId}/decline`, { sessionid: user.sessionid });
  const active = await bot.sendOffer({ partner: user.account, give: [], receive: [item!] });
  const activeId = String(active.body['tradeofferid']);
  // What TOM sends for EOfferFilter.All without a cutoff: a year in the future.
  const yearAhead = Math.floor(Date.now() / 1000) + 31_536_000;
  const ids = async (filter: Record<string, number>): Promise<string[]> => {
    const res = await bot.webapi('GetTradeOffers', {
      get_sent_offers: 1,
      get_received_offers: 1,
      time_historical_cutoff: yearAhead,
      ...filter,
    });
    const r = res.body['response'] as Record<string, Array<Record<string, string>> | undefined>;
    return [...(r['trade_offers_sent'] ?? []), ...(r['trade_offers_received'] ?? [])].map(
      (o) => o['tradeofferid']!,
    );
  };
  const all = await ids({ active_only: 0, historical_only: 0 });
  assert.ok(all.includes(declinedId) && all.includes(activeId), 'All: every offer, cutoff ignored');
  const activeOnly = await ids({ active_only: 1, historical_only: 0 });
  assert.ok(activeOnly.includes(activeId) && !activeOnly.includes(declinedId));
  const historicalOnly = await ids({ active_only: 0, historical_only: 1 });
  assert.ok(!historicalOnly.includes(declinedId) && !historicalOnly.includes(activeId), 'cutoff applies');
  await bot.postForm(`/tradeoffer/${activeId}/cancel`, { sessionid: bot.sessionid });
});

test('inventory full (§8): a trade that would take an inventory past its capacity is refused with 15', async () => {
  const [wanted] = await bot.tradableItems(1);
  const [theirs] = await user2.tradableItems(1);
  const fill = (steamid: string): string[] => {
    const model = h.world.inventory(steamid, '2').list()[0]!;
    const added: string[] = [];
    for (let n = h.world.inventoryCount(steamid); n < h.world.inventoryCapacity; n += 1) {
      const assetid = h.world.nextAssetId();
      h.world.inventory(steamid, '2').add({ ...model, assetid });
      added.push(assetid);
    }
    return added;
  };
  const empty = (steamid: string, ids: string[]) => {
    for (const id of ids) h.world.inventory(steamid, '2').remove(id);
  };

  // Sending an item to a full inventory.
  const filled = fill(user2.account.steamid);
  const toFull = await bot.sendOffer({ partner: user2.account, give: [wanted!], receive: [] });
  assert.equal(toFull.status, 500);
  assert.match(String(toFull.body['strError']), /\(15\)$/);
  // A swap does not grow it: allowed even at the cap.
  const swap = await bot.sendOffer({ partner: user2.account, give: [wanted!], receive: [theirs!] });
  assert.equal(swap.status, 200, JSON.stringify(swap.body));
  await bot.postForm(`/tradeoffer/${String(swap.body['tradeofferid'])}/cancel`, { sessionid: bot.sessionid });
  empty(user2.account.steamid, filled);

  // Accepting once the acceptor filled up since the send.
  const gift = await bot.sendOffer({ partner: user2.account, give: [wanted!], receive: [] });
  const giftId = String(gift.body['tradeofferid']);
  await controlJson(h.base, 'POST', `/_emulator/accounts/${bot.account.steamid}/offers/${giftId}/confirm`);
  const refilled = fill(user2.account.steamid);
  const refused = await user2.acceptOffer(giftId, bot.account.steamid);
  assert.equal(refused.status, 500);
  assert.match(String(refused.body['strError']), /^There was an error accepting this trade offer\..*\(15\)$/);
  assert.equal((await bot.offer(giftId))['trade_offer_state'], 2);
  // The capacity is a setting: raised, the same accept goes through.
  const raised = await controlJson(h.base, 'PUT', '/_emulator/settings', { inventoryCapacity: 5000 });
  assert.equal(raised.body['inventoryCapacity'], 5000);
  const ok = await user2.acceptOffer(giftId, bot.account.steamid);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal((await bot.offer(giftId))['trade_offer_state'], 3);
  await controlJson(h.base, 'PUT', '/_emulator/settings', { inventoryCapacity: 1000 });
  empty(user2.account.steamid, refilled);
});

test('offers and trades survive a restart (persistence slices)', async () => {
  const [item] = await user.tradableItems(1);
  const sent = await bot.sendOffer({ partner: user.account, give: [], receive: [item!] });
  const id = String(sent.body['tradeofferid']);
  const snapshot = JSON.parse(JSON.stringify(dumpWorld(h.world))) as ReturnType<typeof dumpWorld>;
  const world = generateWorld(snapshot.params);
  applySnapshot(world, snapshot);
  const app = await buildEmulatorApp({ world });
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const addr = app.server.address();
    const base = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`;
    const client = await SteamClient.forAccount(base, bot.account.steamid);
    const offer = await client.offer(id);
    assert.equal(offer['trade_offer_state'], 2);
    const history = await client.webapi('GetTradeHistory', { include_total: 1 });
    assert.ok(((history.body['response'] as Record<string, number>)['total_trades'] ?? 0) > 0);
  } finally {
    await app.close();
  }
});

test('after 7 days protected receipts move to context 2, become tradable, and can no longer be reversed', async () => {
  const [item] = await user2.tradableItems(1);
  const sent = await bot.sendOffer({ partner: user2.account, give: [], receive: [item!] });
  const acc = await user2.acceptConfirmed(String(sent.body['tradeofferid']), bot.account.steamid);
  const tradeid = String(acc.tradeid);
  const status = await bot.webapi('GetTradeStatus', { tradeid });
  const trade = (
    (status.body['response'] as Record<string, unknown>)['trades'] as Array<Record<string, unknown>>
  )[0]!;
  const newId = (trade['assets_received'] as Array<Record<string, string>>)[0]!['new_assetid'];
  assert.equal(trade['time_escrow_end'], (trade['time_init'] as number) + 7 * 86_400);
  await advanceClock(h.base, 7 * 86_400 + 1, [bot, user, user2]);
  const bot2 = await bot.inventory('2');
  assert.ok(
    bot2.some((i) => i.assetid === newId && i.tradable),
    'settled item is tradable in context 2',
  );
  assert.ok(!(await bot.inventory('16')).some((i) => i.assetid === newId));
  const rev = await controlJson(h.base, 'POST', `/_emulator/trades/${tradeid}/reverse`, {});
  assert.equal(rev.status, 409);
});

test('UI form posts redirect back; decline policy; offer pages expose escrow days', async () => {
  await controlJson(h.base, 'PUT', `/_emulator/accounts/${user.account.steamid}/offer-policy`, {
    mode: 'decline',
    afterMs: 0,
  });
  const [item] = await user.tradableItems(1);
  const sent = await bot.sendOffer({ partner: user.account, give: [], receive: [item!] });
  const id = String(sent.body['tradeofferid']);
  let state = 0;
  for (let i = 0; i < 50 && state !== 7; i += 1) {
    await new Promise((r) => setTimeout(r, 10));
    state = (await bot.offer(id))['trade_offer_state'] as number;
  }
  assert.equal(state, 7);
  await controlJson(h.base, 'DELETE', `/_emulator/accounts/${user.account.steamid}/offer-policy`);

  const second = await bot.sendOffer({ partner: user.account, give: [], receive: [item!] });
  const secondId = String(second.body['tradeofferid']);
  const form = await fetch(`${h.base}/_emulator/accounts/${user.account.steamid}/offers/${secondId}/accept`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'ui=1',
    redirect: 'manual',
  });
  assert.equal(form.status, 303);
  assert.equal(form.headers.get('location'), `/_emulator/ui?steamid=${user.account.steamid}`);
  assert.equal((await bot.offer(secondId))['trade_offer_state'], 3);

  const page = await fetch(
    `${h.base}/tradeoffer/new/?partner=${user.account.accountId}&token=${user.account.tradeToken}`,
    { headers: { cookie: bot.cookie } },
  );
  const html = await page.text();
  assert.match(html, /var g_daysMyEscrow = 0;/);
  assert.match(html, /var g_daysTheirEscrow = 0;/);
  const offerPage = await fetch(`${h.base}/tradeoffer/${secondId}/`, { headers: { cookie: user.cookie } });
  assert.match(await offerPage.text(), /g_strTradePartnerPersonaName/);
});

test('community counter-offer: tradeofferid_countered, no token needed, original → 4', async () => {
  const [item] = await user.tradableItems(1);
  const sent = await bot.sendOffer({ partner: user.account, give: [], receive: [item!] });
  const id = String(sent.body['tradeofferid']);
  const counter = await user.postForm(
    '/tradeoffer/new/send',
    {
      sessionid: user.sessionid,
      serverid: '1',
      partner: bot.account.steamid,
      tradeoffermessage: 'counter',
      json_tradeoffer: JSON.stringify({
        newversion: true,
        version: 1,
        me: { assets: [], currency: [], ready: false },
        them: { assets: [], currency: [], ready: false },
      }),
      captcha: '',
      trade_offer_create_params: '{}',
      tradeofferid_countered: id,
    },
    { referer: `https://steamcommunity.com/tradeoffer/${id}/` },
  );
  // An empty counter is refused (8) and leaves the original untouched.
  assert.match(strError(counter.body), /\(8\)$/);
  assert.equal((await bot.offer(id))['trade_offer_state'], 2);
  const [botItem] = await bot.tradableItems(1);
  const ok = await user.postForm(
    '/tradeoffer/new/send',
    {
      sessionid: user.sessionid,
      serverid: '1',
      partner: bot.account.steamid,
      tradeoffermessage: 'counter',
      json_tradeoffer: JSON.stringify({
        newversion: true,
        version: 2,
        me: { assets: [], currency: [], ready: false },
        them: {
          assets: [{ appid: 730, contextid: '2', amount: 1, assetid: botItem!.assetid }],
          currency: [],
          ready: false,
        },
      }),
      captcha: '',
      trade_offer_create_params: '{}',
      tradeofferid_countered: id,
    },
    { referer: `https://steamcommunity.com/tradeoffer/${id}/` },
  );
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal((await bot.offer(id))['trade_offer_state'], 4);
  const newId = String(ok.body['tradeofferid']);
  assert.equal((await bot.offer(newId))['is_our_offer'], false);
  await user.postForm(`/tradeoffer/${newId}/cancel`, { sessionid: user.sessionid });
});

test('cancelling a held trade returns the items (trade 11 EscrowRollback, rollback ids)', async () => {
  await controlJson(h.base, 'PATCH', `/_emulator/accounts/${user2.account.steamid}`, { escrowDays: 15 });
  const [item] = await user2.tradableItems(1);
  const sent = await bot.sendOffer({ partner: user2.account, give: [], receive: [item!] });
  const id = String(sent.body['tradeofferid']);
  const tradeid = String((await user2.acceptConfirmed(id, bot.account.steamid)).tradeid);
  const res = await controlJson(h.base, 'POST', `/_emulator/trades/${tradeid}/cancel-escrow`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const status = await user2.webapi('GetTradeStatus', { tradeid });
  const trade = (
    (status.body['response'] as Record<string, unknown>)['trades'] as Array<Record<string, unknown>>
  )[0]!;
  assert.equal(trade['status'], 11);
  const given = (trade['assets_given'] as Array<Record<string, string>>)[0]!;
  assert.equal(given['new_assetid'], undefined);
  assert.ok((await user2.inventory('2')).some((i) => i.assetid === given['rollback_new_assetid']));
  assert.equal((await bot.offer(id))['trade_offer_state'], 6);
  await controlJson(h.base, 'PATCH', `/_emulator/accounts/${user2.account.steamid}`, { escrowDays: 0 });
});

test('GetTradeOffers pages with next_cursor', async () => {
  await controlJson(h.base, 'PUT', '/_emulator/offer-settings', { limits: { total: 500, perPartner: 500 } });
  const [item] = await user.tradableItems(1);
  const ids = new Set<string>();
  for (let i = 0; i < 120; i += 1) {
    const res = await bot.sendOffer({ partner: user.account, give: [], receive: [item!] });
    ids.add(String(res.body['tradeofferid']));
  }
  const seen = new Set<string>();
  let cursor = 0;
  let pages = 0;
  do {
    const res = await bot.webapi('GetTradeOffers', { get_sent_offers: 1, active_only: 1, cursor });
    const r = res.body['response'] as Record<string, unknown>;
    for (const o of r['trade_offers_sent'] as Array<Record<string, string>>) seen.add(o['tradeofferid']!);
    cursor = r['next_cursor'] as number;
    pages += 1;
  } while (cursor !== 0 && pages < 10);
  assert.ok(pages >= 2);
  for (const id of ids) assert.ok(seen.has(id));
  for (const id of ids) await bot.postForm(`/tradeoffer/${id}/cancel`, { sessionid: bot.sessionid });
});
