// The contract suite on the default adapter: the live in-process index loaded from a real
// MariaDB and told of changes by real bus events over Redis, as the backend runs it.
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bus } from '@platform/bus';
import { connectRedis, createRedis } from '@platform/db';
import { createLogger } from '@platform/observability';
import { eventually, factory, startStores, testRedisSettings, uniquePrefix } from '@platform/testing';
import { LiveIndex, MemoryIndex } from '../src/index.ts';
import { contractSuite, makeRows, NOW, priceOf } from './contract.ts';
import { insertRows, releaseInDb, reserveInDb } from './db-world.ts';

async function startLive() {
  const stores = await startStores();
  const db = stores.dbs.main;
  const prefix = uniquePrefix('search');
  const settings = testRedisSettings(prefix);
  const client = createRedis(settings);
  await connectRedis(client);
  const logger = createLogger({ service: 'search-test', level: 'silent' });
  const bus = new Bus({ redis: settings, client, logger });
  const bots = [await factory.bot(db), await factory.bot(db), await factory.bot(db, { status: 'paused' })];
  const botIds = bots.map((b) => b.id);
  const rows = makeRows(420, botIds);
  await insertRows(db, rows);
  const reserved = rows.filter((_, i) => i % 10 === 3).map((r) => r.assetId);
  await reserveInDb(db, reserved, NOW + 600_000);
  const live = new LiveIndex({
    db,
    bus,
    logger,
    priceOf: (mhn) => priceOf(mhn),
    pricesVersion: () => 1,
    reconcileMs: 3_600_000,
  });
  await live.start();
  const bot = bots[0]!;
  let seed = 100;
  return {
    live,
    db,
    bus,
    rows,
    reserved,
    inactiveBots: [botIds[2]!],
    newRows: async (n: number) => {
      const r = makeRows(n, [bot.id], seed++);
      await insertRows(db, r);
      return r;
    },
    world: {
      search: live,
      async added(r: typeof rows) {
        await bus.publish('site-inventory.changed', {
          v: 1,
          type: 'site-inventory.changed',
          eventId: randomUUID(),
          botId: bot.id,
          botSteamId: bot.steamId,
          added: r.map((x) => ({
            assetId: x.assetId,
            contextId: 2 as const,
            marketHashName: x.marketHashName,
          })),
          removed: [],
          at: new Date().toISOString(),
        });
        await eventually(() => r.every((x) => live.index.peek(x.assetId)?.merged === true));
      },
      async reserved(assetIds: string[], untilMs: number) {
        const tradeId = await reserveInDb(db, assetIds, untilMs);
        await bus.publish('site-items.reserved', {
          v: 1,
          type: 'site-items.reserved',
          eventId: randomUUID(),
          tradeId,
          assetIds,
          reservedUntil: new Date(untilMs).toISOString(),
          at: new Date().toISOString(),
        });
        await eventually(() => assetIds.every((a) => live.index.peek(a)?.reserved === true));
      },
      async released(assetIds: string[]) {
        await releaseInDb(db, assetIds);
        await bus.publish('site-items.released', {
          v: 1,
          type: 'site-items.released',
          eventId: randomUUID(),
          tradeId: '1',
          assetIds,
          at: new Date().toISOString(),
        });
        await eventually(() => assetIds.every((a) => live.index.peek(a)?.reserved === false));
      },
      async removed(assetIds: string[]) {
        await db.deleteFrom('items').where('asset_id', 'in', assetIds).execute();
        await bus.publish('site-inventory.changed', {
          v: 1,
          type: 'site-inventory.changed',
          eventId: randomUUID(),
          botId: bot.id,
          botSteamId: bot.steamId,
          added: [],
          removed: assetIds,
          at: new Date().toISOString(),
        });
        await eventually(() => assetIds.every((a) => live.index.peek(a) === undefined));
      },
    },
    async close() {
      await live.close();
      await bus.close();
      client.disconnect();
      await stores.close();
    },
  };
}

contractSuite('in-process index (MariaDB + bus events)', { start: startLive });

