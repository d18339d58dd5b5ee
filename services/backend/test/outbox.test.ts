// The outbox relay killed in the middle of publishing (kill -9), then another taking over:
// every event is delivered, in order per aggregate, and a consumer that deduplicates by event
// id handles each exactly once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  createTestContext,
  eventually,
  startStores,
  stopProcess,
  testEnv,
  type Stores,
} from '@platform/testing';
import { loadConfig } from '../src/config.ts';
import { OutboxWriter } from '../src/outbox/outbox.ts';
import { OutboxRelay } from '../src/outbox/outbox.relay.ts';

let stores: Stores;
before(async () => {
  stores = await startStores();
});
after(() => stores.close());

test('a relay killed mid-stream loses nothing; the consumer, deduplicating by event id, handles each once', async (t) => {
  const env = testEnv(stores, { OUTBOX_POLL_MS: '10' });
  const { ctx, close } = await createTestContext(loadConfig, { stores, env });
  t.after(close);
  const N = 3000;
  const AGGREGATES = 30;
  // Committed events waiting in the outbox: per aggregate (a trade), a numbered sequence.
  for (let i = 0; i < N; i += 500) {
    const out = new OutboxWriter();
    for (let j = i; j < Math.min(N, i + 500); j++)
      out.event('site-items.released', `trade:${j % AGGREGATES}`, {
        v: 1,
        type: 'site-items.released',
        tradeId: String(1 + (j % AGGREGATES)),
        assetIds: [String(1_000_000 + j)],
        at: new Date().toISOString(),
      });
    await out.write(ctx.dbs.main);
  }
  const delivered: string[] = [];
  const handled: string[] = [];
  // The order of first deliveries, taken as each message arrives: a handler's continuation
  // after an await may run out of order (on a Redis Cluster its keys live on other nodes).
  const firstDelivered: string[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  const sub = await ctx.bus.subscribe('site-items.released', async (e) => {
    delivered.push(e.eventId);
    if (!seen.has(e.eventId)) {
      seen.add(e.eventId);
      firstDelivered.push(e.assetIds[0]!);
    }
    if (await ctx.bus.seenBefore('outbox-test', e.eventId)) duplicates++;
    else handled.push(e.assetIds[0]!);
  });
  t.after(() => sub.unsubscribe());

  const child = spawn(
    process.execPath,
    [new URL('./outbox-relay.child.ts', import.meta.url).pathname, JSON.stringify(env)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  t.after(() => stopProcess(child, 'SIGKILL'));
  await eventually(() => delivered.length >= N / 3, 30_000);
  await stopProcess(child, 'SIGKILL');
  const atKill = delivered.length;
  assert.ok(atKill < N, 'killed in the middle');

  // Another process's relay takes over once the dead one's lease runs out.
  const relay = new OutboxRelay({
    db: ctx.dbs.main,
    bus: ctx.bus,
    redis: ctx.redis,
    logger: ctx.logger,
    pollMs: 10,
    leaseMs: 1_000,
  });
  relay.start();
  t.after(() => relay.stop());
  await eventually(() => handled.length >= N, 30_000);
  await eventually(
    async () =>
      (await ctx.dbs.main.selectFrom('outbox').select('id').where('published_at', 'is', null).execute())
        .length === 0,
  );

  assert.equal(handled.length, N, 'each event handled exactly once');
  assert.equal(new Set(handled).size, N);
  assert.equal(delivered.length - duplicates, N);
  // Order per aggregate: the first delivery of each event follows the order it was written in.
  const firstSeen = new Map<string, number>();
  firstDelivered.forEach((asset, i) => firstSeen.set(asset, i));
  for (let a = 0; a < AGGREGATES; a++) {
    const seq = [...firstSeen.entries()]
      .filter(([asset]) => (Number(asset) - 1_000_000) % AGGREGATES === a)
      .sort((x, y) => Number(x[0]) - Number(y[0]))
      .map(([, order]) => order);
    assert.deepEqual(
      seq,
      [...seq].sort((x, y) => x - y),
      `aggregate ${a} out of order`,
    );
  }
});
