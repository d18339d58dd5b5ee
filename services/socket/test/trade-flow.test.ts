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
import { SessionStore, createServiceContext } from '@platform/http';
import { createTradebot, loadConfig as loadTradebotConfig } from '@platform/tradebot';
import {
  createTestContext,
  factory,
  startEmulator,
  startStores,
  testEnv,
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
let prefix: string;
const closers: Array<() => Promise<unknown>> = [];

before(async () => {
  [emu, stores] = await Promise.all([
    startEmulator({ seed: 21, bots: 1, itemsPerBot: 20, users: 2, userItemsMin: 2, userItemsMax: 4 }),
    startStores(),
  ]);
  prefix = uniquePrefix('test:live-trade');
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
  // Listening: the tradebot reports to it over HTTP.
  await backend.app.listen({ host: '127.0.0.1', port: 0 });
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

/** A world user of the emulator as a site user with a session: its cookie and headers. */
async function player(index: number) {
  const account = emu.world.users()[index]!;
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
  return { account, user, cookie, headers: { cookie, origin: SITE } };
}

/** The trade's states as the backend's outbox recorded them (the source of truth), in order. */
async function recordedStates(tradeId: string): Promise<string[]> {
  const rows = await stores.dbs.main
    .selectFrom('outbox')
    .select('payload')
    .where('topic', '=', 'event:trade.updated')
    .where('aggregate_id', '=', `trade:${tradeId}`)
    .orderBy('id')
    .execute();
  return rows.map(
    (r) =>
      ((typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as { trade: { state: string } })
        .trade.state,
  );
}

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

test('with the tradebot carrying it out against Steam (the emulator), the client sees the trade move to completion', async () => {
  const me = await player(1);
  const watcher = client(live.url, { cookie: me.cookie });
  await watcher.ready;
  await backend.balance.adjust(me.account.steamid, 10_000_000n, 'test funds', 'test');
  // The user's Steam side accepts (and confirms) the bot's offer as soon as it arrives.
  await emu.control('PUT', `_emulator/accounts/${me.account.steamid}/offer-policy`, {
    mode: 'accept',
    afterMs: 0,
  });
  const t = await createServiceContext(
    'tradebot',
    loadTradebotConfig(
      testEnv(stores, {
        REDIS_KEY_PREFIX: prefix,
        BACKEND_URL: `http://127.0.0.1:${(backend.app.server.address() as AddressInfo).port}/`,
        STEAM_COMMUNITY_URL: emu.url.toString(),
        STEAM_WEB_API_URL: emu.url.toString(),
        STEAM_EMULATOR_URL: emu.url.toString(),
        PORT: '0',
        TRADEBOT_LEASE_MS: '2000',
        TRADEBOT_HEARTBEAT_MS: '300',
        TRADEBOT_POLL_MS: '500',
        TRADEBOT_HOT_POLL_MS: '100',
        TRADEBOT_DISPATCH_MS: '50',
        TRADEBOT_SEND_GRACE_MS: '300',
        STEAM_TIMEOUT_MS: '3000',
      }),
    ),
  );
  const tradebot = await createTradebot(t.ctx);
  await tradebot.start();
  try {
    const item = await stores.dbs.main
      .selectFrom('items')
      .leftJoin('reservations', (j) =>
        j.onRef('reservations.asset_id', '=', 'items.asset_id').on('reservations.released_at', 'is', null),
      )
      .select('items.asset_id')
      .where('reservations.id', 'is', null)
      .where('items.tradable', '=', 1)
      .where('items.tradable_after', 'is', null)
      .orderBy('items.asset_id', 'desc')
      .executeTakeFirstOrThrow();
    const created = await backend.app.inject({
      method: 'POST',
      url: '/api/v1/trades',
      headers: { ...me.headers, 'idempotency-key': randomUUID() },
      payload: { receive: [String(item.asset_id)] },
    });
    assert.equal(created.statusCode, 201, created.body);
    const tradeId = created.json<{ id: string }>().id;
    const last = () => watcher.of('trade:update').at(-1)?.trade as { id: string; state: string } | undefined;
    await eventually(() => last()?.state === 'completed', 60_000);
    const recorded = await recordedStates(tradeId);
    assert.equal(recorded.at(-1), 'completed');
    assert.deepEqual(
      watcher.of('trade:update').map((u) => (u.trade as { state: string }).state),
      recorded,
      'every state the backend recorded, in order, once',
    );
    await eventually(() =>
      watcher.of('site:items').some((m) => (m.removed as string[]).includes(String(item.asset_id))),
    );
  } finally {
    watcher.close();
    await tradebot.app.close();
    await t.close();
    await emu.control('DELETE', `_emulator/accounts/${me.account.steamid}/offer-policy`);
  }
});
