// Who gets what, replay on reconnect, batching of site changes, limits: the socket server with
// real Redis and MariaDB, socket.io-client over WebSocket, events published on the bus as the
// backend's outbox relay publishes them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { SessionStore } from '@platform/http';
import { factory, startStores, uniquePrefix, type Stores } from '@platform/testing';
import {
  client,
  eventually,
  reserved,
  signedIn,
  startLive,
  tradeUpdated,
  type Live,
} from './live.harness.ts';

let stores: Stores;
let live: Live;
before(async () => {
  stores = await startStores();
  live = await startLive(stores, { REDIS_KEY_PREFIX: uniquePrefix('live'), SOCKET_USER_STREAM_LENGTH: '10' });
  await eventually(() => live.server.sequencer.isLeader);
});
after(async () => {
  await live.close();
  await stores.close();
});

test('a user event reaches its owner only; an anonymous client cannot join a user room', async () => {
  const alice = await signedIn(live, stores);
  const bob = await signedIn(live, stores);
  const a = client(live.url, { cookie: alice.cookie });
  const b = client(live.url, { cookie: bob.cookie });
  const anon = client(live.url);
  try {
    assert.equal((await a.ready).signedIn, true);
    assert.equal((await b.ready).signedIn, true);
    assert.equal((await anon.ready).signedIn, false);
    // The client has no way to name a room: asking to join one is refused, and a userId in the
    // handshake's auth is ignored.
    const answer = await anon.socket.timeout(5_000).emitWithAck('join', { room: `u:${alice.userId}` });
    assert.deepEqual((answer as { error: { code: string } }).error.code, 'UNKNOWN_EVENT');
    const forged = client(live.url, { auth: { userId: alice.userId, lastSeq: 0 } });
    assert.equal((await forged.ready).signedIn, false);
    const rooms = await live.server.hub.io.in(`u:${alice.userId}`).fetchSockets();
    assert.deepEqual(
      rooms.map((s) => s.id),
      [a.socket.id],
      "only alice's own socket is in her room",
    );
    await live.ctx.bus.publish('trade.updated', tradeUpdated(alice.userId, '101', 1, 'pending'));
    await eventually(() => a.of('trade:update').length === 1);
    const [update] = a.of('trade:update');
    assert.equal(update!.seq, 1);
    assert.deepEqual((update!.trade as { id: string }).id, '101');
    // A site event sent after the user event reaches everyone: by then the user event would have too.
    await live.ctx.bus.publish('site-items.reserved', reserved('101', ['5001']));
    await eventually(
      () =>
        anon.of('site:items').length === 1 &&
        forged.of('site:items').length === 1 &&
        b.of('site:items').length === 1,
    );
    assert.equal(anon.of('trade:update').length, 0);
    assert.equal(forged.of('trade:update').length, 0);
    assert.equal(b.of('trade:update').length, 0);
    forged.close();
  } finally {
    a.close();
    b.close();
    anon.close();
  }
});

