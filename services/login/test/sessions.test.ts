// A successful sign-in, then the session's life: cookie attributes, no fixation, sliding and
// absolute expiry, logout, logout everywhere, the session list, CSRF.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { SettingsRepository } from '@platform/db';
import { SessionStore, SITE_DISABLED_SETTING } from '@platform/http';
import { documentationProblems, factory, startTcpGate } from '@platform/testing';
import type { LoginConfig } from '../src/config.ts';
import {
  approveAs,
  finish,
  harvestCallback,
  loginApp,
  setCookies,
  SITE,
  startEmulator,
  startStores,
  type Emulator,
  type Stores,
} from './helpers.ts';
import { OPEN_REDIRECTS } from './open-redirects.ts';

let emulator: Emulator;
let stores: Stores;
let app: FastifyInstance;
let config: LoginConfig;
let offsetMs = 0;
let alice: string;
let bob: string;

before(async () => {
  emulator = await startEmulator();
  stores = await startStores();
  ({ app, config } = await loginApp(stores, emulator, {
    now: () => Date.now() + offsetMs,
    env: {
      SESSION_IDLE_TTL_SECONDS: String(86_400),
      SESSION_ABSOLUTE_TTL_SECONDS: String(2 * 86_400),
      SESSION_COOKIE_DOMAIN: '.site.test',
    },
  }));
  alice = emulator.world.users()[0]!.steamid;
  bob = emulator.world.users()[1]!.steamid;
});
after(async () => {
  await app.close();
  await emulator.close();
  await stores.close();
});

const name = () => config.session.cookieName;

async function signIn(steamid: string, returnTo?: string, existing?: string) {
  const { cookies, callback } = await harvestCallback(app, emulator, steamid, returnTo);
  if (existing) cookies.set(name(), existing);
  const res = await finish(app, callback, cookies);
  assert.equal(res.statusCode, 302, res.body);
  const token = setCookies(res.headers).get(name());
  assert.ok(token, 'a session cookie is set');
  return { res, token };
}

function asBrowser(token: string, origin: string | null = SITE) {
  return { cookie: `${name()}=${token}`, ...(origin ? { origin } : {}) };
}

async function sessionsOf(token: string) {
  return app.inject({ method: 'GET', url: '/auth/sessions', headers: asBrowser(token) });
}

