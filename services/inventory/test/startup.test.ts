// Start-up when a store is down, and start-up with queue state left by an earlier run: the
// process must end up priced and refreshed without a restart and without waiting for a
// scheduler slot.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Bus } from '@platform/bus';
import { createLogger } from '@platform/observability';
import {
  eventually,
  freePort,
  startPrivateRedis,
  startTcpGate,
  stopProcess,
  testRedisSettings,
  uniquePrefix,
} from '@platform/testing';
import { createPricing, createSinv, seedBotsFromEmulator } from '../src/runtime.ts';
import { inventoryContext, startEmulator, startStores, type Emulator, type Stores } from './harness.ts';

let emu: Emulator;
let stores: Stores;
before(async () => {
  [emu, stores] = await Promise.all([startEmulator({ bots: 2, itemsPerBot: 20 }), startStores()]);
});
after(async () => {
  await emu.close();
  await stores.close();
});

const silent = createLogger({ service: 'test', level: 'silent' });
const mysqlUrl = new URL(process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306');

test('MySQL down at boot: prices load once it returns, and /readyz says not ready until then', async (t) => {
  // Prices exist in the database; the process cannot reach it when it starts.
  const seeded = await inventoryContext(t, emu, stores);
  await createPricing(seeded.ctx).importer.run();
  const gate = await startTcpGate(
    { host: mysqlUrl.hostname, port: Number(mysqlUrl.port || 3306) },
    { open: false },
  );
  t.after(() => gate.stop());
  const url = new URL(mysqlUrl);
  url.host = gate.address;
  const { ctx } = await inventoryContext(t, emu, stores, { MYSQL_URL: url.toString() });
  const pricing = createPricing(ctx);
  await pricing.start();
  assert.equal(pricing.book.size, 0);
  const down = await ctx.readiness.report();
  assert.equal(down.checks.prices, 'unavailable');
  gate.open();
  await eventually(() => pricing.book.size > 0, 15_000);
  await eventually(async () => (await ctx.readiness.report()).ready, 5_000);
});

test('Redis down at boot: the prices.imported subscription is made when it returns', async (t) => {
  const port = await freePort();
  const { ctx } = await inventoryContext(t, emu, stores, {
    // A single private Redis (REDIS_CLUSTER off even when the suite runs against a cluster).
    REDIS_URL: `redis://127.0.0.1:${port}`,
    REDIS_CLUSTER: 'false',
    // Far away: a reload seen below comes from the event, not from this timer.
    PRICE_BOOK_REFRESH_MS: '600000',
  });
  await stores.dbs.pricing.deleteFrom('prices').execute();
  const pricing = createPricing(ctx);
  await pricing.start();
  assert.equal(pricing.book.size, 0, 'no prices yet');
  const redis = await startPrivateRedis(port);
  t.after(() => stopProcess(redis).then(() => undefined));
  await eventually(() => ctx.redis.status === 'ready', 10_000);
  // Another process imports (here: through the same Redis); this one hears of it.
  const other = await inventoryContext(t, emu, stores, {
    REDIS_URL: `redis://127.0.0.1:${port}`,
    REDIS_CLUSTER: 'false',
    REDIS_KEY_PREFIX: ctx.config.redis.keyPrefix,
  });
  await eventually(async () => {
    await createPricing(other.ctx).importer.run();
    return pricing.book.size > 0;
  }, 15_000);
});

test('queue state from an earlier run: sinv refreshes every bot and imports prices at start', async (t) => {
  const prefix = uniquePrefix('test:inv');
  await stores.dbs.pricing.deleteFrom('prices').execute();
  // An earlier run left its job schedulers in Redis, their next slots an hour away.
  const earlier = new Bus({ redis: testRedisSettings(prefix), client: stores.redis, logger: silent });
  const later = { every: 3_600_000, startDate: Date.now() + 3_600_000 };
  await earlier.queue('inventory-refresh').upsertJobScheduler('sinv-refresh-all', later, {
    name: 'refresh-all',
    data: { v: 1 },
  });
  await earlier.queue('pricing-import').upsertJobScheduler('pricing-import', later, {
    name: 'import',
    data: { v: 1 },
  });
  await earlier.close();

  const { ctx } = await inventoryContext(t, emu, stores, {
    REDIS_KEY_PREFIX: prefix,
    SINV_REFRESH_INTERVAL_MS: '3600000',
    PRICE_IMPORT_INTERVAL_MS: '3600000',
  });
  const pricing = createPricing(ctx);
  await pricing.start();
  const sinv = createSinv(ctx, { pricing });
  await seedBotsFromEmulator(ctx);
  sinv.jobs.startWorkers();
  await sinv.jobs.startSchedules();
  const bots = await sinv.bots.listActive();
  await eventually(async () => {
    const counts = await Promise.all(
      bots.map(async (b) => (await sinv.snapshot.readBot(b.id))?.items.length ?? 0),
    );
    return counts.every((n) => n > 0);
  }, 20_000);
  await eventually(() => pricing.book.size > 0, 20_000);
});
