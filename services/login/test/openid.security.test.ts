// Every attack on Steam OpenID that steam.md §1.4–1.5 lists, each refused with its code.
// Valid assertions come from the emulator (auto-approval); each row then tampers with one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '@platform/observability';
import { captureLogs } from '@platform/testing';
import type { LoginConfig } from '../src/config.ts';
import {
  finish,
  harvestCallback,
  loginApp,
  startEmulator,
  startStores,
  type Emulator,
  type Stores,
} from './helpers.ts';

let emulator: Emulator;
let stores: Stores;
let app: FastifyInstance;
let config: LoginConfig;
let alice: string;
let bob: string;

before(async () => {
  emulator = await startEmulator();
  stores = await startStores();
  ({ app, config } = await loginApp(stores, emulator));
  const users = emulator.world.users();
  alice = users[0]!.steamid;
  bob = users[1]!.steamid;
});
after(async () => {
  await app.close();
  await emulator.close();
  await stores.close();
});

/** Sets (or with `null` deletes) one parameter of a callback, keeping the rest as Steam sent them. */
function withParam(callback: URL, name: string, value: string | null): URL {
  const url = new URL(callback);
  if (value === null) url.searchParams.delete(name);
  else url.searchParams.set(name, value);
  return url;
}

function appendRaw(callback: URL, raw: string): string {
  return `${callback.pathname}${callback.search}&${raw}`;
}

const claimed = (id: string) => `https://steamcommunity.com/openid/id/${id}`;

interface Row {
  name: string;
  code: string;
  reason?: string;
  tamper: (callback: URL) => URL | string;
}

