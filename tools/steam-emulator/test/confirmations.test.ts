// Mobile confirmations (steam.md §6): key maths against an independent implementation, key window and tags,
// needauth without a session, cancel ⇒ offer 10 CanceledBySecondFactor; the user side: a user's own phone, the
// emulator page, e-mail confirmation and trade holds without an authenticator.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import { generateAuthCode, generateConfirmationKey } from '../src/confirmations/steam-totp.ts';
import {
  advanceClock,
  controlJson,
  serverTime,
  startWithBotAndUser,
  SteamClient,
  type Harness,
} from './offers.helpers.ts';

let h: Harness;
let bot: SteamClient;
let user: SteamClient;

before(async () => ({ h, bot, user } = await startWithBotAndUser()));
after(() => h.close());

/** §6.2 written out independently: HMAC-SHA1 over the 8-byte step, dynamic truncation, 5 × mod 26. */
function referenceAuthCode(secretB64: string, time: number): string {
  const msg = Buffer.alloc(8);
  msg.writeUInt32BE(Math.floor(time / 30), 4);
  const mac = createHmac('sha1', Buffer.from(secretB64, 'base64')).update(msg).digest();
  const start = mac[19]! & 0xf;
  let n = ((mac[start]! & 0x7f) << 24) | (mac[start + 1]! << 16) | (mac[start + 2]! << 8) | mac[start + 3]!;
  const chars = '23456789BCDFGHJKMNPQRTVWXY';
  let out = '';
  for (let i = 0; i < 5; i++) {
    out += chars[n % chars.length];
    n = Math.floor(n / chars.length);
  }
  return out;
}

test('TOTP login code and confirmation key match §6.2', () => {
  const secret = Buffer.from('0123456789abcdef0123').toString('base64');
  for (const time of [0, 1_600_000_000, 1_795_000_123]) {
    assert.equal(generateAuthCode(secret, time), referenceAuthCode(secret, time));
  }
  const hex = Buffer.from('0123456789abcdef0123').toString('hex');
  assert.equal(generateAuthCode(hex, 1_700_000_000), referenceAuthCode(secret, 1_700_000_000));
  const msg = Buffer.alloc(8);
  msg.writeUInt32BE(1_700_000_000, 4);
  const expected = createHmac('sha1', Buffer.from(secret, 'base64'))
    .update(Buffer.concat([msg, Buffer.from('conf')]))
    .digest('base64');
  assert.equal(generateConfirmationKey(secret, 1_700_000_000, 'conf'), expected);
});

test('getlist: needauth without a session, refuses stale times and wrong tags', async () => {
  const t = await serverTime(h.base);
  const anon = await fetch(`${h.base}/mobileconf/getlist?a=${bot.account.steamid}&k=x&t=${t}&tag=conf`);
  assert.deepEqual(await anon.json(), { success: false, needauth: true });
  const stale = await bot.mobileconf('getlist', 'conf', t - 3600);
  assert.equal(stale['success'], false);
  assert.equal(stale['message'], 'Invalid authenticator');
  const wrongTag = await bot.mobileconf('getlist', 'allow', t);
  assert.equal(wrongTag['success'], false);
  // Someone else's steamid in `a` reads as needauth.
  const other = await fetch(
    `${h.base}/mobileconf/getlist?${new URLSearchParams({ a: bot.account.steamid, k: bot.confKey(t, 'conf'), t: String(t), tag: 'conf' }).toString()}`,
    { headers: { cookie: user.cookie } },
  );
  assert.deepEqual(await other.json(), { success: false, needauth: true });
  const ok = await bot.mobileconf('getlist', 'list', t);
  assert.deepEqual(ok, { success: true, conf: [] });
});

test('cancelling the send confirmation ends the offer as 10 CanceledBySecondFactor', async () => {
  const give = (await bot.inventory('2')).filter((i) => i.tradable).slice(0, 1);
  const sent = await bot.sendOffer({ partner: user.account, give, receive: [] });
  const id = String(sent.body['tradeofferid']);
  const t = await serverTime(h.base);
  const list = await bot.mobileconf('getlist', 'conf', t);
  const conf = (list['conf'] as Array<Record<string, string>>).find((c) => c['creator_id'] === id);
  assert.ok(conf);
  // Nonce mismatch is refused without touching the offer.
  const badNonce = await bot.mobileconf('ajaxop', 'cancel', t, { op: 'cancel', cid: conf['id']!, ck: '1' });
  assert.equal(badNonce['success'], false);
  const res = await bot.mobileconf('ajaxop', 'reject', t + 1, {
    op: 'cancel',
    cid: conf['id']!,
    ck: conf['nonce']!,
  });
  assert.deepEqual(res, { success: true });
  assert.equal((await bot.offer(id))['trade_offer_state'], 10);
  const after = await bot.mobileconf('getlist', 'conf', t);
  assert.deepEqual(after['conf'], []);
});

