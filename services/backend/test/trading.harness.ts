// The trading API against real parts: the Steam emulator over HTTP, fresh MariaDB databases
// and Redis, the inventory service's own sinv (bots' items into MySQL, the price import) and cinv
// (users' inventories, over HTTP), and the backend built as production builds it.
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { toMinor } from '@platform/core';
import type { Env } from '@platform/config';
import { SessionStore } from '@platform/http';
import {
  buildCinvApp,
  createCinv,
  createPricing,
  createSinv,
  loadConfig as loadInventoryConfig,
  seedBotsFromEmulator,
} from '@platform/inventory';
import {
  createTestContext,
  factory,
  startEmulator,
  startStores,
  uniquePrefix,
  type Emulator,
  type Stores,
  type TestContext,
} from '@platform/testing';
import { createBackend } from '../src/app.ts';
import { loadConfig, type BackendConfig } from '../src/config.ts';

export const SITE = 'https://site.test';

export interface Trading {
  emu: Emulator;
  stores: Stores;
  backend: Awaited<ReturnType<typeof createBackend>>;
  app: FastifyInstance;
  ctx: TestContext<BackendConfig>['ctx'];
  /** The inventory service's sinv (same stores and Redis prefix), and the env it was built from. */
  sinv: ReturnType<typeof createSinv>;
  inventoryEnv: Env;
  /** Closes everything (in order). */
  close(): Promise<void>;
}

export interface TradingOptions {
  bots?: number;
  itemsPerBot?: number;
  users?: number;
  env?: Env;
  /** Start the relay and the sweeper (backend.start()). */
  start?: boolean;
}

/** Emulator + stores + inventory (sinv read every bot, prices imported, cinv listening) + backend. */
export async function startTrading(opts: TradingOptions = {}): Promise<Trading> {
  const [emu, stores] = await Promise.all([
    startEmulator({
      seed: 21,
      bots: opts.bots ?? 2,
      itemsPerBot: opts.itemsPerBot ?? 40,
      users: opts.users ?? 4,
      userItemsMin: 12,
      userItemsMax: 24,
    }),
    startStores(),
  ]);
  const prefix = uniquePrefix('test:trade');
  const inventoryEnv: Env = {
    REDIS_KEY_PREFIX: prefix,
    STEAM_COMMUNITY_URL: emu.url.toString(),
    STEAM_EMULATOR_URL: emu.url.toString(),
    PRICE_FEED_URL: new URL('_emulator/prices', emu.url).toString(),
    ACCEPT_MIN_PRICE_CENTS: '1',
    ACCEPT_OVERSTOCK_CAP: '1000',
    CINV_CACHE_FRESH_MS: '600000',
  };
  const inventory = await createTestContext(loadInventoryConfig, {
    stores,
    name: 'inventory',
    env: inventoryEnv,
  });
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
  const cinvUrl = `http://127.0.0.1:${(cinv.server.address() as AddressInfo).port}/`;

  const test = await createTestContext(loadConfig, {
    stores,
    name: 'backend',
    env: {
      REDIS_KEY_PREFIX: prefix,
      CINV_URL: cinvUrl,
      ALLOWED_ORIGINS: SITE,
      SESSION_CACHE_MS: '0',
      ACCEPT_MIN_PRICE_CENTS: '1',
      ACCEPT_OVERSTOCK_CAP: '1000',
      TRADE_SWEEP_INTERVAL_MS: '3600000',
      OUTBOX_POLL_MS: '20',
      ...opts.env,
    },
  });
  const backend = await createBackend(test.ctx);
  if (opts.start !== false) await backend.start();
  else await backend.prices.start();
  return {
    emu,
    stores,
    backend,
    app: backend.app,
    ctx: test.ctx,
    sinv,
    inventoryEnv,
    async close() {
      await backend.app.close();
      await test.close();
      await cinv.close();
      await inventory.close();
      await emu.close();
      await stores.close();
    },
  };
}

export interface Player {
  userId: string;
  steamId: string;
  headers: Record<string, string>;
}

/** A user of the site: an emulator account, its user row with the trade URL, and a session. */
export async function player(
  t: Trading,
  index: number,
  opts: { tradeUrl?: boolean; balance?: bigint } = {},
): Promise<Player> {
  const account = t.emu.world.users()[index];
  if (!account) throw new Error(`the world has no user ${index}`);
  const existing = await t.stores.dbs.main
    .selectFrom('users')
    .select('id')
    .where('steam_id', '=', account.steamid)
    .executeTakeFirst();
  const userId =
    existing?.id ??
    (
      await factory.user(t.stores.dbs.main, {
        steamId: account.steamid,
        personaName: account.persona,
        ...(opts.tradeUrl === false
          ? {}
          : { tradeUrl: { partnerId: account.accountId, token: account.tradeToken } }),
      })
    ).id;
  if (opts.balance && opts.balance > 0n) await fund(t, userId, opts.balance);
  const sessions = new SessionStore(t.ctx.redis, {
    keyPrefix: t.ctx.config.redis.keyPrefix,
    ...t.ctx.config.session,
  });
  const { token } = await sessions.create({
    userId,
    steamId: account.steamid,
    ip: '127.0.0.1',
    userAgent: 'test',
  });
  return {
    userId,
    steamId: account.steamid,
    headers: { cookie: `${t.ctx.config.session.cookieName}=${token}`, origin: SITE },
  };
}

