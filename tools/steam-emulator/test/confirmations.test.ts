// Mobile confirmations (steam.md §6): key maths against an independent implementation, key window and tags,
// needauth without a session, cancel ⇒ offer 10 CanceledBySecondFactor.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import { generateAuthCode, generateConfirmationKey } from '../src/confirmations/steam-totp.ts';
import {
  botAndUser,
  controlJson,
  serverTime,
  startEmulator,
  type Harness,
  type SteamClient,
} from './offers.helpers.ts';

let h: Harness;
let bot: SteamClient;
let user: SteamClient;

before(async () => {
  h = await startEmulator();
  ({ bot, user } = await botAndUser(h));
});
after(async () => {
  await h.close();
});

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
  const other = await user.mobileconf('getlist', 'conf', t);
  assert.equal(other['success'], false);
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
