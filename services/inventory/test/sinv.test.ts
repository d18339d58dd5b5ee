import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeBotSnapshot, parseSiteInventoryChanged, type SiteInventoryChangedV1 } from '@platform/bus';
import type { SteamInventoryError } from '@platform/steam';
import { documentationProblems, TEST_INTERNAL_TOKEN } from '@platform/testing';
import { buildCinvApp, buildSinvApp } from '../src/app.ts';
import { createInventoryMetrics } from '../src/metrics.ts';
import { createCinv, createPricing, createSinv, seedBotsFromEmulator } from '../src/runtime.ts';
import { ReconcileService } from '../src/sinv/reconcile.service.ts';
import {
  inventoryContext,
  queueEvents,
  startEmulator,
  startStores,
  type Emulator,
  type Stores,
} from './harness.ts';

const INTERNAL = { authorization: `Bearer ${TEST_INTERNAL_TOKEN}` };

let emu: Emulator;
let stores: Stores;
before(async () => {
  [emu, stores] = await Promise.all([startEmulator({ bots: 3, itemsPerBot: 60 }), startStores()]);
});
after(async () => {
  await emu.close();
  await stores.close();
});

async function setup(t: Parameters<typeof inventoryContext>[0]) {
  const { ctx } = await inventoryContext(t, emu, stores);
  const metrics = createInventoryMetrics(ctx.metricsFor('sinv').registry);
  const pricing = createPricing(ctx);
  const sinv = createSinv(ctx, { pricing, metrics });
  await seedBotsFromEmulator(ctx);
  const bots = await sinv.bots.listActive();
  return { ctx, config: ctx.config, pricing, sinv, bots };
}

function worldAssetIds(steamId: string): string[] {
  return [...emu.world.inventory(steamId, '2').list(), ...emu.world.inventory(steamId, '16').list()]
    .map((a) => a.assetid)
    .sort();
}

async function dbAssetIds(botId: number): Promise<string[]> {
  const rows = await stores.dbs.main
    .selectFrom('items')
    .select('asset_id')
    .where('bot_id', '=', botId)
    .execute();
  return rows.map((r) => r.asset_id).sort();
}

/** The bot's site-inventory.changed events in the outbox (what the backend's relay publishes), in order. */
async function outboxEvents(botId: number): Promise<Array<SiteInventoryChangedV1 & { outboxId: string }>> {
  const rows = await stores.dbs.main
    .selectFrom('outbox')
    .select(['id', 'payload'])
    .where('topic', '=', 'event:site-inventory.changed')
    .where('aggregate_id', '=', `bot:${botId}`)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    ...parseSiteInventoryChanged(typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload),
    outboxId: String(r.id),
  }));
}

