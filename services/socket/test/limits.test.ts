// Limits per connection and per IP, and a client that does not read: the socket server with
// tight limits, real Redis and MariaDB, clients over real sockets.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStores, uniquePrefix, type Stores } from '@platform/testing';
import { client, eventually, reserved, startLive, type Live } from './live.harness.ts';

let stores: Stores;
let live: Live;
before(async () => {
  stores = await startStores();
  live = await startLive(stores, {
    REDIS_KEY_PREFIX: uniquePrefix('limits'),
    SOCKET_MAX_CONNECTIONS_PER_IP: '3',
    SOCKET_MAX_CLIENT_MESSAGES_PER_10S: '5',
    SOCKET_MAX_BUFFERED_BYTES: '65536',
    SOCKET_CHECK_MS: '50',
    SOCKET_MAX_MESSAGE_BYTES: '1024',
  });
  await eventually(() => live.server.sequencer.isLeader);
});
after(async () => {
  await live.close();
  await stores.close();
});

const metric = async (name: string) => {
  const text = await live.ctx.metricsFor('socket').registry.getSingleMetricAsString(name);
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
};

test('connections per IP are limited; one closed makes room for another', async () => {
  const open = [client(live.url), client(live.url), client(live.url)];
  await Promise.all(open.map((c) => c.ready));
  const fourth = client(live.url);
  const err = (await fourth.ready.then(
    () => undefined,
    (e: unknown) => e,
  )) as (Error & { data?: { code: string } }) | undefined;
  assert.equal(err?.data?.code, 'TOO_MANY_CONNECTIONS');
  open[0]!.close();
  await eventually(() => live.server.hub.connections === 2);
  const fifth = client(live.url);
  await fifth.ready;
  for (const c of [...open, fourth, fifth]) c.close();
  await eventually(() => live.server.hub.connections === 0);
});

test('a client that sends too much is disconnected; so is one message over the size limit', async () => {
  const chatty = client(live.url);
  await chatty.ready;
  const gone = new Promise<string>((r) => chatty.socket.once('disconnect', r));
  for (let i = 0; i < 6; i++) chatty.socket.emit('hello', i);
  assert.equal(await gone, 'io server disconnect');
  const big = client(live.url);
  await big.ready;
  const closed = new Promise<string>((r) => big.socket.once('disconnect', r));
  big.socket.emit('hello', 'x'.repeat(4096));
  assert.equal(await closed, 'transport close');
  await eventually(() => live.server.hub.connections === 0);
});

test('a client that stops reading is disconnected, not buffered without bound; a reading one stays', async () => {
  const reader = client(live.url);
  await reader.ready;
  // A long-polling client that takes its first packets and then never polls again: what the
  // server sends it waits in the server's memory.
  const base = `${live.url}/socket.io/?EIO=4&transport=polling`;
  const open = await (await fetch(base)).text();
  const sid = (JSON.parse(open.slice(1)) as { sid: string }).sid;
  assert.equal((await fetch(`${base}&sid=${sid}`, { method: 'POST', body: '40' })).status, 200);
  assert.match(await (await fetch(`${base}&sid=${sid}`)).text(), /^40/);
  await eventually(() => live.server.hub.connections === 2);
  const before = await metric('socket_slow_disconnects_total');
  // ~100 KB of site changes in 20 messages: past the 64 KB limit for the stalled client.
  for (let i = 0; i < 20; i++) {
    const ids = Array.from({ length: 500 }, (_, j) => String(10_000_000 + i * 1000 + j));
    await live.ctx.bus.publish('site-items.reserved', reserved(String(100 + i), ids));
    await eventually(
      () => reader.of('site:items').flatMap((m) => m.reserved as string[]).length >= (i + 1) * 500,
    );
  }
  await eventually(async () => (await metric('socket_slow_disconnects_total')) === before + 1);
  await eventually(() => live.server.hub.connections === 1);
  // Its session is gone; the reading client is still connected and still served.
  assert.equal((await fetch(`${base}&sid=${sid}`)).status, 400);
  assert.equal(reader.socket.connected, true);
  reader.close();
});
