import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SettingsRepository } from '@platform/db';
import { SITE_DISABLED_SETTING } from '@platform/http';
import {
  buildTestApp,
  documentationProblems,
  eventually,
  startStores,
  TEST_INTERNAL_TOKEN,
  type Stores,
} from '@platform/testing';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

let stores: Stores;
before(async () => {
  stores = await startStores();
});
after(() => stores.close());

async function backend(env: Record<string, string> = {}) {
  return buildTestApp(loadConfig, (ctx) => buildApp(ctx), { stores, env });
}

test('health, readiness against real MySQL and Redis, and status', async (t) => {
  const { app, close } = await backend();
  t.after(close);
  assert.equal((await app.inject('/healthz')).statusCode, 200);
  const ready = await app.inject('/readyz');
  assert.equal(ready.statusCode, 200);
  assert.deepEqual(ready.json(), { status: 'ready', checks: { mysql: 'ok', redis: 'ok' } });
  const status = await app.inject('/api/v1/status');
  assert.equal(status.statusCode, 200);
  assert.equal(status.json().siteEnabled, true);
});

test('the site-disable setting: status says so, public routes answer 503 SITE_DISABLED', async (t) => {
  const { app, ctx, close } = await backend();
  app.get('/api/v1/probe', () => ({ ok: true }));
  const settings = new SettingsRepository(stores.dbs.main);
  t.after(async () => {
    await settings.set(SITE_DISABLED_SETTING, false, 'test');
    await close();
  });
  await settings.set(SITE_DISABLED_SETTING, true, 'test');
  ctx.siteSwitch.invalidate();
  assert.equal((await app.inject('/api/v1/status')).json().siteEnabled, false);
  const refused = await app.inject('/api/v1/probe');
  assert.equal(refused.statusCode, 503);
  assert.equal(refused.json().error.code, 'SITE_DISABLED');
  assert.equal((await app.inject('/healthz')).statusCode, 200);
  const metrics = await app.inject({
    url: '/metrics',
    headers: { authorization: `Bearer ${TEST_INTERNAL_TOKEN}` },
  });
  assert.equal(metrics.statusCode, 200);
  await settings.set(SITE_DISABLED_SETTING, false, 'test');
  ctx.siteSwitch.invalidate();
  assert.equal((await app.inject('/api/v1/probe')).statusCode, 200);
});

test('readiness names MySQL when it cannot be reached', async (t) => {
  const { app, close } = await backend({ MYSQL_URL: 'mysql://root@127.0.0.1:1', MYSQL_POOL_SIZE: '1' });
  t.after(close);
  const res = await app.inject('/readyz');
  assert.equal(res.statusCode, 503);
  assert.deepEqual(res.json().error.failing, ['mysql']);
});

test('every route is described (params, query, body, response) and served at /docs', async (t) => {
  const { app, close } = await backend();
  t.after(close);
  assert.deepEqual(await documentationProblems(app), []);
});

test('a test app whose build throws closes its context (else its connections keep the file running)', async () => {
  let redisStatus: () => string = () => 'never built';
  await assert.rejects(
    buildTestApp(
      loadConfig,
      (ctx) => {
        redisStatus = () => ctx.redis.status;
        return Promise.reject(new Error('build failed'));
      },
      { stores },
    ),
    /build failed/,
  );
  await eventually(() => ['end', 'close'].includes(redisStatus()), 5_000);
});