test('a client that reconnects with its last seq receives what it missed, in order; too far behind, resync', async () => {
  const carol = await signedIn(live, stores);
  const first = client(live.url, { cookie: carol.cookie });
  await first.ready;
  await live.ctx.bus.publish('trade.updated', tradeUpdated(carol.userId, '201', 1, 'pending'));
  await eventually(() => first.of('trade:update').length === 1);
  const lastSeq = first.of('trade:update')[0]!.seq as number;
  first.close();
  // Missed while away: three more changes of the trade and a balance change.
  for (const [v, state] of [
    [2, 'sending'],
    [3, 'sent'],
    [4, 'completed'],
  ] as const)
    await live.ctx.bus.publish('trade.updated', tradeUpdated(carol.userId, '201', v, state));
  const seqNow = async () => (await live.server.streams.replayUser(carol.userId, undefined, 10)).current;
  // Two channels are ordered each on its own only (on a Redis Cluster they enter through
  // different nodes): the balance change is published once the trade's are in the stream.
  await eventually(async () => (await seqNow()) === lastSeq + 3);
  await live.ctx.bus.publish('balance.updated', {
    v: 1,
    type: 'balance.updated',
    eventId: crypto.randomUUID(),
    userId: carol.userId,
    amount: 1234,
    protected: 1000,
    debt: 0,
    currency: 'USD',
    at: new Date().toISOString(),
  });
  await eventually(async () => (await seqNow()) === lastSeq + 4);
  const again = client(live.url, { cookie: carol.cookie, auth: { lastSeq } });
  const ready = await again.ready;
  assert.equal(ready.seq, lastSeq + 4);
  assert.deepEqual(
    again.events
      .filter((e) => e.event !== 'site:items' && e.event !== 'leaderboard')
      .map((e) => [
        e.event,
        e.data.seq,
        (e.data.trade as { state?: string } | undefined)?.state ?? e.data.amount,
      ]),
    [
      ['trade:update', lastSeq + 1, 'sending'],
      ['trade:update', lastSeq + 2, 'sent'],
      ['trade:update', lastSeq + 3, 'completed'],
      ['balance:update', lastSeq + 4, 1234],
      ['ready', lastSeq + 4, undefined],
    ],
  );
  again.close();
  // An older version of the trade arriving late (a redelivery) is not sent after the newer one.
  await live.ctx.bus.publish('trade.updated', tradeUpdated(carol.userId, '201', 2, 'sending'));
  // More than the stream keeps (10 here) since lastSeq: the client is told to resync.
  for (let i = 0; i < 12; i++)
    await live.ctx.bus.publish('trade.updated', tradeUpdated(carol.userId, String(300 + i), 1, 'pending'));
  await eventually(async () => (await seqNow()) === lastSeq + 16);
  const behind = client(live.url, { cookie: carol.cookie, auth: { lastSeq } });
  const r = await behind.ready;
  assert.deepEqual(behind.of('resync'), [{ stream: 'user', seq: lastSeq + 16 }]);
  assert.equal(r.seq, lastSeq + 16);
  assert.equal(behind.of('trade:update').length, 0);
  behind.close();
});

test('a burst of 1,000 reservations reaches every client in a few site:items messages', async () => {
  const watchers = [client(live.url), client(live.url)];
  await Promise.all(watchers.map((w) => w.ready));
  const ids = Array.from({ length: 1000 }, (_, i) => String(900_000 + i));
  await Promise.all(
    ids.map((id, i) => live.ctx.bus.publish('site-items.reserved', reserved(String(7000 + i), [id]))),
  );
  for (const w of watchers) {
    await eventually(() => new Set(w.of('site:items').flatMap((m) => m.reserved as string[])).size >= 1000);
    const messages = w.of('site:items');
    assert.ok(messages.length <= 50, `${messages.length} messages for 1,000 reservations`);
    const seqs = messages.map((m) => m.seq as number);
    assert.deepEqual(
      seqs,
      [...seqs].sort((x, y) => x - y),
      'in seq order',
    );
  }
  // A client that saw the first of them and reconnects gets the rest from the site stream.
  const firstSeq = watchers[0]!.of('site:items')[0]!.seq as number;
  const late = client(live.url, { auth: { lastSiteSeq: firstSeq } });
  await late.ready;
  const replayed = new Set(late.of('site:items').flatMap((m) => m.reserved as string[]));
  const fromFirst = new Set(watchers[0]!.of('site:items')[0]!.reserved as string[]);
  assert.equal(replayed.size + fromFirst.size, 1000);
  for (const w of [...watchers, late]) w.close();
});