test('reconciliation repairs missed events: a reservation, a release, an added and a removed item', async (t) => {
  const w = await startLive();
  t.after(() => w.close());
  const now = () => Date.now();
  const [a, b] = w.rows.filter((r) => !w.reserved.includes(r.assetId) && r.botId !== w.inactiveBots[0]);
  // Changes in MySQL with no event (a relay that died, a subscriber that was reconnecting).
  await reserveInDb(w.db, [a!.assetId], now() + 600_000);
  await releaseInDb(w.db, [w.reserved[0]!]);
  const added = await w.newRows(2);
  await w.db.deleteFrom('items').where('asset_id', '=', b!.assetId).execute();
  assert.equal(w.live.index.peek(a!.assetId)?.reserved, false);
  // Events made within the grace period are trusted over a read that began before them.
  await new Promise((r) => setTimeout(r, 10));
  const fixed = await w.live.reconcileNow();
  assert.equal(fixed.reloaded, 2);
  assert.equal(fixed.removed, 1);
  assert.equal(fixed.reservations, 2);
  assert.equal(w.live.index.peek(a!.assetId)?.reserved, true);
  assert.equal(w.live.index.peek(w.reserved[0]!)?.reserved, false);
  assert.equal(w.live.index.peek(b!.assetId), undefined);
  for (const r of added) assert.equal(w.live.index.peek(r.assetId)?.merged, true);
  // Nothing left to repair.
  assert.deepEqual(await w.live.reconcileNow(), { reloaded: 0, removed: 0, reservations: 0 });
});

test('an event delivered twice (the outbox relay publishes at least once) is applied once', async (t) => {
  const w = await startLive();
  t.after(() => w.close());
  const [x, marker] = w.rows.filter((r) => r.botId !== w.inactiveBots[0]);
  const bot = await w.db
    .selectFrom('bots')
    .select(['id', 'steam_id'])
    .where('id', '=', x!.botId)
    .executeTakeFirstOrThrow();
  const changed = (eventId: string, removed: string[], added: typeof w.rows = []) =>
    w.bus.publish('site-inventory.changed', {
      v: 1,
      type: 'site-inventory.changed',
      eventId,
      botId: bot.id,
      botSteamId: bot.steam_id,
      added: added.map((r) => ({
        assetId: r.assetId,
        contextId: 2 as const,
        marketHashName: r.marketHashName,
      })),
      removed,
      at: new Date().toISOString(),
    });
  // x leaves, then comes back (a later event); the first event is then delivered again.
  const removal = randomUUID();
  await w.db.deleteFrom('items').where('asset_id', '=', x!.assetId).execute();
  await changed(removal, [x!.assetId]);
  await eventually(() => w.live.index.peek(x!.assetId) === undefined);
  await insertRows(w.db, [x!]);
  await changed(randomUUID(), [], [x!]);
  await eventually(() => w.live.index.peek(x!.assetId) !== undefined);
  await changed(removal, [x!.assetId]);
  // A later event on the same channel: once it is applied, the redelivery was handled before it.
  await w.db.deleteFrom('items').where('asset_id', '=', marker!.assetId).execute();
  await changed(randomUUID(), [marker!.assetId]);
  await eventually(() => w.live.index.peek(marker!.assetId) === undefined);
  assert.ok(w.live.index.peek(x!.assetId), 'the redelivered removal was ignored');
});

test('an index loaded before the prices lists the items once they arrive (the backend can start first)', async () => {
  let priced = false;
  const index = new MemoryIndex({ priceOf: (mhn) => (priced ? priceOf(mhn) : null), now: () => NOW });
  try {
    const rows = makeRows(300, [1, 2], 7);
    index.upsert(rows);
    index.flush();
    assert.equal((await index.search({})).items.length, 0, 'nothing is listed without a price');
    priced = true;
    index.reprice();
    const want = rows.filter(
      (r) => priceOf(r.marketHashName) !== null && (r.tradable || r.tradableAfterMs !== null),
    ).length;
    for (const q of [{}, { sort: 'float-asc' as const }, { q: 'ak' }, { facets: true }]) {
      const page = await index.search({ ...q, limit: 200 });
      assert.ok(page.items.length > 0, `${JSON.stringify(q)}: listed after the prices came`);
    }
    const groups = (await index.search({ group: true, limit: 200 })).items as Array<{ count: number }>;
    assert.equal(
      groups.reduce((a, g) => a + g.count, 0),
      want,
      'the grouped view counts every priced item',
    );
  } finally {
    index.close();
  }
});
