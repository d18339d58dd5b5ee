// The relying-party checks of steam.md §1.4 as pure functions, and check_authentication
// against the emulator over HTTP.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '@platform/core';
import type { World } from '@platform/steam-emulator';
import { startEmulator, type Emulator } from '@platform/testing';
import {
  accountIdFromSteamId64,
  buildLoginUrl,
  checkAuthentication,
  parseQueryStrictly,
  parseSteamId64,
  steamId64FromAccountId,
  verifyAssertion,
} from '../src/openid.ts';

const RETURN_TO = 'https://login.site.test/auth/steam/return?state=abc';
let emulator: Emulator;
let world: World;
let provider: URL;

before(async () => {
  emulator = await startEmulator({
    seed: 3,
    bots: 1,
    itemsPerBot: 2,
    users: 2,
    userItemsMin: 1,
    userItemsMax: 2,
  });
  world = emulator.world;
  provider = new URL(`${emulator.base}/openid/login`);
});
after(() => emulator.close());

/** A genuine assertion: the emulator approves the login page request as `steamid`. */
async function assertion(steamid: string, returnTo = RETURN_TO): Promise<string> {
  await fetch(new URL('/_emulator/openid/auto', provider), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ steamid }),
  });
  const res = await fetch(
    buildLoginUrl({ providerUrl: provider, returnTo, realm: 'https://login.site.test' }),
    {
      redirect: 'manual',
    },
  );
  return new URL(res.headers.get('location') ?? '').search.slice(1);
}

const opts = { returnTo: RETURN_TO, ownParams: ['state'], nowMs: Date.now(), maxNonceAgeSeconds: 300 };

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (isAppError(err)) return String(err.details?.reason);
    throw err;
  }
  return undefined;
}

test('SteamID64 ↔ account id (steam.md §2.1)', () => {
  assert.equal(accountIdFromSteamId64('76561197960265729'), 1);
  assert.equal(steamId64FromAccountId(1), '76561197960265729');
  assert.equal(parseSteamId64('76561197960265728'), undefined, 'account 0 is not an individual');
  assert.equal(parseSteamId64('76561202255233023'), 76561202255233023n, 'the largest 32-bit account');
  assert.equal(parseSteamId64('76561202255233024'), undefined);
  assert.equal(parseSteamId64('7656119796026572a'), undefined);
  assert.throws(() => accountIdFromSteamId64('123'));
});

test('a genuine assertion passes every local check, and check_authentication confirms it once', async () => {
  const steamid = world.users()[0]!.steamid;
  const raw = await assertion(steamid);
  const verified = verifyAssertion(raw, { ...opts, nowMs: Date.now() });
  assert.equal(verified.steamId, steamid);
  assert.equal(await checkAuthentication(verified.params, { providerUrl: provider, timeoutMs: 5_000 }), true);
  // The emulator, like Steam reportedly does, refuses the same assertion twice.
  assert.equal(
    await checkAuthentication(verified.params, { providerUrl: provider, timeoutMs: 5_000 }),
    false,
  );
});

test('each local check refuses with its reason', async () => {
  const raw = await assertion(world.users()[0]!.steamid);
  const tamper = (name: string, value: string) => {
    const q = new URLSearchParams(raw);
    q.set(name, value);
    return q.toString();
  };
  const now = Date.now();
  assert.equal(
    reasonOf(() => verifyAssertion(tamper('openid.mode', 'cancel'), { ...opts, nowMs: now })),
    'cancelled',
  );
  assert.equal(
    reasonOf(() => verifyAssertion(tamper('openid.ns', 'x'), { ...opts, nowMs: now })),
    'ns',
  );
  assert.equal(
    reasonOf(() =>
      verifyAssertion(tamper('openid.op_endpoint', 'https://evil.test/'), { ...opts, nowMs: now }),
    ),
    'op_endpoint',
  );
  assert.equal(
    reasonOf(() =>
      verifyAssertion(tamper('openid.identity', 'https://steamcommunity.com/openid/id/76561197960265729'), {
        ...opts,
        nowMs: now,
      }),
    ),
    'identity_mismatch',
  );
  assert.equal(
    reasonOf(() => verifyAssertion(tamper('openid.signed', 'signed,op_endpoint'), { ...opts, nowMs: now })),
    'signed_fields',
  );
  assert.equal(
    reasonOf(() => verifyAssertion(raw, { ...opts, returnTo: `${RETURN_TO}x`, nowMs: now })),
    'return_to',
  );
  assert.equal(
    reasonOf(() => verifyAssertion(raw, { ...opts, nowMs: now + 301_000 })),
    'nonce_stale',
  );
  assert.equal(
    reasonOf(() => verifyAssertion(raw, { ...opts, nowMs: now - 301_000 })),
    'nonce_stale',
    'from the future',
  );
  assert.equal(
    reasonOf(() => verifyAssertion(`${raw}&openid.mode=id_res`, { ...opts, nowMs: now })),
    'duplicate_parameter',
  );
  assert.equal(
    reasonOf(() => verifyAssertion(`${raw}&x=1`, { ...opts, nowMs: now })),
    'unexpected_parameter',
  );
});

test('the strict query parser sees duplicates, control characters and bad encoding', () => {
  assert.deepEqual(
    [...parseQueryStrictly('a=1&b=x+y&c=%2F')],
    [
      ['a', '1'],
      ['b', 'x y'],
      ['c', '/'],
    ],
  );
  assert.equal(
    reasonOf(() => parseQueryStrictly('a=1&a=1')),
    'duplicate_parameter',
  );
  assert.equal(
    reasonOf(() => parseQueryStrictly('a%00=1')),
    'control_character',
  );
  assert.equal(
    reasonOf(() => parseQueryStrictly('a=%0d%0a')),
    'control_character',
  );
  assert.equal(
    reasonOf(() => parseQueryStrictly('a=%E0%A4%A')),
    'malformed_query',
  );
});

test('check_authentication: an unreachable provider or an HTTP error is STEAM_UNAVAILABLE', async () => {
  const params = new Map([['openid.mode', 'id_res']]);
  for (const url of ['http://127.0.0.1:1/openid/login', new URL('/nowhere', provider).href]) {
    await assert.rejects(
      checkAuthentication(params, { providerUrl: new URL(url), timeoutMs: 2_000 }),
      (err: unknown) => isAppError(err) && err.code === 'STEAM_UNAVAILABLE',
    );
  }
});
