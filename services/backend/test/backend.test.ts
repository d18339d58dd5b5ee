import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  connectRedis,
  createDatabases,
  createRedis,
  SettingsRepository,
  type MainDatabase,
  type PricingDatabase,
  type Redis,
} from '@platform/db';
import { createTestDatabases, type TestDatabases } from '@platform/db/testing';
import { SiteSwitch, SITE_DISABLED_SETTING } from '@platform/http';
import { createLogger, createMetrics } from '@platform/observability';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

let dbs: TestDatabases;
let redis: Redis;
before(async () => {
  dbs = await createTestDatabases();
  redis = createRedis({ url: new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'), keyPrefix: '' });
  await connectRedis(redis);
});
after(async () => {
  redis.disconnect();
  await dbs.drop();
});

async function backend(env: Record<string, string> = {}) {
  const config = loadConfig({ REDIS_KEY_PREFIX: `test:${process.pid}:${Math.random()}:`, ...env });
  const siteSwitch = new SiteSwitch(new SettingsRepository(dbs.main), { ttlMs: 0 });
  const app = await buildApp({
    config,
    logger: createLogger({ service: 'backend', level: 'silent' }),
    metrics: createMetrics('backend'),
    dbs,
    redis,
    siteSwitch,
  });
  return app;
}

test('health, readiness against real MySQL and Redis, and status', async (t) => {
  const app = await backend();
  t.after(() => app.close());
  assert.equal((await app.inject('/healthz')).statusCode, 200);
  const ready = await app.inject('/readyz');
  assert.equal(ready.statusCode, 200);
  assert.deepEqual(ready.json(), { status: 'ready', checks: { mysql: 'ok', redis: 'ok' } });
  const status = await app.inject('/api/v1/status');
  assert.equal(status.statusCode, 200);
  assert.equal(status.json().siteEnabled, true);
});

test('the site-disable setting: status says so, public routes answer 503 SITE_DISABLED', async (t) => {
  const app = await backend();
  app.get('/api/v1/probe', () => ({ ok: true }));
  t.after(async () => {
    await new SettingsRepository(dbs.main).set(SITE_DISABLED_SETTING, false, 'test');
    await app.close();
  });
  await new SettingsRepository(dbs.main).set(SITE_DISABLED_SETTING, true, 'test');
  assert.equal((await app.inject('/api/v1/status')).json().siteEnabled, false);
  const refused = await app.inject('/api/v1/probe');
  assert.equal(refused.statusCode, 503);
  assert.equal(refused.json().error.code, 'SITE_DISABLED');
  assert.equal((await app.inject('/healthz')).statusCode, 200);
  assert.equal((await app.inject('/metrics')).statusCode, 200);
  await new SettingsRepository(dbs.main).set(SITE_DISABLED_SETTING, false, 'test');
  assert.equal((await app.inject('/api/v1/probe')).statusCode, 200);
});

test('readiness names MySQL when it cannot be reached', async (t) => {
  const broken = createDatabases<MainDatabase, PricingDatabase>({
    ...dbs.settings,
    url: new URL('mysql://root@127.0.0.1:1'),
    poolSize: 1,
  });
  const config = loadConfig({});
  const app = await buildApp({
    config,
    logger: createLogger({ service: 'backend', level: 'silent' }),
    metrics: createMetrics('backend'),
    dbs: broken,
    redis,
    siteSwitch: new SiteSwitch(new SettingsRepository(dbs.main)),
  });
  t.after(async () => {
    await app.close();
    await broken.close();
  });
  const res = await app.inject('/readyz');
  assert.equal(res.statusCode, 503);
  assert.deepEqual(res.json().error.failing, ['mysql']);
});