test('seeded bots are read in full into MySQL and the Redis snapshot', async (t) => {
  const { ctx, sinv, bots, pricing } = await setup(t);
  assert.equal(bots.length, 3);
  for (const bot of bots) {
    const r = await sinv.reconcile.refreshBot(bot.id);
    assert.equal(r.complete, true);
    assert.deepEqual(await dbAssetIds(bot.id), worldAssetIds(bot.steamId));
    const snap = (await sinv.snapshot.readBot(bot.id))!;
    assert.deepEqual(snap.items.map((i) => i.assetId).sort(), worldAssetIds(bot.steamId));
  }
  // Asset properties and descriptions landed in their columns.
  const bot = bots[0]!;
  const asset = emu.world
    .inventory(bot.steamId, '2')
    .list()
    .find((a) => a.props.paintWear !== undefined)!;
  const row = await stores.dbs.main
    .selectFrom('items')
    .selectAll()
    .where('asset_id', '=', asset.assetid)
    .executeTakeFirstOrThrow();
  assert.equal(row.float_value, asset.props.paintWear);
  assert.equal(row.paint_seed, asset.props.paintSeed ?? null);
  assert.equal(row.market_hash_name, emu.world.description(asset).market_hash_name);
  assert.equal(row.class_id, asset.classid);
  // A second refresh with nothing changed writes nothing.
  const again = await sinv.reconcile.refreshBot(bot.id);
  assert.deepEqual([again.added, again.removed, again.updated], [0, 0, 0]);
  // The compact snapshot against plain JSON of the same fields.
  const snap = (await sinv.snapshot.readBot(bot.id))!;
  const bytes = await sinv.snapshot.bytes(bot.id);
  assert.equal(bytes, encodeBotSnapshot(snap).length);
  assert.ok(bytes < JSON.stringify(snap.items).length * 0.5, `${bytes} bytes is not compact`);
  // The site inventory route reads the snapshot.
  const app = await buildSinvApp(ctx, {
    enricher: pricing.enricher,
    snapshot: sinv.snapshot,
    jobs: sinv.jobs,
  });
  t.after(() => app.close());
  const res = await app.inject({ url: `/internal/v1/site-inventory?botId=${bot.id}`, headers: INTERNAL });
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().total, worldAssetIds(bot.steamId).length);
  assert.equal(
    (
      await app.inject({ url: `/internal/v1/site-inventory?botId=${bot.id}&limit=5`, headers: INTERNAL })
    ).json().count,
    5,
  );
  assert.match(
    (await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TEST_INTERNAL_TOKEN}` } })).body,
    /sinv_bot_refreshes_total\{outcome="ok",service="sinv"\} 4/,
  );
  // Pages across every bot: in bot order, none lost or repeated, only overlapped bots decoded.
  const whole = (
    await app.inject({ url: '/internal/v1/site-inventory?limit=5000', headers: INTERNAL })
  ).json<{
    bots: number;
    total: number;
    items: Array<{ assetId: string; botId: number }>;
  }>();
  const expected = bots.flatMap((b) => worldAssetIds(b.steamId));
  assert.equal(whole.bots, bots.length);
  assert.equal(whole.total, expected.length);
  assert.deepEqual(whole.items.map((i) => i.assetId).sort(), [...expected].sort());
  assert.deepEqual(
    whole.items.map((i) => i.botId),
    [...whole.items.map((i) => i.botId)].sort((a, b) => a - b),
  );
  const paged: string[] = [];
  for (let offset = 0; offset < whole.total; offset += 37) {
    const p = (
      await app.inject({ url: `/internal/v1/site-inventory?limit=37&offset=${offset}`, headers: INTERNAL })
    ).json<{
      total: number;
      items: Array<{ assetId: string }>;
    }>();
    assert.equal(p.total, whole.total);
    paged.push(...p.items.map((i) => i.assetId));
  }
  assert.deepEqual(
    paged,
    whole.items.map((i) => i.assetId),
  );
  // A value the page does not reach is not decoded: a broken one past the end costs nothing.
  const keys = ctx.bus.keys.sinv;
  await stores.redis
    .multi()
    .set(keys.bot(999999), Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0]))
    .sadd(keys.bots(), '999999')
    .exec();
  const first = await app.inject({ url: '/internal/v1/site-inventory?limit=5', headers: INTERNAL });
  assert.equal(first.statusCode, 200);
  assert.equal(first.json().total, expected.length + 9);
  await stores.redis.multi().del(keys.bot(999999)).srem(keys.bots(), '999999').exec();

  // The scheduled refresh-all: a paused bot is not read and leaves the listed site inventory.
  const paused = bots[2]!;
  await stores.dbs.main.updateTable('bots').set({ status: 'paused' }).where('id', '=', paused.id).execute();
  t.after(async () => {
    await stores.dbs.main.updateTable('bots').set({ status: 'active' }).where('id', '=', paused.id).execute();
  });
  const events = await queueEvents(ctx, 'inventory-refresh', t);
  sinv.jobs.startWorkers();
  const all = await ctx.bus.enqueue('inventory-refresh', 'refresh-all', { v: 1 });
  assert.deepEqual(await all.waitUntilFinished(events), { queued: 2 });
  assert.equal(await sinv.snapshot.readBot(paused.id), undefined);
  assert.ok(await sinv.snapshot.readBot(bots[0]!.id));
});

test('a trade moves items: the refresh job reconciles and writes the right added/removed to the outbox', async (t) => {
  const { ctx, sinv, bots } = await setup(t);
  const bot = bots[1]!;
  await sinv.reconcile.refreshBot(bot.id);
  const first = await outboxEvents(bot.id);
  assert.equal(first.length, 1, 'the first read: one event of every item');
  assert.deepEqual(first[0]!.added.map((a) => a.assetId).sort(), worldAssetIds(bot.steamId));
  // Nothing is published by sinv itself: the backend's outbox relay does it.
  const heard: SiteInventoryChangedV1[] = [];
  const sub = await ctx.bus.subscribe('site-inventory.changed', (e) => void heard.push(e));
  t.after(() => sub.unsubscribe());
  const user = emu.world.users()[0]!;
  const given = emu.world
    .inventory(bot.steamId, '2')
    .list()
    .slice(0, 2)
    .map((a) => a.assetid);
  const fromUser = emu.world.inventory(user.steamid, '2').list()[0]!.assetid;
  emu.world.moveAssets(bot.steamId, user.steamid, given);
  const [moved] = emu.world.moveAssets(user.steamid, bot.steamId, [fromUser]);
  const events = await queueEvents(ctx, 'inventory-refresh', t);
  sinv.jobs.startWorkers();
  const job = await sinv.jobs.refreshBot(bot.id, 'trade', 'trade-1');
  await job.waitUntilFinished(events);
  const written = (await outboxEvents(bot.id)).slice(first.length);
  assert.equal(written.length, 1);
  const e = written[0]!;
  assert.equal(e.botId, bot.id);
  assert.equal(e.botSteamId, bot.steamId);
  assert.deepEqual([...e.removed].sort(), [...given].sort());
  assert.deepEqual(
    e.added.map((a) => a.assetId),
    [moved!.newAssetid],
  );
  assert.equal(
    e.added[0]!.marketHashName,
    emu.world.description(emu.world.findAsset(bot.steamId, moved!.newAssetid)!).market_hash_name,
  );
  assert.deepEqual(await dbAssetIds(bot.id), worldAssetIds(bot.steamId));
  const snap = (await sinv.snapshot.readBot(bot.id))!;
  assert.deepEqual(snap.items.map((i) => i.assetId).sort(), worldAssetIds(bot.steamId));
  // A refresh that changes nothing writes no event.
  await sinv.reconcile.refreshBot(bot.id);
  assert.equal((await outboxEvents(bot.id)).length, first.length + 1);
  assert.deepEqual(heard, []);
});

test('a large change is split into bounded events, in order, on the bot as aggregate', async (t) => {
  const { ctx, sinv, bots } = await setup(t);
  const bot = bots[0]!;
  const reconcile = new ReconcileService({
    bots: sinv.bots,
    items: sinv.items,
    snapshot: sinv.snapshot,
    sessions: { cookieFor: () => Promise.resolve(undefined), invalidate: () => {} },
    steam: sinv.steam,
    logger: ctx.logger,
    siteEventMaxItems: 25,
  });
  // MySQL forgot the bot's items (as before its first read): the refresh adds all of them.
  await stores.dbs.main.deleteFrom('items').where('bot_id', '=', bot.id).execute();
  const before = (await outboxEvents(bot.id)).length;
  const r = await reconcile.refreshBot(bot.id);
  const written = (await outboxEvents(bot.id)).slice(before);
  assert.equal(written.length, Math.ceil(r.added / 25));
  assert.ok(written.length >= 2, `${r.added} items: several events`);
  for (const e of written) assert.ok(e.added.length + e.removed.length <= 25);
  assert.equal(new Set(written.map((e) => e.eventId)).size, written.length, 'one event id each');
  assert.deepEqual(written.flatMap((e) => e.added.map((a) => a.assetId)).sort(), await dbAssetIds(bot.id));
});

test('a failing refresh removes nothing: items are marked stale and the job retries with backoff', async (t) => {
  const { ctx, sinv, bots } = await setup(t);
  const bot = bots[2]!;
  await sinv.reconcile.refreshBot(bot.id);
  const before = await dbAssetIds(bot.id);
  // Items leave the bot, but Steam refuses to say so.
  const user = emu.world.users()[1]!;
  emu.world.moveAssets(bot.steamId, user.steamid, [emu.world.inventory(bot.steamId, '2').list()[0]!.assetid]);

  const faults: Array<[Record<string, unknown>, string]> = [
    [{ burst429: 1 }, 'rate_limited'],
    [{ eresult: 55, count: 1 }, 'unavailable'],
    [{ status5xx: 502, count: 1 }, 'unavailable'],
  ];
  for (const [rule, kind] of faults) {
    await emu.setFault('inventory', rule);
    await assert.rejects(sinv.reconcile.refreshBot(bot.id), (e: SteamInventoryError) => e.kind === kind);
    assert.deepEqual(await dbAssetIds(bot.id), before);
    const stale = await stores.dbs.main
      .selectFrom('items')
      .select('stale')
      .where('bot_id', '=', bot.id)
      .execute();
    assert.ok(stale.every((r) => r.stale === 1));
    const state = await stores.dbs.main
      .selectFrom('bots')
      .select(['inventory_failure'])
      .where('id', '=', bot.id)
      .executeTakeFirstOrThrow();
    assert.equal(state.inventory_failure, kind);
    assert.equal((await sinv.snapshot.readBot(bot.id))!.stale, true);
  }
  // Steam's "empty but not empty" answer (success, no assets, a total above zero) is no
  // confirmation either: nothing is removed and the items it did not show stay stale.
  await emu.setFault('inventory', { glitch: true });
  const glitched = await sinv.reconcile.refreshBot(bot.id);
  assert.deepEqual([glitched.complete, glitched.removed], [false, 0]);
  assert.deepEqual(await dbAssetIds(bot.id), before);
  const unconfirmed = await stores.dbs.main
    .selectFrom('items')
    .select('stale')
    .where('bot_id', '=', bot.id)
    .execute();
  assert.ok(unconfirmed.every((r) => r.stale === 1));
  assert.equal((await sinv.snapshot.readBot(bot.id))!.stale, true);
  await emu.clearFaults();

  // Through the queue: the first attempt meets a 429, the retry (after backoff) succeeds.
  await emu.setFault('inventory', { burst429: 1 });
  const events = await queueEvents(ctx, 'inventory-refresh', t);
  sinv.jobs.startWorkers();
  const job = await sinv.jobs.refreshBot(bot.id, 'manual');
  const result = (await job.waitUntilFinished(events)) as { removed: number };
  assert.equal(result.removed, 1);
  const done = await ctx.bus.queue('inventory-refresh').getJob(job.id!);
  assert.equal(done?.attemptsMade, 2);
  assert.deepEqual(await dbAssetIds(bot.id), worldAssetIds(bot.steamId));
  const stale = await stores.dbs.main
    .selectFrom('items')
    .select('stale')
    .where('bot_id', '=', bot.id)
    .execute();
  assert.ok(stale.every((r) => r.stale === 0));

  // A dead session: refused as session_expired, items kept.
  await emu.control('POST', `_emulator/accounts/${bot.steamId}/expire-session`);
  await assert.rejects(
    sinv.reconcile.refreshBot(bot.id),
    (e: SteamInventoryError) => e.kind === 'session_expired',
  );
  assert.deepEqual(await dbAssetIds(bot.id), worldAssetIds(bot.steamId));
});

test('internal routes need the internal token; a plain cross-site POST reaches nothing', async (t) => {
  const { ctx, sinv, pricing, bots } = await setup(t);
  const app = await buildSinvApp(ctx, {
    enricher: pricing.enricher,
    snapshot: sinv.snapshot,
    jobs: sinv.jobs,
  });
  t.after(() => app.close());
  const url = `/internal/v1/bots/${bots[0]!.id}/refresh`;
  // What a form on another site can send: no Authorization header.
  const forged = await app.inject({
    method: 'POST',
    url,
    headers: { origin: 'https://evil.test', 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'x=1',
  });
  assert.equal(forged.statusCode, 401);
  assert.equal(forged.json().error.code, 'UNAUTHENTICATED');
  const wrong = await app.inject({
    method: 'POST',
    url,
    headers: { authorization: 'Bearer not-the-token-at-all' },
  });
  assert.equal(wrong.statusCode, 401);
  const ok = await app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${TEST_INTERNAL_TOKEN}` },
  });
  assert.equal(ok.statusCode, 202);
  assert.equal(ok.json().queued, true);
});