const rows: Row[] = [
  {
    name: 'forged signature',
    code: 'OPENID_NOT_CONFIRMED',
    tamper: (c) => withParam(c, 'openid.sig', randomBytes(32).toString('base64')),
  },
  {
    name: 'a tampered signed field (claimed_id and identity swapped to another account)',
    code: 'OPENID_NOT_CONFIRMED',
    tamper: (c) =>
      withParam(withParam(c, 'openid.claimed_id', claimed(bob)), 'openid.identity', claimed(bob)),
  },
  {
    name: 'a tampered signed field (response_nonce)',
    code: 'OPENID_NOT_CONFIRMED',
    tamper: (c) =>
      withParam(
        c,
        'openid.response_nonce',
        `${new Date().toISOString().slice(0, 19)}Z${randomBytes(8).toString('hex')}`,
      ),
  },
  {
    name: 'claimed_id not signed',
    code: 'OPENID_ASSERTION_INVALID',
    reason: 'signed_fields',
    tamper: (c) =>
      withParam(c, 'openid.signed', 'signed,op_endpoint,identity,return_to,response_nonce,assoc_handle'),
  },
  {
    name: 'signed list with a field twice',
    code: 'OPENID_ASSERTION_INVALID',
    reason: 'signed_fields',
    tamper: (c) =>
      withParam(
        c,
        'openid.signed',
        'signed,op_endpoint,claimed_id,claimed_id,return_to,response_nonce,assoc_handle',
      ),
  },
  {
    name: 'claimed_id differs from identity',
    code: 'OPENID_ASSERTION_INVALID',
    reason: 'identity_mismatch',
    tamper: (c) => withParam(c, 'openid.identity', claimed(bob)),
  },
  {
    name: 'an http:// claimed_id (the 2023 takeover shape)',
    code: 'OPENID_ASSERTION_INVALID',
    reason: 'claimed_id',
    tamper: (c) => {
      const id = `http://steamcommunity.com/openid/id/${alice}`;
      return withParam(withParam(c, 'openid.claimed_id', id), 'openid.identity', id);
    },
  },
  {
    name: 'a claimed_id on another host',
    code: 'OPENID_ASSERTION_INVALID',
    reason: 'claimed_id',
    tamper: (c) => {
      const id = `https://steamcommunity.com.evil.test/openid/id/${alice}`;
      return withParam(withParam(c, 'openid.claimed_id', id), 'openid.identity', id);
    },
  },
  {
    name: 'a claimed_id that is not an individual SteamID64',
    code: 'OPENID_ASSERTION_INVALID',
    reason: 'claimed_id',
    tamper: (c) => {
      const id = claimed('76561197960265728');
      return withParam(withParam(c, 'openid.claimed_id', id), 'openid.identity', id);
    },
  },
  {
    name: 'wrong op_endpoint',
    code: 'OPENID_ASSERTION_INVALID',
    reason: 'op_endpoint',
    tamper: (c) => withParam(c, 'openid.op_endpoint', 'https://evil.test/openid/login'),
  },
  {
    name: 'wrong ns',
    code: 'OPENID_ASSERTION_INVALID',
    reason: 'ns',
    tamper: (c) => withParam(c, 'openid.ns', 'http://openid.net/signon/1.1'),
  },
  {
    name: 'mode other than id_res',
    code: 'OPENID_ASSERTION_INVALID',
    reason: 'mode',
    tamper: (c) => withParam(c, 'openid.mode', 'checkid_setup'),
  },
  {
    name: 'the person cancelled at Steam',
    code: 'LOGIN_CANCELLED',
    tamper: (c) => withParam(c, 'openid.mode', 'cancel'),
  },
  {
    name: 'signature missing',
    code: 'OPENID_ASSERTION_INVALID',
    reason: 'missing_parameter',
    tamper: (c) => withParam(c, 'openid.sig', null),
  },
  {
    name: 'a return_to other than ours (same state)',
    code: 'OPENID_ASSERTION_INVALID',
    reason: 'return_to',
    tamper: (c) =>
      withParam(
        c,
        'openid.return_to',
        `https://login.site.test.evil.test/auth/steam/return${c.search.slice(0, 50)}`,
      ),
  },
  {
    name: 'a nonce without its timestamp',
    code: 'OPENID_NONCE_INVALID',
    reason: 'nonce_malformed',
    tamper: (c) => withParam(c, 'openid.response_nonce', 'yesterday'),
  },
  {
    name: 'duplicate openid.claimed_id',
    code: 'OPENID_ASSERTION_INVALID',
    reason: 'duplicate_parameter',
    tamper: (c) => appendRaw(c, `openid.claimed_id=${encodeURIComponent(claimed(bob))}`),
  },
  {
    name: 'duplicate openid.sig with the same value',
    code: 'OPENID_ASSERTION_INVALID',
    reason: 'duplicate_parameter',
    tamper: (c) => appendRaw(c, `openid.sig=${encodeURIComponent(c.searchParams.get('openid.sig') ?? '')}`),
  },
  {
    name: 'duplicate openid.mode spelled with a percent-encoded dot',
    code: 'OPENID_ASSERTION_INVALID',
    reason: 'duplicate_parameter',
    tamper: (c) => appendRaw(c, 'openid%2emode=id_res'),
  },
  {
    name: 'duplicate openid.claimed_id with encoded letters, placed first',
    code: 'OPENID_ASSERTION_INVALID',
    reason: 'duplicate_parameter',
    tamper: (c) =>
      `${c.pathname}?%6Fpenid%2Eclaimed_id=${encodeURIComponent(claimed(bob))}&${c.search.slice(1)}`,
  },
  {
    name: 'duplicate state',
    code: 'OPENID_ASSERTION_INVALID',
    reason: 'duplicate_parameter',
    tamper: (c) => appendRaw(c, `state=${c.searchParams.get('state') ?? ''}`),
  },
  {
    name: 'a null byte in a parameter name',
    code: 'OPENID_ASSERTION_INVALID',
    reason: 'control_character',
    tamper: (c) =>
      appendRaw(
        withParam(c, 'openid.identity', null),
        `openid.identity%00=${encodeURIComponent(claimed(alice))}`,
      ),
  },
  {
    name: 'a null byte in a claimed_id value',
    code: 'OPENID_ASSERTION_INVALID',
    reason: 'control_character',
    tamper: (c) => `${c.pathname}${c.search.replace(`id%2F${alice}`, `id%2F${alice}%00${bob}`)}`,
  },
  {
    name: 'an unexpected openid.* parameter',
    code: 'OPENID_ASSERTION_INVALID',
    reason: 'unexpected_parameter',
    tamper: (c) => appendRaw(c, 'openid.ns.ext1=http%3A%2F%2Fevil.test%2Fext'),
  },
  {
    name: 'an unexpected parameter of our own',
    code: 'OPENID_ASSERTION_INVALID',
    reason: 'unexpected_parameter',
    tamper: (c) => appendRaw(c, 'returnTo=https%3A%2F%2Fevil.test'),
  },
  {
    name: 'malformed percent-encoding',
    code: 'OPENID_ASSERTION_INVALID',
    reason: 'malformed_query',
    tamper: (c) => appendRaw(c, 'openid.x=%E0%A4%A'),
  },
];

for (const row of rows) {
  test(`refused: ${row.name} → ${row.code}`, async () => {
    const { cookies, callback } = await harvestCallback(app, emulator, alice);
    const res = await finish(app, row.tamper(callback), cookies);
    assert.equal(res.json().error.code, row.code, res.body);
    if (row.reason) assert.equal(res.json().error.reason, row.reason);
    assert.ok(
      !res.headers['set-cookie']?.toString().includes(`${config.session.cookieName}=`),
      'no session cookie',
    );
    assert.ok(res.statusCode >= 400);
  });
}

test('refused: a genuine assertion for another site (return_to harvested elsewhere) → OPENID_ASSERTION_INVALID', async () => {
  const { cookies, callback } = await harvestCallback(app, emulator, alice);
  // What a malicious site collects when a person signs in there: Steam's signed answer for its return_to.
  const evil = new URL(`${emulator.base}/openid/login`);
  evil.searchParams.set('openid.ns', 'http://specs.openid.net/auth/2.0');
  evil.searchParams.set('openid.mode', 'checkid_setup');
  evil.searchParams.set('openid.return_to', 'https://evil.test/cb');
  const atSteam = await fetch(evil, { redirect: 'manual' });
  const harvested = new URL(atSteam.headers.get('location') ?? '');
  const replay = new URL(callback);
  replay.search = `state=${callback.searchParams.get('state') ?? ''}`;
  for (const [k, v] of harvested.searchParams) replay.searchParams.append(k, v);
  const res = await finish(app, replay, cookies);
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().error.code, 'OPENID_ASSERTION_INVALID');
  assert.equal(res.json().error.reason, 'return_to');
});

