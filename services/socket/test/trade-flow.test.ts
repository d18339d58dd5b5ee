// A trade made through the real backend, watched live: the Steam emulator over HTTP, the
// inventory service's sinv and cinv, the backend (its outbox relay publishing), and the socket
// server, all on fresh databases and one Redis prefix. The client sees the trade pass through
// each state in order, its balance change, and the site events for its item.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createBackend, loadConfig as loadBackendConfig } from '@platform/backend';
import {
  buildCinvApp,
  createCinv,
  createPricing,
  createSinv,
  loadConfig as loadInventoryConfig,
  seedBotsFromEmulator,
} from '@platform/inventory';
import { SessionStore } from '@platform/http';
import {
  createTestContext,
  factory,
  startEmulator,
  startStores,
  TEST_INTERNAL_TOKEN,
  uniquePrefix,
  type Emulator,
  type Stores,
} from '@platform/testing';
import { client, eventually, startLive, type Live } from './live.harness.ts';

const SITE = 'https://site.test';
let emu: Emulator;
let stores: Stores;
let live: Live;
let backend: Awaited<ReturnType<typeof createBackend>>;
const closers: Array<() => Promise<unknown>> = [];

before(async () => {
  [emu, stores] = await Promise.all([
    startEmulator({ seed: 21, bots: 1, itemsPerBot: 20, users: 2, userItemsMin: 2, userItemsMax: 4 }),
    startStores(),
  ]);
  const prefix = uniquePrefix('test:live-trade');
  const inventory = await createTestContext(loadInventoryConfig, {
    stores,
    name: 'inventory',
    env: {
      REDIS_KEY_PREFIX: prefix,
      STEAM_COMMUNITY_URL: emu.url.toString(),
      STEAM_EMULATOR_URL: emu.url.toString(),
      PRICE_FEED_URL: new URL('_emulator/prices', emu.url).toString(),
      ACCEPT_MIN_PRICE_CENTS: '1',
    },
  });
  closers.push(() => inventory.close());
  const pricing = createPricing(inventory.ctx);
  await pricing.importer.run();
  await pricing.start();
  await seedBotsFromEmulator(inventory.ctx);
  const sinv = createSinv(inventory.ctx, { pricing });
  for (const bot of await sinv.bots.listActive()) await sinv.reconcile.refreshBot(bot.id);
  const cinv = await buildCinvApp(inventory.ctx, {
    enricher: pricing.enricher,
    ...createCinv(inventory.ctx),
  });
  await cinv.listen({ host: '127.0.0.1', port: 0 });
  closers.unshift(() => cinv.close());
  const back = await createTestContext(loadBackendConfig, {
    stores,
    name: 'backend',
    env: {
      REDIS_KEY_PREFIX: prefix,
      CINV_URL: `http://127.0.0.1:${(cinv.server.address() as AddressInfo).port}/`,
      ALLOWED_ORIGINS: SITE,
      SESSION_CACHE_MS: '0',
      ACCEPT_MIN_PRICE_CENTS: '1',
      TRADE_SWEEP_INTERVAL_MS: '3600000',
      OUTBOX_POLL_MS: '20',
    },
  });
  backend = await createBackend(back.ctx);
  await backend.start();
  closers.unshift(async () => {
    await backend.app.close();
    await back.close();
  });
  live = await startLive(stores, { REDIS_KEY_PREFIX: prefix, ALLOWED_ORIGINS: SITE });
  closers.unshift(() => live.close());
  await eventually(() => live.server.sequencer.isLeader);
});
after(async () => {
  for (const close of closers) await close();
  await emu.close();
  await stores.close();
});