test('Redis down: the site inventory answers 503 DEPENDENCY_UNAVAILABLE, never 500', async (t) => {
  const { ctx } = await inventoryContext(t, emu, stores, {
    REDIS_URL: 'redis://127.0.0.1:1',
    REDIS_CLUSTER: 'false',
  });
  const pricing = createPricing(ctx);
  const sinv = createSinv(ctx, { pricing });
  const app = await buildSinvApp(ctx, {
    enricher: pricing.enricher,
    snapshot: sinv.snapshot,
    jobs: sinv.jobs,
  });
  t.after(() => app.close());
  const res = await app.inject({ url: '/internal/v1/site-inventory?limit=5', headers: INTERNAL });
  assert.equal(res.statusCode, 503, res.body);
  assert.equal(res.json().error.code, 'DEPENDENCY_UNAVAILABLE');
});

test('every route of sinv and cinv is described (params, query, body, response) and served at /docs', async (t) => {
  const { ctx, sinv, pricing } = await setup(t);
  const sinvApp = await buildSinvApp(ctx, {
    enricher: pricing.enricher,
    snapshot: sinv.snapshot,
    jobs: sinv.jobs,
  });
  const cinvApp = await buildCinvApp(ctx, {
    enricher: pricing.enricher,
    inventories: createCinv(ctx).inventories,
  });
  t.after(() => Promise.all([sinvApp.close(), cinvApp.close()]));
  assert.deepEqual(await documentationProblems(sinvApp), []);
  assert.deepEqual(await documentationProblems(cinvApp), []);
});
