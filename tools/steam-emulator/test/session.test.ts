// Bot login stand-in, cookies, token expiry (steam.md §7) and login throttling (EResult 84/87).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generateAuthCode } from '../src/confirmations/steam-totp.ts';
import { cookieHeader, json, postJson, startEmulator } from './helpers.ts';
import type { Emulator } from './helpers.ts';

interface LoginBody {
  success: boolean;
  steamid: string;
  access_token: string;
  refresh_token: string;
  access_token_expires: number;
  steamLoginSecure: string;
  sessionid: string;
  eresult?: number;
}

let emu: Emulator;
before(async () => {
  emu = await startEmulator();
});
after(() => emu.close());

function login(body: Record<string, string>) {
  return postJson(`${emu.base}/_emulator/auth/login`, body);
}

test('bot logs in with password + TOTP and gets steamLoginSecure = steamid||token', async () => {
  const bot = emu.world.bots()[0]!;
  const res = await login({
    account_name: bot.accountName,
    password: bot.password,
    two_factor_code: generateAuthCode(bot.sharedSecret, emu.world.clock.now()),
  });
  assert.equal(res.status, 200);
  const body = await json<LoginBody>(res);
  assert.equal(body.steamid, bot.steamid);
  assert.equal(decodeURIComponent(body.steamLoginSecure), `${bot.steamid}||${body.access_token}`);
  assert.ok(body.access_token_expires > emu.world.clock.now() + 23 * 3600);
  assert.match(body.sessionid, /^[0-9a-f]{24}$/);
  assert.ok(res.headers.getSetCookie().some((c) => c.startsWith('steamLoginSecure=')));

  // The cookie opens the owner-only context 16.
  const inv = await fetch(`${emu.base}/inventory/${bot.steamid}/730/16?count=10`, {
    headers: { cookie: `steamLoginSecure=${body.steamLoginSecure}` },
  });
  assert.equal(inv.status, 200);
});

test('login errors: 5 bad password, 85 missing code, 88 wrong code', async () => {
  const bot = emu.world.bots()[1]!;
  const bad = await login({ account_name: bot.accountName, password: 'nope' });
  assert.equal((await json<LoginBody>(bad)).eresult, 5);
  const missing = await login({ account_name: bot.accountName, password: bot.password });
  assert.equal((await json<LoginBody>(missing)).eresult, 85);
  const wrong = await login({
    account_name: bot.accountName,
    password: bot.password,
    two_factor_code: 'XXXXX',
  });
  assert.equal(wrong.headers.get('x-eresult'), '88');
});

test('expired access token: own inventory 403, WebAPI 403, refresh token issues a new one', async () => {
  const bot = emu.world.bots()[0]!;
  const cookie = cookieHeader(bot.steamid, bot.accessToken);
  assert.equal(
    (await fetch(`${emu.base}/inventory/${bot.steamid}/730/16?count=1`, { headers: { cookie } })).status,
    200,
  );
  await postJson(`${emu.base}/_emulator/clock/advance`, { seconds: 25 * 3600 });
  assert.equal(
    (await fetch(`${emu.base}/inventory/${bot.steamid}/730/16?count=1`, { headers: { cookie } })).status,
    403,
  );
  const api = await fetch(
    `${emu.base}/IEconService/GetInventoryItemsWithDescriptions/v1/?access_token=${bot.accessToken}&steamid=${bot.steamid}`,
  );
  assert.equal(api.status, 403);
  assert.match(await api.text(), /Access is denied/);
  assert.equal(
    emu.world.authenticate({
      cookies: { steamLoginSecure: encodeURIComponent(`${bot.steamid}||${bot.accessToken}`) },
      query: {},
    } as never).ok,
    false,
  );

  const refreshed = await json<LoginBody>(
    await postJson(`${emu.base}/_emulator/auth/refresh`, { refresh_token: bot.refreshToken }),
  );
  assert.equal(refreshed.success, true);
  const fresh = cookieHeader(bot.steamid, refreshed.access_token);
  assert.equal(
    (await fetch(`${emu.base}/inventory/${bot.steamid}/730/16?count=1`, { headers: { cookie: fresh } }))
      .status,
    200,
  );
  // The superseded token now reads as expired.
  assert.equal(
    (await fetch(`${emu.base}/inventory/${bot.steamid}/730/16?count=1`, { headers: { cookie } })).status,
    403,
  );
});

test('expire-session control call kills the session without moving the clock', async () => {
  const user = emu.world.users()[0]!;
  await fetch(`${emu.base}/_emulator/accounts/${user.steamid}/expire-session`, { method: 'POST' });
  const res = await fetch(
    `${emu.base}/tradeoffer/new/partnerinventory/?sessionid=s&partner=${emu.world.bots()[0]!.steamid}&appid=730&contextid=2`,
    {
      headers: { cookie: cookieHeader(user.steamid, user.accessToken, 's') },
    },
  );
  assert.equal(res.status, 403);
});

test('login throttling: EResult 87 per account, then 84 per IP', async () => {
  await postJson(
    `${emu.base}/_emulator/settings`,
    { loginLimits: { windowSeconds: 600, perIp: 6, perAccount: 2 } },
    'PUT',
  );
  const user = emu.world.users()[1]!;
  const results: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await json<LoginBody>(
      await login({
        account_name: user.accountName,
        password: user.password,
        two_factor_code: generateAuthCode(user.sharedSecret, emu.world.clock.now()),
      }),
    );
    results.push(r.eresult ?? 1);
  }
  assert.deepEqual(results, [1, 1, 87]);
  const more: number[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await login({ account_name: 'nobody', password: 'x' });
    more.push(Number(r.headers.get('x-eresult')));
  }
  assert.deepEqual(more, [5, 5, 5, 84]);
  await postJson(
    `${emu.base}/_emulator/settings`,
    { loginLimits: { windowSeconds: 600, perIp: 200, perAccount: 20 } },
    'PUT',
  );
});