test('an injected EResult on /mobileconf answers in its own shape, not strError (steam.md §6.3)', async () => {
  await controlJson(h.base, 'PUT', '/_emulator/faults/mobileconf.getlist', { eresult: 20, count: 1 });
  const t = await serverTime(h.base);
  const res = await bot.mobileconf('getlist', 'conf', t);
  assert.equal(res['success'], false);
  assert.match(String(res['message']), /\(20\)$/);
  assert.equal(res['strError'], undefined);
  assert.equal((await bot.mobileconf('getlist', 'conf', t))['success'], true);
});

test('an injected EResult on accept uses the accepting sentence (steam.md §5)', async () => {
  await controlJson(h.base, 'PUT', '/_emulator/faults/tradeoffer.accept', { eresult: 16, count: 1 });
  const res = await user.acceptOffer('1', bot.account.steamid);
  assert.equal(res.status, 500);
  assert.equal(
    res.body['strError'],
    'There was an error accepting this trade offer.  Please try again later. (16)',
  );
});

test('a user giving items confirms its send on its own phone; until then the offer is 9 and the bot sees nothing', async () => {
  const give = await user.tradableItems(1);
  const sent = await user.sendOffer({ partner: bot.account, give, receive: [] });
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  assert.equal(sent.body['needs_mobile_confirmation'], true);
  assert.equal(sent.body['needs_email_confirmation'], false);
  const id = String(sent.body['tradeofferid']);
  assert.equal((await user.offer(id))['trade_offer_state'], 9);
  assert.equal((await user.offer(id))['confirmation_method'], 2);
  const received = async (): Promise<string[]> => {
    const res = await bot.webapi('GetTradeOffers', { get_received_offers: 1, active_only: 1 });
    const list = (res.body['response'] as Record<string, Array<Record<string, string>> | undefined>)[
      'trade_offers_received'
    ];
    return (list ?? []).map((o) => o['tradeofferid']!);
  };
  assert.ok(!(await received()).includes(id));
  const t = await serverTime(h.base);
  const list = await user.mobileconf('getlist', 'list', t);
  const conf = (list['conf'] as Array<Record<string, string>>).find((c) => c['creator_id'] === id);
  assert.ok(conf, JSON.stringify(list));
  const allow = await user.mobileconf('ajaxop', 'accept', t + 1, {
    op: 'allow',
    cid: conf['id']!,
    ck: conf['nonce']!,
  });
  assert.deepEqual(allow, { success: true });
  assert.equal((await user.offer(id))['trade_offer_state'], 2);
  assert.ok((await received()).includes(id));
  await user.postForm(`/tradeoffer/${id}/cancel`, { sessionid: user.sessionid });
});

