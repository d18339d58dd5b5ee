// The bus against real Redis: the catalog's rules applied on enqueue, workers that validate
// before handling, events that are validated both ways, and keys that Redis Cluster can serve.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Job } from 'bullmq';
import type { AppError } from '@platform/core';
import { deleteByPrefix, type Redis } from '@platform/db';
import { createLogger } from '@platform/observability';
import {
  captureLogs,
  eventually,
  startStores,
  testRedisSettings,
  uniquePrefix,
  type Stores,
} from '@platform/testing';
import { Bus, createWorker, redisKeys, type SiteInventoryChangedV1 } from '../src/index.ts';

const slotOf = createRequire(import.meta.url)('cluster-key-slot') as (key: string) => number;

let stores: Stores;
let redis: Redis;
before(async () => {
  stores = await startStores();
  redis = stores.redis;
});
after(() => stores.close());

function newBus(t: { after: (fn: () => Promise<void>) => void }, logs = captureLogs()) {
  const prefix = uniquePrefix('test:bus');
  const bus = new Bus({
    redis: testRedisSettings(prefix),
    client: redis,
    logger: createLogger({ service: 'bus-test', level: 'debug', destination: logs.destination }),
    retries: { 'inventory-refresh/refresh-bot': { attempts: 2, backoff: { type: 'fixed', delay: 10 } } },
  });
  t.after(async () => {
    await bus.close();
    await deleteByPrefix(redis, prefix);
  });
  return { bus, logs, prefix };
}

test('enqueue validates the payload and applies the catalog: retries, deduplication', async (t) => {
  const { bus } = newBus(t);
  await assert.rejects(
    // @ts-expect-error: a payload the catalog does not allow is a compile error, and refused at run time too.
    bus.enqueue('inventory-refresh', 'refresh-bot', { v: 1, botId: '4', reason: 'trade' }),
    (e: AppError) => e.code === 'VALIDATION_FAILED' && e.details?.field === '/botId',
  );
  assert.equal(await bus.queue('inventory-refresh').count(), 0, 'nothing was enqueued');
  const job = await bus.enqueue('inventory-refresh', 'refresh-bot', { v: 1, botId: 4, reason: 'trade' });
  assert.equal(job.opts.attempts, 2, "the deployment's retry setting");
  assert.deepEqual(job.opts.backoff, { type: 'fixed', delay: 10 });
  const again = await bus.enqueue('inventory-refresh', 'refresh-bot', { v: 1, botId: 4, reason: 'manual' });
  assert.equal(again.id, job.id, 'deduplicated per bot while waiting');
  const imp = await bus.enqueue('pricing-import', 'import', { v: 1 });
  assert.equal(imp.opts.attempts, 3, "the catalog's own retries");
});

/**
 * A job's end, read from its state (not from QueueEvents, whose stream read can start after a
 * fast job already ended: the test once waited its whole timeout on the Redis Cluster run).
 */
