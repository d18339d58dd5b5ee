// Socket servers as processes (main.ts, as npm start runs them): two behind the Redis adapter
// both deliver, whichever holds the sequencer; an event published while every socket server
// was down reaches its client after one returns (the outbox polling fallback); and every event
// the platform publishes has a consumer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { EVENTS, type EventName } from '@platform/bus';
import { scanNodes } from '@platform/db';
import {
  createTestContext,
  freePort,
  startStores,
  stopProcess,
  testEnv,
  uniquePrefix,
  waitForHttp,
  type Stores,
  type TestContext,
} from '@platform/testing';
import { loadConfig, type SocketConfig } from '../src/config.ts';
import { CONSUMED } from '../src/live/sequencer.ts';
import { client, eventually, FAST, reserved, signedIn, tradeUpdated } from './live.harness.ts';

let stores: Stores;
let env: Record<string, string | undefined>;
let test_: TestContext<SocketConfig>;
const children: ChildProcess[] = [];

async function startProcess(): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [new URL('../src/main.ts', import.meta.url).pathname], {
    env: { ...process.env, ...env, PORT: String(port), WORKERS: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/readyz`, 30_000);
  return { child, url };
}

before(async () => {
  stores = await startStores();
  env = testEnv(stores, { ...FAST, REDIS_KEY_PREFIX: uniquePrefix('sockproc') });
  // The test's own context on the same prefix: it publishes as the backend's relay does.
  test_ = await createTestContext(loadConfig, { stores, env });
});
after(async () => {
  for (const c of children) await stopProcess(c, 'SIGKILL');
  await test_.close();
  await stores.close();
});

test('two socket processes behind the adapter both deliver user and site events', async () => {
  const [a, b] = await Promise.all([startProcess(), startProcess()]);
  const { ctx } = test_;
  const user = await signedIn(test_, stores);
  const onA = client(a.url, { cookie: user.cookie });
  const onB = client(b.url, { cookie: user.cookie });
  const anonB = client(b.url);
  const anonA = client(a.url);
  await Promise.all([onA.ready, onB.ready, anonA.ready, anonB.ready]);
  await ctx.bus.publish('trade.updated', tradeUpdated(user.userId, '401', 1, 'pending'));
  await ctx.bus.publish('site-items.reserved', reserved('401', ['61001']));
  for (const c of [onA, onB]) await eventually(() => c.of('trade:update').length === 1);
  for (const c of [onA, onB, anonA, anonB])
    await eventually(() => c.of('site:items').some((m) => (m.reserved as string[]).includes('61001')));
  assert.equal(
    onA.of('trade:update')[0]!.seq,
    onB.of('trade:update')[0]!.seq,
    'one sequence, not one per process',
  );
  // Exactly one copy each, though both processes heard the bus.
  assert.equal(onA.of('trade:update').length, 1);
  assert.equal(onB.of('trade:update').length, 1);
  for (const c of [onA, onB, anonA, anonB]) c.close();
  await Promise.all([stopProcess(a.child), stopProcess(b.child)]);
});

test('an event published while the socket server was down is delivered after it returns', async () => {
  const { ctx } = test_;
  const cursorKey = ctx.bus.keys.live.outboxCursor();
  const first = await startProcess();
  await eventually(async () => (await ctx.redis.get(cursorKey)) !== null);
  const user = await signedIn(test_, stores);
  const c1 = client(first.url, { cookie: user.cookie });
  const lastSiteSeq = (await c1.ready).siteSeq as number;
  await ctx.bus.publish('trade.updated', tradeUpdated(user.userId, '501', 1, 'pending'));
  await eventually(() => c1.of('trade:update').length === 1);
  const lastSeq = c1.of('trade:update')[0]!.seq as number;
  c1.close();
  assert.equal(await stopProcess(first.child), 0, 'a clean shutdown');

  // While no socket server runs, the backend commits a change and its relay publishes it: the
  // outbox row, then the bus message nobody hears, then the row marked published.
  const missed = tradeUpdated(user.userId, '501', 2, 'sent');
  const released = { ...reserved('501', ['62001']), type: 'site-items.released' as const };
  delete (released as { reservedUntil?: string }).reservedUntil;
  await stores.dbs.main
    .insertInto('outbox')
    .values([
      {
        event_id: missed.eventId,
        topic: 'event:trade.updated',
        aggregate_id: 'trade:501',
        payload: JSON.stringify(missed),
      },
      {
        event_id: released.eventId,
        topic: 'event:site-items.released',
        aggregate_id: 'trade:501',
        payload: JSON.stringify(released),
      },
    ])
    .execute();
  assert.equal(await ctx.bus.publish('trade.updated', missed), 0, 'no subscriber heard it');

  const second = await startProcess();
  const c2 = client(second.url, { cookie: user.cookie, auth: { lastSeq, lastSiteSeq } });
  await c2.ready;
  await eventually(() => c2.of('trade:update').length === 1, 15_000);
  const [update] = c2.of('trade:update');
  assert.equal(update!.seq, lastSeq + 1);
  assert.equal((update!.trade as { state: string }).state, 'sent');
  await eventually(() => c2.of('site:items').some((m) => (m.unreserved as string[]).includes('62001')));
  c2.close();
  await stopProcess(second.child);
});

test('the sequencing process killed (kill -9): another takes over and delivers what was published meanwhile', async () => {
  const { ctx } = test_;
  // A starts alone, so it holds the lease; then B.
  await ctx.redis.del(ctx.bus.keys.lease('socket-sequencer'));
  const a = await startProcess();
  await eventually(async () => (await ctx.redis.get(ctx.bus.keys.lease('socket-sequencer'))) !== null);
  const b = await startProcess();
  const user = await signedIn(test_, stores);
  const onB = client(b.url, { cookie: user.cookie });
  await onB.ready;
  await ctx.bus.publish('trade.updated', tradeUpdated(user.userId, '601', 1, 'pending'));
  await eventually(() => onB.of('trade:update').length === 1);
  await stopProcess(a.child, 'SIGKILL');
  // Committed and published while no process sequences: B hears it but does not hold the lease.
  const missed = tradeUpdated(user.userId, '601', 2, 'sent');
  await stores.dbs.main
    .insertInto('outbox')
    .values({
      event_id: missed.eventId,
      topic: 'event:trade.updated',
      aggregate_id: 'trade:601',
      payload: JSON.stringify(missed),
    })
    .execute();
  await ctx.bus.publish('trade.updated', missed);
  await eventually(() => onB.of('trade:update').length === 2, 15_000);
  assert.deepEqual(
    onB.of('trade:update').map((u) => [u.seq, (u.trade as { state: string }).state]),
    [
      [onB.of('trade:update')[0]!.seq, 'pending'],
      [(onB.of('trade:update')[0]!.seq as number) + 1, 'sent'],
    ],
  );
  onB.close();
  await stopProcess(b.child);
});

test('every event the platform publishes has a consumer', async () => {
  // The socket server turns these into live updates; prices.imported reloads its (and every
  // pricing service's) price book.
  const consumers: Record<EventName, string> = {
    'trade.updated': 'socket: trade:update to the owner',
    'balance.updated': 'socket: balance:update to the owner',
    'trade.notice': 'socket: trade:notice to the owner',
    'site-items.reserved': 'socket: site:items reserved',
    'site-items.released': 'socket: site:items unreserved',
    'site-inventory.changed': 'socket: site:items added/removed',
    'prices.imported': 'packages/pricing: the price book reloads (backend, inventory, socket)',
  };
  assert.deepEqual(
    Object.keys(consumers).sort(),
    Object.keys(EVENTS).sort(),
    'a consumer named for each event',
  );
  assert.deepEqual(
    [...CONSUMED].sort(),
    Object.keys(consumers)
      .filter((n) => consumers[n as EventName].startsWith('socket'))
      .sort(),
  );
  // And with a socket server running, each channel has a subscriber in Redis.
  const server = await startProcess();
  const { ctx } = test_;
  for (const name of Object.keys(EVENTS) as EventName[]) {
    const channel = ctx.bus.keys.channel(EVENTS[name].channel);
    let subscribers = 0;
    for (const node of scanNodes(ctx.redis)) {
      const [, n] = (await node.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
      subscribers += Number(n);
    }
    assert.ok(subscribers >= 1, `${name} has a subscriber`);
  }
  await stopProcess(server.child);
});