test('added items reach everyone with their details; a notice reaches its owner only', async () => {
  const dave = await signedIn(live, stores);
  const owner = client(live.url, { cookie: dave.cookie });
  const anon = client(live.url);
  await Promise.all([owner.ready, anon.ready]);
  const bot = await factory.bot(stores.dbs.main);
  const item = await factory.item(stores.dbs.main, {
    botId: bot.id,
    marketHashName: 'AK-47 | Redline (Field-Tested)',
    floatValue: 0.25,
    paintSeed: 7,
  });
  await live.ctx.bus.publish('site-inventory.changed', {
    v: 1,
    type: 'site-inventory.changed',
    eventId: crypto.randomUUID(),
    botId: bot.id,
    botSteamId: bot.steamId,
    added: [{ assetId: item.assetId, contextId: 2, marketHashName: 'AK-47 | Redline (Field-Tested)' }],
    removed: ['424242'],
    at: new Date().toISOString(),
  });
  await live.ctx.bus.publish('trade.notice', {
    v: 1,
    type: 'trade.notice',
    eventId: crypto.randomUUID(),
    tradeId: '77',
    userId: dave.userId,
    kind: 'offer_canceled_elsewhere',
    message: 'Your offer was canceled by someone else: check your Steam API key.',
    at: new Date().toISOString(),
  });
  for (const c of [owner, anon]) {
    await eventually(() => c.of('site:items').some((m) => (m.removed as string[]).includes('424242')));
    const message = c.of('site:items').find((m) => (m.removed as string[]).includes('424242'))!;
    const [added] = message.added as Array<Record<string, unknown>>;
    assert.equal(added?.assetId, item.assetId);
    assert.equal(added?.marketHashName, 'AK-47 | Redline (Field-Tested)');
    assert.equal(added?.floatValue, 0.25);
    assert.equal(added?.paintSeed, 7);
  }
  await eventually(() => owner.of('trade:notice').length === 1);
  assert.deepEqual(
    { ...owner.of('trade:notice')[0], seq: undefined, at: undefined },
    {
      seq: undefined,
      at: undefined,
      tradeId: '77',
      kind: 'offer_canceled_elsewhere',
      message: 'Your offer was canceled by someone else: check your Steam API key.',
    },
  );
  assert.equal(anon.of('trade:notice').length, 0);
  owner.close();
  anon.close();
});

test('the leaderboard: top traders by completed volume in the window, sent to everyone when it changes', async () => {
  const watcher = client(live.url);
  await watcher.ready;
  const [x, y, z, w] = await Promise.all(
    ['Xena', 'Yuri', 'Zoe', 'Walt'].map((personaName) => factory.user(stores.dbs.main, { personaName })),
  );
  const trade = (userId: string, state: string, gives: number, receives: number) => ({
    user_id: userId,
    kind: 'swap' as const,
    state,
    idempotency_key: crypto.randomUUID(),
    user_gives_value: String(gives),
    user_receives_value: String(receives),
    balance_hold: '0',
  });
  await stores.dbs.main
    .insertInto('trades')
    .values([
      trade(x!.id, 'completed', 3000, 2000),
      trade(x!.id, 'completed', 1000, 0),
      trade(y!.id, 'completed', 0, 10_000),
      trade(z!.id, 'declined', 99_999, 0),
      trade(w!.id, 'completed', 50_000, 0),
    ])
    .execute();
  // Walt's trade completed before the window.
  await sql`UPDATE trades SET updated_at = CURRENT_TIMESTAMP(3) - INTERVAL 2 DAY WHERE user_id = ${w!.id}`.execute(
    stores.dbs.main,
  );
  const expected = [
    { rank: 1, name: 'Yuri', volume: 10_000, trades: 1 },
    { rank: 2, name: 'Xena', volume: 6_000, trades: 2 },
  ];
  const shape = (m: Record<string, unknown>) =>
    (m.entries as Array<Record<string, unknown>>).map(({ rank, name, volume, trades }) => ({
      rank,
      name,
      volume,
      trades,
    }));
  await eventually(() =>
    watcher.of('leaderboard').some((m) => JSON.stringify(shape(m)) === JSON.stringify(expected)),
  );
  // A new page starts with the current leaderboard.
  const fresh = client(live.url);
  await fresh.ready;
  assert.deepEqual(shape(fresh.of('leaderboard').at(-1)!), expected);
  watcher.close();
  fresh.close();
});

test('a signed-in socket ends when its session is revoked', async () => {
  const erin = await signedIn(live, stores);
  const c = client(live.url, { cookie: erin.cookie });
  assert.equal((await c.ready).signedIn, true);
  const gone = new Promise<string>((r) => c.socket.once('disconnect', r));
  const sessions = new SessionStore(live.ctx.redis, {
    keyPrefix: live.ctx.config.redis.keyPrefix,
    ...live.ctx.config.session,
  });
  await sessions.revoke(erin.cookie.slice(erin.cookie.indexOf('=') + 1));
  assert.equal(await gone, 'io server disconnect');
});