test('the emulator page lets a person confirm or deny as the user', async () => {
  const give = await user.tradableItems(2);
  const ids: string[] = [];
  for (const item of give) {
    const sent = await user.sendOffer({ partner: bot.account, give: [item], receive: [] });
    ids.push(String(sent.body['tradeofferid']));
  }
  const page = await (await fetch(`${h.base}/_emulator/ui?steamid=${user.account.steamid}`)).text();
  for (const id of ids) {
    assert.match(
      page,
      new RegExp(
        `/offers/${id}/confirm"[^>]*><input type="hidden" name="ui" value="1"><button type="submit">Confirm sending \\(phone\\)`,
      ),
    );
  }
  const post = (id: string, body: string) =>
    fetch(`${h.base}/_emulator/accounts/${user.account.steamid}/offers/${id}/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      redirect: 'manual',
    });
  const confirmed = await post(ids[0]!, 'ui=1');
  assert.equal(confirmed.status, 303);
  assert.equal((await user.offer(ids[0]!))['trade_offer_state'], 2);
  await post(ids[1]!, 'ui=1&op=cancel');
  assert.equal((await user.offer(ids[1]!))['trade_offer_state'], 10);
  await user.postForm(`/tradeoffer/${ids[0]!}/cancel`, { sessionid: user.sessionid });
});

test('without an authenticator: e-mail confirmation (control API), trades held 15 days (§4.2, §4.8)', async () => {
  const other = await SteamClient.forAccount(h.base, h.world.users()[2]!.steamid);
  const removed = await controlJson(
    h.base,
    'POST',
    `/_emulator/accounts/${other.account.steamid}/authenticator`,
    {
      enabled: false,
    },
  );
  assert.equal(removed.body['identitySecret'], '');

  // Sending an item: e-mail confirmation, not on the (absent) phone.
  const [item, kept] = await other.tradableItems(2);
  const sent = await other.sendOffer({ partner: bot.account, give: [item!], receive: [] });
  assert.equal(sent.body['needs_mobile_confirmation'], false);
  assert.equal(sent.body['needs_email_confirmation'], true);
  assert.equal(sent.body['email_domain'], 'example.com');
  const id = String(sent.body['tradeofferid']);
  const offer = await other.offer(id);
  assert.equal(offer['trade_offer_state'], 9);
  assert.equal(offer['confirmation_method'], 1);
  const t = await serverTime(h.base);
  assert.deepEqual(await other.mobileconf('getlist', 'list', t), { success: false, needauth: true });
  const mailbox = await controlJson(
    h.base,
    'GET',
    `/_emulator/accounts/${other.account.steamid}/confirmations`,
  );
  assert.deepEqual(
    (mailbox.body['confirmations'] as Array<Record<string, unknown>>).map((c) => [
      c['tradeofferid'],
      c['channel'],
      c['purpose'],
    ]),
    [[id, 'email', 'send']],
  );
  const confirmPath = `/_emulator/accounts/${other.account.steamid}/offers/${id}/confirm`;
  assert.equal((await controlJson(h.base, 'POST', confirmPath)).status, 200);
  assert.equal((await other.offer(id))['trade_offer_state'], 2);
  await other.postForm(`/tradeoffer/${id}/cancel`, { sessionid: other.sessionid });

  // Denying the e-mail ends the offer as 10.
  const denied = await other.sendOffer({ partner: bot.account, give: [item!], receive: [] });
  const deniedId = String(denied.body['tradeofferid']);
  await controlJson(
    h.base,
    'POST',
    `/_emulator/accounts/${other.account.steamid}/offers/${deniedId}/confirm`,
    {
      op: 'cancel',
    },
  );
  assert.equal((await other.offer(deniedId))['trade_offer_state'], 10);

  // Its trades are held: 15 days in the hold durations and on the trade window (§4.8).
  const holds = await bot.webapi('GetTradeHoldDurations', {
    steamid_target: other.account.steamid,
    trade_offer_access_token: other.account.tradeToken,
  });
  assert.deepEqual(holds.body['response'], {
    my_escrow: { escrow_end_duration_seconds: 0 },
    their_escrow: { escrow_end_duration_seconds: 15 * 86_400 },
    both_escrow: { escrow_end_duration_seconds: 15 * 86_400 },
  });
  const window = await (
    await fetch(
      `${h.base}/tradeoffer/new/?partner=${other.account.accountId}&token=${other.account.tradeToken}`,
      {
        headers: { cookie: bot.cookie },
      },
    )
  ).text();
  assert.match(window, /var g_daysTheirEscrow = 15;/);

  // Accepting while giving an item: e-mail confirmation, then the trade goes on hold (11, status 10).
  const ask = await bot.sendOffer({ partner: other.account, give: [], receive: [kept!] });
  const askId = String(ask.body['tradeofferid']);
  const acc = await other.acceptOffer(askId, bot.account.steamid);
  assert.equal(acc.body['needs_email_confirmation'], true);
  assert.equal(acc.body['needs_mobile_confirmation'], false);
  assert.equal(acc.body['tradeid'], undefined);
  assert.equal((await other.offer(askId))['confirmation_method'], 1);
  assert.equal((await bot.offer(askId))['trade_offer_state'], 2);
  await controlJson(h.base, 'POST', `/_emulator/accounts/${other.account.steamid}/offers/${askId}/confirm`);
  const held = await bot.offer(askId);
  assert.equal(held['trade_offer_state'], 11);
  const now = await serverTime(h.base);
  assert.ok(Math.abs((held['escrow_end_date'] as number) - (now + 15 * 86_400)) <= 5);

  // A new authenticator protects its trades only after 7 days (§4.8).
  const added = await controlJson(
    h.base,
    'POST',
    `/_emulator/accounts/${other.account.steamid}/authenticator`,
    {
      enabled: true,
    },
  );
  assert.match(String(added.body['identitySecret']), /^[A-Za-z0-9+/]{27}=$/);
  const holdOf = async (): Promise<unknown> => {
    const res = await bot.webapi('GetTradeHoldDurations', {
      steamid_target: other.account.steamid,
      trade_offer_access_token: other.account.tradeToken,
    });
    return (res.body['response'] as Record<string, Record<string, number>>)['their_escrow']?.[
      'escrow_end_duration_seconds'
    ];
  };
  assert.equal(await holdOf(), 15 * 86_400);
  await advanceClock(h.base, 7 * 86_400 + 1, [bot, user, other]);
  assert.equal(await holdOf(), 0);
});
