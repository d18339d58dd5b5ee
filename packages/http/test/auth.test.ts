// The auth guard and the session store on their own: the in-process cache, and that a guard
// never fails open when Redis is gone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connectRedis, createRedis, type Redis } from '@platform/db';
import { createAuthGuard, requireUser, SessionStore } from '@platform/http';
import { uniquePrefix } from '@platform/testing';
import { buildTestApp, REDIS_URL } from './helpers.ts';

let redis: Redis;
before(async () => {
  redis = createRedis({ url: REDIS_URL, keyPrefix: '' });
  await connectRedis(redis);
});
after(() => redis.disconnect());

const settings = { idleTtlSeconds: 3600, absoluteTtlSeconds: 7200 };
const user = { userId: '7', steamId: '76561197960265735', ip: '127.0.0.1', userAgent: 'test' };

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
  for (const token of ['', 'short', `${'a'.repeat(42)}!`, 'a'.repeat(44)])
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
    headers: { cookie: `s=${'a'.repeat(43)}` },
  });
  assert.equal(res.statusCode, 503);
  assert.equal(res.json().error.code, 'DEPENDENCY_UNAVAILABLE');
});