test('a sign-in sets an HttpOnly, SameSite=Lax, Secure session cookie and lands on returnTo', async () => {
  const { res } = await signIn(alice, `${SITE}/trade?tab=1`);
  assert.equal(res.headers.location, `${SITE}/trade?tab=1`);
  const line = [res.headers['set-cookie']].flat().find((l) => l?.startsWith(`${name()}=`)) ?? '';
  assert.match(line, /HttpOnly/);
  assert.match(line, /SameSite=Lax/);
  assert.match(line, /Secure/);
  assert.match(line, /Domain=\.site\.test/);
  assert.match(line, /Path=\//);
  assert.match(line, /Max-Age=172800/);
  // The state cookie is spent.
  assert.equal(setCookies(res.headers).get(`${name()}_login`), '');
  assert.equal(res.headers['cache-control'], 'no-store');
});

test('a returnTo off the whitelist lands on the default page', async () => {
  const { res } = await signIn(alice, 'https://site.test.evil.com/steal');
  assert.equal(res.headers.location, `${SITE}/`);
});

test('a returnTo given twice is ignored like any refused one (default page), not a 400', async () => {
  await approveAs(emulator, alice);
  const start = await app.inject(`/auth/steam?returnTo=${encodeURIComponent(`${SITE}/a`)}&returnTo=%2Fb`);
  assert.equal(start.statusCode, 302, start.body);
  const cookies = setCookies(start.headers);
  const atSteam = await fetch(start.headers.location as string, { redirect: 'manual' });
  const res = await finish(app, new URL(atSteam.headers.get('location') as string), cookies);
  assert.equal(res.headers.location, `${SITE}/`);
});

test('behind a path prefix (LOGIN_PUBLIC_URL with a path), the state cookie is scoped to the path browsers see', async (t) => {
  const prefixed = await loginApp(stores, emulator, {
    env: { LOGIN_PUBLIC_URL: 'https://site.test/login/' },
  });
  t.after(() => prefixed.app.close());
  const res = await prefixed.app.inject('/auth/steam?returnTo=%2Ftrade');
  const returnTo = new URL(
    new URL(res.headers.location as string).searchParams.get('openid.return_to') ?? '',
  );
  assert.equal(returnTo.pathname, '/login/auth/steam/return');
  const cookie = [res.headers['set-cookie']].flat().find((c) => c?.startsWith(`${name()}_login=`));
  assert.match(cookie ?? '', /; Path=\/login\/auth\/steam;/, 'the callback would come back without it');
});

test('GET /auth/steam sends the browser to the configured provider with a state bound by cookie', async () => {
  const res = await app.inject('/auth/steam?returnTo=%2Ftrade');
  assert.equal(res.statusCode, 302);
  const to = new URL(res.headers.location as string);
  assert.equal(`${to.origin}${to.pathname}`, `${emulator.base}/openid/login`);
  assert.equal(to.searchParams.get('openid.mode'), 'checkid_setup');
  assert.equal(to.searchParams.get('openid.realm'), 'https://login.site.test');
  const returnTo = new URL(to.searchParams.get('openid.return_to') ?? '');
  const state = returnTo.searchParams.get('state');
  assert.equal(`${returnTo.origin}${returnTo.pathname}`, 'https://login.site.test/auth/steam/return');
  assert.equal(setCookies(res.headers).get(`${name()}_login`), state);
});

test('the user is created with persona and avatar from GetPlayerSummaries', async () => {
  await signIn(bob);
  const row = await stores.dbs.main
    .selectFrom('users')
    .selectAll()
    .where('steam_id', '=', bob)
    .executeTakeFirstOrThrow();
  const account = emulator.world.account(bob)!;
  assert.equal(row.persona_name, account.persona);
  assert.equal(row.avatar_url, `${account.avatarUrl}_full.jpg`);
});

test('a GetPlayerSummaries failure does not block the sign-in', async (t) => {
  emulator.world.faults.set('GetPlayerSummaries', { status5xx: 500 });
  t.after(() => emulator.world.faults.clear('GetPlayerSummaries'));
  const { token } = await signIn(alice);
  assert.equal((await sessionsOf(token)).statusCode, 200);
});

test('session fixation: a cookie the browser brings is never adopted, and an old session ends', async () => {
  const planted = `1.${'A'.repeat(43)}`;
  const first = await signIn(alice, undefined, planted);
  assert.notEqual(first.token, planted);
  const second = await signIn(alice, undefined, first.token);
  assert.notEqual(second.token, first.token);
  assert.equal((await sessionsOf(first.token)).statusCode, 401);
  assert.equal((await sessionsOf(second.token)).statusCode, 200);
});

test('logout ends this session only', async () => {
  const a = await signIn(alice);
  const b = await signIn(alice);
  const out = await app.inject({ method: 'POST', url: '/auth/logout', headers: asBrowser(a.token) });
  assert.equal(out.statusCode, 204);
  assert.equal(setCookies(out.headers).get(name()), '');
  const refused = await sessionsOf(a.token);
  assert.equal(refused.statusCode, 401);
  assert.equal(refused.json().error.code, 'UNAUTHENTICATED');
  assert.equal((await sessionsOf(b.token)).statusCode, 200);
  // Logging out again is not an error.
  assert.equal(
    (await app.inject({ method: 'POST', url: '/auth/logout', headers: asBrowser(a.token) })).statusCode,
    204,
  );
});

test('the list of active sessions marks the current one; one can be ended by id; logout everywhere ends all', async () => {
  const a = await signIn(bob);
  const b = await signIn(bob);
  const list = (await sessionsOf(a.token)).json().sessions as { id: string; current: boolean }[];
  assert.ok(list.length >= 2);
  assert.equal(list.filter((s) => s.current).length, 1);
  const other = list.find((s) => !s.current)!;
  assert.ok(!JSON.stringify(list).includes(a.token), 'the list never shows a token');

  const del = await app.inject({
    method: 'DELETE',
    url: `/auth/sessions/${other.id}`,
    headers: asBrowser(a.token),
  });
  assert.equal(del.statusCode, 204);
  assert.equal((await sessionsOf(a.token)).json().sessions.length, list.length - 1);

  const c = await signIn(bob);
  const all = await app.inject({
    method: 'POST',
    url: '/auth/logout/everywhere',
    headers: asBrowser(c.token),
  });
  assert.equal(all.statusCode, 200);
  assert.ok(all.json().revoked >= 2);
  for (const token of [a.token, b.token, c.token]) assert.equal((await sessionsOf(token)).statusCode, 401);
});

test("another user's session id cannot be ended", async () => {
  const a = await signIn(alice);
  const b = await signIn(bob);
  const bobsId = ((await sessionsOf(b.token)).json().sessions as { id: string; current: boolean }[]).find(
    (s) => s.current,
  )!.id;
  const del = await app.inject({
    method: 'DELETE',
    url: `/auth/sessions/${bobsId}`,
    headers: asBrowser(a.token),
  });
  assert.equal(del.statusCode, 404);
  assert.equal(del.json().error.reason, 'no_such_session');
  assert.equal((await sessionsOf(b.token)).statusCode, 200);
});

test('an idle session expires; use slides it; the absolute limit ends it however active', async (t) => {
  t.after(() => (offsetMs = 0));
  const idle = await signIn(alice);
  const active = await signIn(alice);
  for (const step of [0.9, 1.8]) {
    offsetMs = step * 86_400_000;
    assert.equal((await sessionsOf(active.token)).statusCode, 200, `active at ${step} days`);
  }
  assert.equal((await sessionsOf(idle.token)).statusCode, 401, 'idle for 1.8 days');
  offsetMs = 2.01 * 86_400_000;
  const expired = await sessionsOf(active.token);
  assert.equal(expired.statusCode, 401);
  assert.equal(expired.json().error.code, 'UNAUTHENTICATED');
});

test('CSRF: state-changing requests without the site as Origin are refused', async () => {
  const { token } = await signIn(alice);
  const rows: [string, Record<string, string>][] = [
    ['no Origin, no Referer', asBrowser(token, null)],
    ['a foreign Origin', asBrowser(token, 'https://evil.test')],
    ['a suffix-trick Origin', asBrowser(token, 'https://site.test.evil.test')],
    ['Origin null', asBrowser(token, 'null')],
    ['a foreign Referer', { ...asBrowser(token, null), referer: 'https://evil.test/page' }],
    ['a cross-site fetch', { ...asBrowser(token), 'sec-fetch-site': 'cross-site' }],
  ];
  for (const [label, headers] of rows) {
    for (const url of ['/auth/logout', '/auth/logout/everywhere']) {
      const res = await app.inject({ method: 'POST', url, headers });
      assert.equal(res.statusCode, 403, `${label} ${url}`);
      assert.equal(res.json().error.code, 'CSRF_REJECTED', `${label} ${url}`);
    }
  }
  assert.equal((await sessionsOf(token)).statusCode, 200, 'the session survived');
  const viaReferer = await app.inject({
    method: 'POST',
    url: '/auth/logout',
    headers: { ...asBrowser(token, null), referer: `${SITE}/account` },
  });
  assert.equal(viaReferer.statusCode, 204);
});

test('bearer tokens are refused until the OAuth2 server plugs in', async () => {
  const res = await app.inject({
    method: 'GET',
    url: '/auth/sessions',
    headers: { authorization: 'Bearer abc' },
  });
  assert.equal(res.statusCode, 401);
  assert.equal(res.json().error.code, 'UNAUTHENTICATED');
});

test('a banned account cannot sign in', async (t) => {
  const banned = emulator.world.users()[2]!.steamid;
  await signIn(banned);
  await stores.dbs.main
    .updateTable('users')
    .set({ banned_at: new Date() })
    .where('steam_id', '=', banned)
    .execute();
  t.after(() =>
    stores.dbs.main.updateTable('users').set({ banned_at: null }).where('steam_id', '=', banned).execute(),
  );
  const { cookies, callback } = await harvestCallback(app, emulator, banned);
  const res = await finish(app, callback, cookies);
  assert.equal(res.statusCode, 403);
  assert.equal(res.json().error.code, 'ACCOUNT_BANNED');
});

test('signing in and out stays open while the site is disabled', async (t) => {
  const settings = new SettingsRepository(stores.dbs.main);
  await settings.set(SITE_DISABLED_SETTING, true, 'test');
  t.after(() => settings.set(SITE_DISABLED_SETTING, false, 'test'));
  const { token } = await signIn(alice);
  assert.equal((await sessionsOf(token)).statusCode, 200);
  const out = await app.inject({ method: 'POST', url: '/auth/logout', headers: asBrowser(token) });
  assert.equal(out.statusCode, 204);
});

test('every open-redirect attempt, given as returnTo to a real sign-in, lands on the default page', async () => {
  for (const [label, raw] of OPEN_REDIRECTS) {
    const { cookies, callback } = await harvestCallback(app, emulator, alice, raw);
    const res = await finish(app, callback, cookies);
    assert.equal(res.statusCode, 302, label);
    assert.equal(res.headers.location, `${SITE}/`, label);
  }
});

test('Redis down while signing in is a 503 the person can retry, never a 500', async (t) => {
  const { app: down } = await loginApp(stores, emulator, {
    env: { REDIS_URL: 'redis://127.0.0.1:1', REDIS_CLUSTER: 'false' },
  });
  t.after(() => down.close());
  const start = await down.inject(`/auth/steam?returnTo=${encodeURIComponent(`${SITE}/trade`)}`);
  assert.equal(start.statusCode, 503, start.body);
  assert.equal(start.json().error.code, 'DEPENDENCY_UNAVAILABLE');
  // A callback started while Redis was up, finished once it is down: the nonce cannot be recorded.
  const { cookies, callback } = await harvestCallback(app, emulator, alice);
  const res = await finish(down, callback, cookies);
  assert.equal(res.statusCode, 503, res.body);
  assert.equal(res.json().error.code, 'DEPENDENCY_UNAVAILABLE');
});

test('MySQL down at the callback is a 503; the sign-in simply starts again once it returns', async (t) => {
  const mysqlUrl = new URL(process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306');
  const gate = await startTcpGate({ host: mysqlUrl.hostname, port: Number(mysqlUrl.port || 3306) });
  t.after(() => gate.stop());
  const url = new URL(mysqlUrl);
  url.host = gate.address;
  const { app: flaky } = await loginApp(stores, emulator, { env: { MYSQL_URL: url.toString() } });
  t.after(() => flaky.close());
  const first = await harvestCallback(flaky, emulator, bob);
  gate.close();
  // The state and the nonce are spent before the user is written: the answer says start again.
  const res = await finish(flaky, first.callback, first.cookies);
  assert.equal(res.statusCode, 503, res.body);
  assert.equal(res.json().error.code, 'DEPENDENCY_UNAVAILABLE');
  gate.open();
  const again = await harvestCallback(flaky, emulator, bob);
  const ok = await finish(flaky, again.callback, again.cookies);
  assert.equal(ok.statusCode, 302, ok.body);
  assert.ok(setCookies(ok.headers).get(name()));
});

test('log out everywhere is atomic: a session created while it runs is revoked or stays revocable', async () => {
  const { id: userId } = await factory.user(stores.dbs.main);
  const user = { userId, steamId: alice, ip: '127.0.0.1', userAgent: 'test' };
  const store = new SessionStore(stores.redis, {
    keyPrefix: config.redis.keyPrefix,
    ...config.session,
    cacheMs: 0,
  });
  await store.create(user);
  // A sign-in lands between revoke-all's read of the index and its delete (another process).
  let inFlight: string | undefined;
  const racing = new Proxy(stores.redis, {
    get(target, prop) {
      if (prop === 'zrange') {
        return async (...args: [string, number, string]) => {
          const value = await target.zrange(...args);
          if (inFlight === undefined) inFlight = (await store.create(user)).token;
          return value;
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const revoking = new SessionStore(racing, {
    keyPrefix: config.redis.keyPrefix,
    ...config.session,
    cacheMs: 0,
  });
  await revoking.revokeAll(userId);
  assert.ok(inFlight);
  const survived = await store.validate(inFlight);
  if (survived) {
    // It may live (it came after the revoke), but never outside the index: a later revoke ends it.
    assert.ok((await store.list(userId)).some((s) => s.handle === survived.handle));
    await store.revokeAll(userId);
  }
  assert.equal(await store.validate(inFlight), undefined);
  assert.deepEqual(await store.list(userId), []);
});

test('every route is described (params, query, body, response) and served at /docs', async () => {
  assert.deepEqual(await documentationProblems(app), []);
});
