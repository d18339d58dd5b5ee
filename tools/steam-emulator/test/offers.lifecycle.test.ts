// The whole offer lifecycle as an outside client sees it (steam.md §4.2–§4.7, §6): send with a trade token,
// confirm via /mobileconf with an HMAC key, accept through the community POST and confirm the acceptance on the
// user's phone, read the result through IEconService and the inventory endpoint.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { serverTime, startWithBotAndUser, type Harness, type SteamClient } from './offers.helpers.ts';

let h: Harness;
let bot: SteamClient;
let user: SteamClient;

before(async () => ({ h, bot, user } = await startWithBotAndUser()));
after(() => h.close());

test('send → confirm → accept → trade with new asset ids in context 16', async () => {
  const give = await bot.tradableItems(2);
  const receive = await user.tradableItems(1);

  const sent = await bot.sendOffer({ partner: user.account, give, receive, message: 'lifecycle' });
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  const id = sent.body['tradeofferid'];
  assert.ok(typeof id === 'string' && /^\d+$/.test(id));
  assert.equal(sent.body['needs_mobile_confirmation'], true);
  assert.equal(sent.body['needs_email_confirmation'], false);

  // State 9 and invisible to the partner until confirmed (§4.5).
  let offer = await bot.offer(id);
  assert.equal(offer['trade_offer_state'], 9);
  assert.equal(offer['is_our_offer'], true);
  assert.equal(offer['accountid_other'], user.account.accountId);
  assert.equal(offer['confirmation_method'], 2);
  assert.equal((offer['expiration_time'] as number) - (offer['time_created'] as number), 1_209_600);
  const received = await user.webapi('GetTradeOffers', { get_received_offers: 1, active_only: 1 });
  assert.equal(received.eresult, '1');
  const list = (received.body['response'] as Record<string, unknown>)['trade_offers_received'] as unknown[];
  assert.equal(list.length, 0);

  // Mobile confirmation list, with a wrong key refused.
  const t = await serverTime(h.base);
  const wrong = await bot.mobileconf('getlist', 'list', t, {}, bot.confKey(t, 'details'));
  assert.equal(wrong['success'], false);
  const conflist = await bot.mobileconf('getlist', 'list', t);
  assert.equal(conflist['success'], true, JSON.stringify(conflist));
  const confs = conflist['conf'] as Array<Record<string, unknown>>;
  const conf = confs.find((c) => c['creator_id'] === id);
  assert.ok(conf, 'confirmation for the offer');
  assert.equal(conf['type'], 2);
  const details = await bot.mobileconf(`detailspage/${String(conf['id'])}`, 'details', t);
  assert.match(String(details['html']), new RegExp(`id="tradeofferid_${id}"`));

  const badAllow = await bot.mobileconf(
    'ajaxop',
    'allow',
    t + 1,
    { op: 'allow', cid: String(conf['id']), ck: String(conf['nonce']) },
    'AAAA',
  );
  assert.equal(badAllow['success'], false);
  const allow = await bot.mobileconf('ajaxop', 'allow', t + 2, {
    op: 'allow',
    cid: String(conf['id']),
    ck: String(conf['nonce']),
  });
  assert.deepEqual(allow, { success: true });
  offer = await bot.offer(id);
  assert.equal(offer['trade_offer_state'], 2);

  // The partner now sees it with sides flipped.
  const theirs = await user.offer(id);
  assert.equal(theirs['is_our_offer'], false);
  assert.equal((theirs['items_to_receive'] as unknown[]).length, 2);
  assert.equal((theirs['items_to_give'] as unknown[]).length, 1);

  // The user gives an item too, so its acceptance waits for its own phone (§4.3, §6.1).
  const accepted = await user.acceptOffer(id, bot.account.steamid);
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
  assert.equal(accepted.body['needs_mobile_confirmation'], true);
  assert.equal(accepted.body['tradeid'], undefined);
  assert.equal((await user.offer(id))['trade_offer_state'], 2);
  assert.equal((await user.offer(id))['confirmation_method'], 2, "the acceptor's own confirmation");
  const userList = await user.mobileconf('getlist', 'list', t + 3);
  const userConf = (userList['conf'] as Array<Record<string, string>>).find((c) => c['creator_id'] === id);
  assert.ok(userConf, "the acceptance is on the user's phone");
  const userAllow = await user.mobileconf('ajaxop', 'accept', t + 4, {
    op: 'allow',
    cid: userConf['id']!,
    ck: userConf['nonce']!,
  });
  assert.deepEqual(userAllow, { success: true });

  offer = await bot.offer(id);
  const tradeid = offer['tradeid'];
  assert.ok(typeof tradeid === 'string' && /^\d+$/.test(tradeid));
  assert.equal(offer['trade_offer_state'], 3);
  assert.equal(offer['tradeid'], tradeid);
  assert.equal(offer['delay_settlement'], true);
  for (const item of offer['items_to_give'] as Array<Record<string, unknown>>)
    assert.equal(item['missing'], true);

  // A second accept is a double-accept (§5: 28).
  const again = await user.acceptOffer(id, bot.account.steamid);
  assert.equal(again.status, 500);
  assert.match(String(again.body['strError']), /\(28\)$/);

  const status = await bot.webapi('GetTradeStatus', { tradeid });
  assert.equal(status.eresult, '1');
  const trade = (
    (status.body['response'] as Record<string, unknown>)['trades'] as Array<Record<string, unknown>>
  )[0];
  assert.ok(trade);
  assert.equal(trade['status'], 3);
  assert.equal(trade['steamid_other'], user.account.steamid);
  const given = trade['assets_given'] as Array<Record<string, string>>;
  const got = trade['assets_received'] as Array<Record<string, string>>;
  assert.deepEqual(given.map((a) => a['assetid']).sort(), give.map((i) => i.assetid).sort());
  assert.equal(got[0]?.['assetid'], receive[0]?.assetid);
  for (const a of [...given, ...got]) {
    assert.match(a['new_assetid'] ?? '', /^\d+$/);
    assert.notEqual(a['new_assetid'], a['assetid']);
    assert.equal(a['new_contextid'], '16');
  }

  const history = await user.webapi('GetTradeHistory', { max_trades: 10, include_total: 1 });
  const hist = history.body['response'] as Record<string, unknown>;
  const trades = hist['trades'] as Array<Record<string, unknown>>;
  assert.equal(trades[0]?.['tradeid'], tradeid);
  assert.equal(hist['total_trades'], 1);
  const userGot = trades[0]?.['assets_received'] as Array<Record<string, string>>;
  assert.deepEqual(userGot.map((a) => a['new_assetid']).sort(), given.map((a) => a['new_assetid']).sort());

  // Inventories: gone from the givers, present with the new ids in the receivers' context 16.
  const user2 = await user.inventory('2');
  const user16 = await user.inventory('16');
  const bot2 = await bot.inventory('2');
  const bot16 = await bot.inventory('16');
  assert.ok(!user2.some((i) => i.assetid === receive[0]?.assetid));
  assert.ok(!bot2.some((i) => give.some((g) => g.assetid === i.assetid)));
  for (const a of given)
    assert.ok(
      user16.some((i) => i.assetid === a['new_assetid']),
      'user got bot item in ctx 16',
    );
  assert.ok(
    bot16.some((i) => i.assetid === got[0]?.['new_assetid']),
    'bot got user item in ctx 16',
  );
  // Protected receipts are not tradable (§4.8).
  assert.ok(user16.every((i) => !i.tradable));
});
