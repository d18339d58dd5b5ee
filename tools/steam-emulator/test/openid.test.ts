// OpenID 2.0 provider (steam.md §1) and GetPlayerSummaries (§1.5).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import { json, postJson, startEmulator } from './helpers.ts';
import type { Emulator } from './helpers.ts';

const NS = 'http://specs.openid.net/auth/2.0';
let emu: Emulator;
before(async () => {
  emu = await startEmulator();
});
after(() => emu.close());

function loginUrl(returnTo: string): string {
  const q = new URLSearchParams({
    'openid.ns': NS,
    'openid.mode': 'checkid_setup',
    'openid.return_to': returnTo,
    'openid.realm': 'https://platform.example',
    'openid.identity': `${NS}/identifier_select`,
    'openid.claimed_id': `${NS}/identifier_select`,
  });
  return `${emu.base}/openid/login?${q.toString()}`;
}

async function assertion(steamid: string, returnTo: string): Promise<URLSearchParams> {
  await postJson(`${emu.base}/_emulator/openid/auto`, { steamid });
  const res = await fetch(loginUrl(returnTo), { redirect: 'manual' });
  assert.equal(res.status, 302);
  const location = new URL(res.headers.get('location')!);
  return location.searchParams;
}

function checkAuth(params: URLSearchParams): Promise<Response> {
  const body = new URLSearchParams(params);
  body.set('openid.mode', 'check_authentication');
  return fetch(`${emu.base}/openid/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
}

test('checkid_setup without auto-approval shows a login page', async () => {
  await postJson(`${emu.base}/_emulator/openid/auto`, { steamid: null });
  const res = await fetch(loginUrl('https://platform.example/auth/steam/return'));
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/html/);
  assert.match(await res.text(), /Sign in through Steam/);
});

test('positive assertion has the §1.2 fields and verifies once', async () => {
  const user = emu.world.users()[0]!;
  const returnTo = 'https://platform.example/auth/steam/return?state=xyz';
  const p = await assertion(user.steamid, returnTo);
  assert.equal(p.get('state'), 'xyz', 'return_to query preserved');
  assert.equal(p.get('openid.ns'), NS);
  assert.equal(p.get('openid.mode'), 'id_res');
  assert.equal(p.get('openid.op_endpoint'), 'https://steamcommunity.com/openid/login');
  assert.equal(p.get('openid.claimed_id'), `https://steamcommunity.com/openid/id/${user.steamid}`);
  assert.equal(p.get('openid.identity'), p.get('openid.claimed_id'));
  assert.equal(p.get('openid.return_to'), returnTo);
  assert.equal(p.get('openid.assoc_handle'), '1234567890');
  assert.equal(
    p.get('openid.signed'),
    'signed,op_endpoint,claimed_id,identity,return_to,response_nonce,assoc_handle',
  );
  assert.match(p.get('openid.response_nonce')!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ.+/);
  assert.equal(Buffer.from(p.get('openid.sig')!, 'base64').length, 32, 'HMAC-SHA256');

  const first = await checkAuth(p);
  assert.equal(await first.text(), `ns:${NS}\nis_valid:true\n`);
  const replay = await checkAuth(p);
  assert.match(await replay.text(), /is_valid:false/);
});

test("return_to's own query is kept byte for byte (steam.md §1.1: Steam preserves it)", async () => {
  const user = emu.world.users()[0]!;
  const returnTo = 'https://platform.example/cb?next=/a/b&x=1%202&flag';
  await postJson(`${emu.base}/_emulator/openid/auto`, { steamid: user.steamid });
  const res = await fetch(loginUrl(`${returnTo}#frag`), { redirect: 'manual' });
  assert.equal(res.status, 302);
  const location = res.headers.get('location')!;
  assert.ok(location.startsWith(`${returnTo}&openid.ns=`), location);
  assert.equal(new URL(location).searchParams.get('openid.return_to'), `${returnTo}#frag`);
  const bare = await fetch(loginUrl('https://platform.example/cb'), { redirect: 'manual' });
  assert.ok(bare.headers.get('location')!.startsWith('https://platform.example/cb?openid.ns='));
});

test('a tampered claimed_id or signature is refused', async () => {
  const [victim, attacker] = emu.world.users();
  const p = await assertion(attacker!.steamid, 'https://platform.example/r');
  const tampered = new URLSearchParams(p);
  tampered.set('openid.claimed_id', `https://steamcommunity.com/openid/id/${victim!.steamid}`);
  tampered.set('openid.identity', `https://steamcommunity.com/openid/id/${victim!.steamid}`);
  assert.match(await (await checkAuth(tampered)).text(), /is_valid:false/);
  const forged = new URLSearchParams(p);
  forged.set('openid.sig', createHmac('sha256', 'guess').update('x').digest('base64'));
  assert.match(await (await checkAuth(forged)).text(), /is_valid:false/);
  // The untouched assertion is still good (nonce not consumed by failed checks).
  assert.match(await (await checkAuth(p)).text(), /is_valid:true/);
});