/** Credits a balance as an operator would (through the ledger). */
export async function fund(t: Trading, userId: string, amount: bigint): Promise<void> {
  const user = await t.stores.dbs.main
    .selectFrom('users')
    .select('steam_id')
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  await t.backend.balance.adjust(user.steam_id, amount, 'test funds', 'test');
}

export function createTrade(
  t: Trading,
  p: Player,
  body: { give?: string[]; receive?: string[] },
  key: string = randomUUID(),
) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/trades',
    headers: { ...p.headers, 'idempotency-key': key },
    payload: body,
  });
}

/** Site items on offer (not reserved), with their withdrawal prices, cheapest first. */
export async function siteItems(t: Trading, limit = 1000) {
  const rows = await t.stores.dbs.main
    .selectFrom('items')
    .leftJoin('reservations', (j) =>
      j.onRef('reservations.asset_id', '=', 'items.asset_id').on('reservations.released_at', 'is', null),
    )
    .select(['items.asset_id', 'items.bot_id', 'items.market_hash_name', 'items.category'])
    .where('reservations.id', 'is', null)
    .where('items.tradable', '=', 1)
    .where('items.tradable_after', 'is', null)
    .limit(limit)
    .execute();
  const now = new Date();
  return rows
    .map((r) => ({
      assetId: r.asset_id,
      botId: r.bot_id,
      marketHashName: r.market_hash_name,
      price: t.backend.prices.book.priceOf(r.market_hash_name, r.category as never, now)?.withdraw ?? null,
    }))
    .filter((r): r is typeof r & { price: bigint } => r.price !== null)
    .sort((a, b) => (a.price < b.price ? -1 : a.price > b.price ? 1 : 0));
}

/** A user's items the site accepts, with what it pays, from GET /api/v1/inventory/me. */
export async function givable(t: Trading, p: Player) {
  const res = await t.app.inject({ url: '/api/v1/inventory/me', headers: p.headers });
  if (res.statusCode !== 200) throw new Error(`inventory/me answered ${res.statusCode}: ${res.body}`);
  return res
    .json<{ items: Array<{ assetId: string; price: number | null; accepted: boolean }> }>()
    .items.filter((i) => i.accepted && i.price !== null)
    .map((i) => ({ assetId: i.assetId, price: BigInt(i.price!) }));
}

export async function balanceOf(t: Trading, userId: string): Promise<{ amount: bigint; debt: bigint }> {
  const b = await t.stores.dbs.main
    .selectFrom('balances')
    .select(['amount', 'debt'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return { amount: b ? toMinor(b.amount) : 0n, debt: b ? toMinor(b.debt) : 0n };
}

/** Invariant 2: the sum of a user's ledger equals the balance, and no row went below zero. */
export async function assertLedgerMatches(t: Trading, userId: string): Promise<void> {
  const rows = await t.stores.dbs.main
    .selectFrom('ledger')
    .select(['delta', 'balance_after'])
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute();
  let sum = 0n;
  for (const r of rows) {
    sum += toMinor(r.delta);
    if (toMinor(r.balance_after) !== sum)
      throw new Error(`ledger of ${userId}: balance_after ${r.balance_after} != running sum ${sum}`);
    if (sum < 0n) throw new Error(`ledger of ${userId} went below zero`);
  }
  const { amount } = await balanceOf(t, userId);
  if (sum !== amount) throw new Error(`ledger of ${userId} sums to ${sum}, balance is ${amount}`);
}

export const internal = (t: Trading) => ({ authorization: `Bearer ${t.ctx.config.internal.token}` });

/** The tradebot's reports, through the internal API. */
export async function report(t: Trading, path: string, payload?: unknown) {
  return t.app.inject({
    method: 'POST',
    url: `/internal/v1/trades/${path}`,
    headers: internal(t),
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

export async function planOf(t: Trading, tradeId: string) {
  const res = await t.app.inject({ url: `/internal/v1/trades/${tradeId}`, headers: internal(t) });
  if (res.statusCode !== 200) throw new Error(`plan answered ${res.statusCode}: ${res.body}`);
  return res.json<{
    offers: Array<{
      id: string;
      botId: number | null;
      state: string;
      give: Array<{ assetId: string }>;
      receive: Array<{ assetId: string }>;
    }>;
  }>();
}