test('a client sees its withdrawal pass through each state in order, its balance change and the site events of its item', async () => {
  const account = emu.world.users()[0]!;
  const user = await factory.user(stores.dbs.main, {
    steamId: account.steamid,
    personaName: account.persona,
    tradeUrl: { partnerId: account.accountId, token: account.tradeToken },
  });
  const sessions = new SessionStore(live.ctx.redis, {
    keyPrefix: live.ctx.config.redis.keyPrefix,
    ...live.ctx.config.session,
  });
  const { token } = await sessions.create({
    userId: user.id,
    steamId: account.steamid,
    ip: '127.0.0.1',
    userAgent: 'test',
  });
  const cookie = `${live.ctx.config.session.cookieName}=${token}`;
  const headers = { cookie, origin: SITE };
  const watcher = client(live.url, { cookie });
  const anonymous = client(live.url);
  await Promise.all([watcher.ready, anonymous.ready]);

  await backend.balance.adjust(account.steamid, 10_000_000n, 'test funds', 'test');
  const item = await stores.dbs.main
    .selectFrom('items')
    .select(['asset_id', 'bot_id'])
    .where('tradable', '=', 1)
    .where('tradable_after', 'is', null)
    .orderBy('asset_id')
    .executeTakeFirstOrThrow();
  const assetId = String(item.asset_id);
  const created = await backend.app.inject({
    method: 'POST',
    url: '/api/v1/trades',
    headers: { ...headers, 'idempotency-key': randomUUID() },
    payload: { give: [], receive: [assetId] },
  });
  assert.equal(created.statusCode, 201, created.body);
  const tradeId = created.json<{ id: string }>().id;
  const internal = { authorization: `Bearer ${TEST_INTERNAL_TOKEN}` };
  const report = async (path: string, payload: object) => {
    const res = await backend.app.inject({
      method: 'POST',
      url: `/internal/v1/trades/${tradeId}/${path}`,
      headers: internal,
      payload,
    });
    assert.equal(res.statusCode, 200, res.body);
  };
  const plan = (await backend.app.inject({ url: `/internal/v1/trades/${tradeId}`, headers: internal })).json<{
    offers: Array<{ id: string; botId: number }>;
  }>();
  const offer = plan.offers[0]!;
  await report(`offers/${offer.id}/intent`, { botId: offer.botId });
  await report(`offers/${offer.id}/sent`, { steamOfferId: '4400001' });
  await report(`offers/${offer.id}/accepted`, { steamTradeId: '5500001', received: [] });

  const final = (await backend.app.inject({ url: `/api/v1/trades/${tradeId}`, headers })).json<{
    state: string;
  }>();
  assert.equal(final.state, 'completed');
  // The states the backend went through, as its outbox recorded them (the source of truth).
  const recorded = (
    await stores.dbs.main
      .selectFrom('outbox')
      .select('payload')
      .where('topic', '=', 'event:trade.updated')
      .where('aggregate_id', '=', `trade:${tradeId}`)
      .orderBy('id')
      .execute()
  ).map(
    (r) =>
      ((typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as { trade: { state: string } })
        .trade.state,
  );
  assert.ok(recorded.length >= 3, `states recorded: ${recorded.join(', ')}`);
  await eventually(
    () =>
      watcher.of('trade:update').at(-1)?.trade !== undefined &&
      (watcher.of('trade:update').at(-1)!.trade as { state: string }).state === 'completed',
  );
  const seen = watcher.of('trade:update');
  assert.deepEqual(
    seen.map((u) => (u.trade as { state: string }).state),
    recorded,
    'every state, in order, once',
  );
  const seqs = watcher.events
    .filter((e) => ['trade:update', 'balance:update', 'trade:notice'].includes(e.event))
    .map((e) => e.data.seq as number);
  assert.deepEqual(
    seqs,
    seqs.map((_, i) => seqs[0]! + i),
    'one user stream, no gap',
  );
  // The balance: funded, then held or charged by the withdrawal.
  await eventually(() => watcher.of('balance:update').length >= 2);
  const balance = (await backend.app.inject({ url: '/api/v1/balance', headers })).json<{ amount: number }>();
  await eventually(() => watcher.of('balance:update').at(-1)!.amount === balance.amount);
  // Everyone saw the item reserved, then leave the site.
  for (const c of [watcher, anonymous]) {
    await eventually(() => c.of('site:items').some((m) => (m.reserved as string[]).includes(assetId)));
    await eventually(() => c.of('site:items').some((m) => (m.removed as string[]).includes(assetId)));
  }
  assert.equal(anonymous.of('trade:update').length, 0);
  assert.equal(anonymous.of('balance:update').length, 0);
  watcher.close();
  anonymous.close();
});
