// The auth guard and the session store on their own: the in-process cache, and that a guard
// never fails open when Redis is gone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connectRedis, createRedis, type Redis } from '@platform/db';
import { createAuthGuard, requireUser, SessionStore } from '@platform/http';
import { testRedisSettings, uniquePrefix } from '@platform/testing';
import { buildTestApp } from './helpers.ts';

let redis: Redis;
before(async () => {
  redis = createRedis(testRedisSettings());
  await connectRedis(redis);
});
after(() => redis.disconnect());

const settings = { idleTtlSeconds: 3600, absoluteTtlSeconds: 7200 };
const user = { userId: '7', steamId: '76561197960265735', ip: '127.0.0.1', userAgent: 'test' };
/** Shaped like a token (`<userId>.<43 base64url>`) but never issued. */
const UNKNOWN_TOKEN = `7.${'a'.repeat(43)}`;

test('the in-process cache serves a session for at most cacheMs; its own revocations are immediate', async () => {
  let now = Date.now();
  const keyPrefix = uniquePrefix();
  const cached = new SessionStore(redis, { keyPrefix, ...settings, cacheMs: 1_000, now: () => now });
  const other = new SessionStore(redis, { keyPrefix, ...settings, cacheMs: 0, now: () => now });
  const { token } = await cached.create(user);
  assert.ok(await cached.validate(token));
  await other.revoke(token);
  assert.ok(await cached.validate(token), 'another process revoked it: this one may serve it from cache');
  now += 1_000;
  assert.equal(
    await cached.validate(token),
    undefined,
    'no longer once the cache entry is older than cacheMs',
  );

  const second = await cached.create(user);
  assert.ok(await cached.validate(second.token));
  await cached.revoke(second.token);
  assert.equal(await cached.validate(second.token), undefined);
});

test('tokens that cannot be ours are refused without a Redis call', async () => {
  const store = new SessionStore(redis, { keyPrefix: uniquePrefix(), ...settings, cacheMs: 0 });
  for (const token of [
    '',
    'short',
    `7.${'a'.repeat(42)}!`,
    `7.${'a'.repeat(44)}`,
    'a'.repeat(43),
    `0.${'a'.repeat(43)}`,
  ])
    assert.equal(await store.validate(token), undefined);
});

test('with Redis down the guard answers 503, never lets the request through', async (t) => {
  const dead = createRedis(
    { url: new URL('redis://127.0.0.1:1'), keyPrefix: '' },
    { retryStrategy: () => null },
  );
  const { app } = await buildTestApp({ redis });
  t.after(async () => {
    await app.close();
    dead.disconnect();
  });
  const sessions = new SessionStore(dead, { keyPrefix: uniquePrefix(), ...settings, cacheMs: 0 });
  const guard = createAuthGuard(app, { sessions, cookieName: 's', allowedOrigins: ['https://site.test'] });
  app.get('/private', { onRequest: guard }, (req) => ({ userId: requireUser(req).userId }));
  const res = await app.inject({
    method: 'GET',
    url: '/private',
    headers: { cookie: `s=${UNKNOWN_TOKEN}` },
  });
  assert.equal(res.statusCode, 503);
  assert.equal(res.json().error.code, 'DEPENDENCY_UNAVAILABLE');
});

test('requests the guard refuses count against the rate limit; accepted ones count once', async (t) => {
  const { app } = await buildTestApp({
    redis,
    rateLimit: { redis, max: 3, windowMs: 60_000, keyPrefix: uniquePrefix() },
  });
  t.after(() => app.close());
  const sessions = new SessionStore(redis, { keyPrefix: uniquePrefix(), ...settings, cacheMs: 0 });
  const guard = createAuthGuard(app, { sessions, cookieName: 's', allowedOrigins: ['https://site.test'] });
  app.get('/private', { onRequest: guard }, (req) => ({ userId: requireUser(req).userId }));
  app.post('/private', { onRequest: guard }, (req) => ({ userId: requireUser(req).userId }));

  // No cookie (401), a well-formed unknown token (401, a Redis read each), a forged POST (403).
  const refused = [
    { method: 'GET' as const, headers: {} },
    { method: 'GET' as const, headers: { cookie: `s=${UNKNOWN_TOKEN}` } },
    { method: 'POST' as const, headers: { cookie: `s=${UNKNOWN_TOKEN}`, origin: 'https://evil.test' } },
    { method: 'GET' as const, headers: { cookie: `s=${UNKNOWN_TOKEN}` } },
  ];
  const codes: number[] = [];
  for (const r of refused) codes.push((await app.inject({ url: '/private', ...r })).statusCode);
  assert.deepEqual(codes, [401, 401, 403, 429]);

  const { app: other } = await buildTestApp({
    redis,
    rateLimit: { redis, max: 10, windowMs: 60_000, keyPrefix: uniquePrefix() },
  });
  t.after(() => other.close());
  const otherGuard = createAuthGuard(other, { sessions, cookieName: 's', allowedOrigins: [] });
  other.get('/private', { onRequest: otherGuard }, (req) => ({ userId: requireUser(req).userId }));
  const { token } = await sessions.create(user);
  const remaining: string[] = [];
  for (let i = 0; i < 2; i++) {
    const res = await other.inject({ url: '/private', headers: { cookie: `s=${token}` } });
    assert.equal(res.statusCode, 200);
    remaining.push(String(res.headers['ratelimit-remaining']));
  }
  assert.deepEqual(remaining, ['9', '8'], 'one count per request, not two');
});

test('a session revoked between its read and its renewal is refused, not served or cached', async () => {
  let now = Date.now();
  const keyPrefix = uniquePrefix();
  const elsewhere = new SessionStore(redis, { keyPrefix, ...settings, cacheMs: 0, now: () => now });
  const { token } = await elsewhere.create(user);
  // Another process logs the session out right after this one read it (before SET … XX).
  const racing = new Proxy(redis, {
    get(target, prop) {
      if (prop === 'get') {
        return async (key: string) => {
          const value = await target.get(key);
          await elsewhere.revoke(token);
          return value;
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const store = new SessionStore(racing, { keyPrefix, ...settings, cacheMs: 60_000, now: () => now });
  now += 61_000; // due for its sliding renewal
  assert.equal(await store.validate(token), undefined);
  assert.equal(await store.validate(token), undefined, 'nor served from the cache afterwards');
});