test('refused: a stale nonce (6 minutes old) → OPENID_NONCE_INVALID', async (t) => {
  const later = await loginApp(stores, emulator, { now: () => Date.now() + 6 * 60_000 });
  t.after(() => later.app.close());
  const { cookies, callback } = await harvestCallback(later.app, emulator, alice);
  const res = await finish(later.app, callback, cookies);
  assert.equal(res.json().error.code, 'OPENID_NONCE_INVALID');
  assert.equal(res.json().error.reason, 'nonce_stale');
});

test('refused: a replayed callback (same nonce, same browser) → OPENID_NONCE_INVALID', async () => {
  const { cookies, callback } = await harvestCallback(app, emulator, alice);
  const first = await finish(app, callback, cookies);
  assert.equal(first.statusCode, 302);
  const again = await finish(app, callback, cookies);
  assert.equal(again.json().error.code, 'OPENID_NONCE_INVALID');
  assert.equal(again.json().error.reason, 'nonce_replayed');
});

test('refused: the provider answers is_valid:false → OPENID_NOT_CONFIRMED', async (t) => {
  const { cookies, callback } = await harvestCallback(app, emulator, alice);
  emulator.world.faults.set('openid.check_authentication', { glitch: true });
  t.after(() => emulator.world.faults.clear('openid.check_authentication'));
  const res = await finish(app, callback, cookies);
  assert.equal(res.statusCode, 401);
  assert.equal(res.json().error.code, 'OPENID_NOT_CONFIRMED');
  assert.equal(res.json().error.message, 'Steam did not confirm this sign-in; try again.');
});

test('refused: the provider rate-limits check_authentication (429) → 503 STEAM_UNAVAILABLE', async (t) => {
  const { cookies, callback } = await harvestCallback(app, emulator, alice);
  emulator.world.faults.set('openid.check_authentication', { burst429: 1 });
  t.after(() => emulator.world.faults.clear('openid.check_authentication'));
  const res = await finish(app, callback, cookies);
  assert.equal(res.statusCode, 503);
  assert.equal(res.json().error.code, 'STEAM_UNAVAILABLE');
});

test('refused: the provider is down (closed port) → a clear 503 STEAM_UNAVAILABLE', async (t) => {
  // Same Redis prefix and public URL as `app`, so the state started there is finished here.
  const down = await loginApp(stores, emulator, {
    env: { REDIS_KEY_PREFIX: config.redis.keyPrefix, STEAM_OPENID_URL: 'http://127.0.0.1:1/openid/login' },
  });
  t.after(() => down.app.close());
  const { cookies, callback } = await harvestCallback(app, emulator, alice);
  const res = await finish(down.app, callback, cookies);
  assert.equal(res.statusCode, 503);
  assert.equal(res.json().error.code, 'STEAM_UNAVAILABLE');
  assert.match(res.json().error.message, /try again/);
});

test('refused: finished in another browser (state cookie of another sign-in) → LOGIN_STATE_INVALID', async () => {
  const a = await harvestCallback(app, emulator, alice);
  const b = await harvestCallback(app, emulator, alice);
  const res = await finish(app, a.callback, b.cookies);
  assert.equal(res.json().error.code, 'LOGIN_STATE_INVALID');
  assert.equal(res.json().error.reason, 'state_mismatch');
  const none = await finish(app, a.callback, new Map());
  assert.equal(none.json().error.code, 'LOGIN_STATE_INVALID');
  assert.equal(none.json().error.reason, 'no_state_cookie');
});

test('a refusal is logged at warn with its reason and no secret', async (t) => {
  const logs = captureLogs();
  const logger = createLogger({ service: 'login', level: 'info', destination: logs.destination });
  const logged = await loginApp(stores, emulator, { logger });
  t.after(() => logged.app.close());
  const { cookies, callback } = await harvestCallback(logged.app, emulator, alice);
  const forged = withParam(callback, 'openid.identity', claimed(bob));
  await finish(logged.app, forged, cookies);
  const warn = logs.lines.find((l) => l.level === 'warn');
  assert.equal(warn?.code, 'OPENID_ASSERTION_INVALID');
  assert.equal(warn?.reason, 'identity_mismatch');
  const all = logs.text();
  assert.match(all, /"url":"\/auth\/steam\/return"/, 'the request line names the path, without its query');
  for (const secret of [
    callback.searchParams.get('state') ?? '',
    callback.searchParams.get('openid.sig') ?? '',
    callback.searchParams.get('openid.response_nonce') ?? '',
  ]) {
    assert.ok(!all.includes(secret) && !all.includes(encodeURIComponent(secret)), 'a secret reached the log');
  }
});