test('login page form approves the picked account; cancel returns mode=cancel', async () => {
  await postJson(`${emu.base}/_emulator/openid/auto`, { steamid: null });
  const user = emu.world.users()[1]!;
  const form = new URLSearchParams({
    'openid.ns': NS,
    'openid.mode': 'checkid_setup',
    'openid.return_to': 'https://platform.example/r',
    steamid: user.steamid,
    action: 'approve',
  });
  const ok = await fetch(`${emu.base}/openid/login/_emulator_approve`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  assert.equal(ok.status, 302);
  const p = new URL(ok.headers.get('location')!).searchParams;
  assert.equal(p.get('openid.claimed_id'), `https://steamcommunity.com/openid/id/${user.steamid}`);
  form.set('action', 'cancel');
  const cancel = await fetch(`${emu.base}/openid/login/_emulator_approve`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  assert.equal(new URL(cancel.headers.get('location')!).searchParams.get('openid.mode'), 'cancel');
});

test('auto-approval cookie from /_emulator/openid/auto', async () => {
  await postJson(`${emu.base}/_emulator/openid/auto`, { steamid: null });
  const user = emu.world.users()[2]!;
  const set = await fetch(`${emu.base}/_emulator/openid/auto?steamid=${user.steamid}`);
  const cookie = set.headers.get('set-cookie')!.split(';')[0]!;
  const res = await fetch(loginUrl('https://platform.example/r'), {
    headers: { cookie },
    redirect: 'manual',
  });
  assert.equal(res.status, 302);
  assert.match(res.headers.get('location')!, new RegExp(user.steamid));
});

test('check_authentication fault answers 429 (rate-limited OpenID, steam.md §1.5)', async () => {
  const p = await assertion(emu.world.users()[0]!.steamid, 'https://platform.example/r');
  await postJson(`${emu.base}/_emulator/faults/openid.check_authentication`, { burst429: 1 }, 'PUT');
  assert.equal((await checkAuth(p)).status, 429);
  assert.match(await (await checkAuth(p)).text(), /is_valid:true/);
});

test('XRDS discovery: /openid names the OP endpoint, /openid/id/<steamid64> the signon service (§1.1)', async () => {
  const accept = { accept: 'application/xrds+xml,text/html,text/plain,*/*;q=0.9' };
  const op = await fetch(`${emu.base}/openid`, { headers: accept });
  assert.equal(op.status, 200);
  assert.match(op.headers.get('content-type') ?? '', /^application\/xrds\+xml/);
  const opDoc = await op.text();
  assert.match(opDoc, /<Type>http:\/\/specs\.openid\.net\/auth\/2\.0\/server<\/Type>/);
  assert.match(opDoc, /<URI>https:\/\/steamcommunity\.com\/openid\/login<\/URI>/);
  const claimed = await fetch(`${emu.base}/openid/id/${emu.world.users()[0]!.steamid}`, { headers: accept });
  assert.equal(claimed.status, 200);
  assert.match(claimed.headers.get('content-type') ?? '', /^application\/xrds\+xml/);
  const claimedDoc = await claimed.text();
  assert.match(claimedDoc, /<Type>http:\/\/specs\.openid\.net\/auth\/2\.0\/signon<\/Type>/);
  assert.match(claimedDoc, /<URI>https:\/\/steamcommunity\.com\/openid\/login<\/URI>/);
  assert.equal((await fetch(`${emu.base}/openid/id/not-a-steamid`)).status, 404);
});

test('the nonce is real time even after clock/advance, so a relying party still finds it fresh (§1.4 item 7)', async () => {
  await postJson(`${emu.base}/_emulator/clock/advance`, { seconds: 3 * 86_400 });
  try {
    const p = await assertion(emu.world.users()[0]!.steamid, 'https://platform.example/r');
    const stamp = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)/.exec(p.get('openid.response_nonce')!)![1]!;
    assert.ok(Math.abs(Date.parse(stamp) - Date.now()) <= 300_000, `${stamp} is within 300 s of now`);
    assert.match(await (await checkAuth(p)).text(), /is_valid:true/);
  } finally {
    await postJson(`${emu.base}/_emulator/clock/advance`, { seconds: -3 * 86_400 });
  }
});

test('GetPlayerSummaries/v2 needs a key and returns persona and avatars', async () => {
  const [a, b] = emu.world.users();
  const key = emu.world.bots()[0]!.apiKey;
  const res = await fetch(
    `${emu.base}/ISteamUser/GetPlayerSummaries/v2/?key=${key}&steamids=${a!.steamid},${b!.steamid},1`,
  );
  const body = await json<{ response: { players: Array<Record<string, string>> } }>(res);
  assert.equal(body.response.players.length, 2);
  const p = body.response.players[0]!;
  assert.equal(p['steamid'], a!.steamid);
  assert.equal(p['personaname'], a!.persona);
  for (const k of ['avatar', 'avatarmedium', 'avatarfull', 'profileurl']) assert.equal(typeof p[k], 'string');
  assert.equal(
    (await fetch(`${emu.base}/ISteamUser/GetPlayerSummaries/v2/?steamids=${a!.steamid}`)).status,
    403,
  );
});