async function finished(
  bus: Bus,
  id: string,
  timeoutMs = 20_000,
): Promise<{ state: string; failedReason?: string; returnvalue?: unknown }> {
  const started = Date.now();
  for (;;) {
    const state = await bus.queue('inventory-refresh').getJobState(id);
    if (state === 'completed' || state === 'failed') {
      // Read after the state: a job read before it ended has no reason or value yet.
      const job = (await bus.queue('inventory-refresh').getJob(id))!;
      return { state, failedReason: job.failedReason, returnvalue: job.returnvalue as unknown };
    }
    if (Date.now() - started > timeoutMs) assert.fail(`job ${id} still ${state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a worker needs a handler per job; a payload that does not parse fails at once, logged with its id', async (t) => {
  const { bus, logs } = newBus(t);
  const logger = createLogger({ service: 'bus-test', level: 'debug', destination: logs.destination });
  assert.throws(
    () =>
      // @ts-expect-error: a missing handler is a compile error, and refused at run time too.
      createWorker(bus, 'inventory-refresh', { 'refresh-all': () => Promise.resolve(1) }, { logger }),
    /no handler for refresh-bot/,
  );
  const handled: number[] = [];
  const worker = createWorker(
    bus,
    'inventory-refresh',
    {
      'refresh-all': () => Promise.resolve(0),
      'refresh-bot': (payload) => {
        handled.push(payload.botId);
        return Promise.resolve(payload.botId);
      },
    },
    { logger },
  );
  t.after(() => worker.close());
  // A producer that bypassed the bus (an older deploy) sends a bad payload with retries.
  const bad: Job = await bus
    .queue('inventory-refresh')
    .add('refresh-bot', { v: 1, botId: 'x', reason: 'trade' }, { attempts: 5, backoff: 10 });
  const badEnd = await finished(bus, bad.id!);
  assert.equal(badEnd.state, 'failed');
  assert.match(badEnd.failedReason ?? '', /botId/);
  const failed = await bus.queue('inventory-refresh').getJob(bad.id!);
  assert.equal(failed?.attemptsMade, 1, 'not retried: it would fail the same way every time');
  const line = logs.lines.find((l) => l.msg === 'job payload is not valid; failing it without retries');
  assert.equal(line?.jobId, bad.id);
  assert.equal(line?.field, '/botId');
  const good = await bus.enqueue('inventory-refresh', 'refresh-bot', { v: 1, botId: 9, reason: 'manual' });
  const goodEnd = await finished(bus, good.id!);
  assert.equal(goodEnd.state, 'completed');
  assert.equal(goodEnd.returnvalue, 9);
  assert.deepEqual(handled, [9]);
});

test('publish validates and prefixes; subscribe hands over parsed events and drops what does not parse', async (t) => {
  const { bus, logs, prefix } = newBus(t);
  const seen: SiteInventoryChangedV1[] = [];
  const sub = await bus.subscribe('site-inventory.changed', (e) => {
    seen.push(e);
  });
  t.after(() => sub.unsubscribe());
  const event: SiteInventoryChangedV1 = {
    v: 1,
    type: 'site-inventory.changed',
    eventId: 'e-1',
    botId: 2,
    botSteamId: '76561198000000002',
    added: [{ assetId: '11', contextId: 2, marketHashName: 'AK-47 | Redline (Field-Tested)' }],
    removed: ['12'],
    at: new Date(0).toISOString(),
  };
  await assert.rejects(
    bus.publish('site-inventory.changed', { ...event, removed: ['not-an-id'] }),
    (e: AppError) => e.code === 'VALIDATION_FAILED',
  );
  // Malformed messages from elsewhere on the same channel: not JSON, and the wrong shape.
  await redis.publish(`${prefix}events:site-inventory:v1`, '{nope');
  await redis.publish(`${prefix}events:site-inventory:v1`, JSON.stringify({ ...event, v: 2 }));
  // (PUBLISH counts the subscribers of the node it reached: not asserted, it differs on a cluster.)
  await bus.publish('site-inventory.changed', event);
  await eventually(() => seen.length === 1);
  assert.deepEqual(seen, [event]);
  await eventually(
    () => logs.lines.filter((l) => l.msg === 'dropped an event that does not parse').length === 2,
  );
});

test('keys used together share a Redis Cluster hash slot; BullMQ queues each have their own tag', () => {
  const k = redisKeys('cs2t:');
  assert.equal(slotOf(k.sessions.session('42', 'h1')), slotOf(k.sessions.userSessions('42')));
  assert.equal(slotOf(k.sessions.session('42', 'h2')), slotOf(k.sessions.session('42', 'h1')));
  const id = '76561198000000001';
  const cinv = [k.cinv.inventory(id), k.cinv.version(id), k.cinv.negative(id), k.cinv.lock(id)].map(slotOf);
  assert.equal(new Set(cinv).size, 1);
  assert.equal(slotOf(k.sinv.bot(1)), slotOf(k.sinv.bots()));
  assert.equal(slotOf(k.sinv.bot(1)), slotOf(k.sinv.bot(400)));
  // BullMQ builds `<prefix>:<queue>:<suffix>`: every key of one queue carries the queue's tag.
  const bull = k.bullPrefix('inventory-refresh');
  assert.equal(slotOf(`${bull}:inventory-refresh:wait`), slotOf(`${bull}:inventory-refresh:meta`));
  assert.notEqual(bull, k.bullPrefix('pricing-import'));
  // Unrelated users spread over the cluster.
  const users = new Set(Array.from({ length: 50 }, (_, i) => slotOf(k.sessions.userSessions(String(i)))));
  assert.ok(users.size > 40);
});
