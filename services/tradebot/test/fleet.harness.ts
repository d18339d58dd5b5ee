// The fleet against real parts: the Steam emulator over HTTP, fresh MariaDB databases and Redis,
// the inventory service (bots seeded from the emulator, their items read by sinv, prices
// imported, cinv for users' inventories) and the backend listening on a port, as in
// production; the tradebot in this process or as child processes (the kill tests).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createBackend, loadConfig as loadBackendConfig } from '@platform/backend';
import { toMinor } from '@platform/core';
import type { Env } from '@platform/config';
import { SessionStore, createServiceContext } from '@platform/http';
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
  eventually,
  factory,
  startEmulator,
  startStores,
  testEnv,
  uniquePrefix,
} from '@platform/testing';
import { createTradebot, loadConfig, type Tradebot, type TradebotOptions } from '../src/index.ts';

export const SITE = 'https://site.test';
const FINAL = ['completed', 'declined', 'expired', 'canceled', 'failed', 'reversed'];

export interface FleetOptions {
  bots?: number;
  itemsPerBot?: number;
  users?: number;
  backendEnv?: Env;
}

/** Fast timings for tests: short leases, quick polls, a short Steam timeout. */
export const FAST: Env = {
  TRADEBOT_LEASE_MS: '2000',
  TRADEBOT_HEARTBEAT_MS: '300',
  TRADEBOT_POLL_MS: '500',
  TRADEBOT_HOT_POLL_MS: '100',
  TRADEBOT_FULL_SWEEP_MS: '3000',
  TRADEBOT_DISPATCH_MS: '50',
  TRADEBOT_SEND_GRACE_MS: '300',
  STEAM_TIMEOUT_MS: '3000',
  TRADEBOT_REVERSAL_CHECK_MS: '300',
  BOT_LOGIN_BACKOFF_MS: '500',
  BOT_LOGIN_MAX_BACKOFF_MS: '2000',
};

export async function startFleet(opts: FleetOptions = {}) {
  const [emu, stores] = await Promise.all([
    startEmulator({
      seed: 31,
      bots: opts.bots ?? 2,
      itemsPerBot: opts.itemsPerBot ?? 40,
      users: opts.users ?? 4,
      userItemsMin: 12,
      userItemsMax: 24,
    }),
    startStores(),
  ]);
  const prefix = uniquePrefix('test:bot');
  const inventory = await createTestContext(loadInventoryConfig, {
    stores,
    name: 'inventory',
    env: {
      REDIS_KEY_PREFIX: prefix,
      STEAM_COMMUNITY_URL: emu.url.toString(),
      STEAM_EMULATOR_URL: emu.url.toString(),
      PRICE_FEED_URL: new URL('_emulator/prices', emu.url).toString(),
      ACCEPT_MIN_PRICE_CENTS: '1',
      ACCEPT_OVERSTOCK_CAP: '1000',
      CINV_CACHE_FRESH_MS: '600000',
    },
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

  const backendTest = await createTestContext(loadBackendConfig, {
    stores,
    name: 'backend',
    env: {
      REDIS_KEY_PREFIX: prefix,
      CINV_URL: cinvUrl,
      ALLOWED_ORIGINS: SITE,
      SESSION_CACHE_MS: '0',
      ACCEPT_MIN_PRICE_CENTS: '1',
      ACCEPT_OVERSTOCK_CAP: '1000',
      TRADE_INVENTORY_MAX_AGE_MS: '0',
      TRADE_SWEEP_INTERVAL_MS: '500',
      OUTBOX_POLL_MS: '20',
      ...opts.backendEnv,
    },
  });
  const backend = await createBackend(backendTest.ctx);
  await backend.start();
  await backend.app.listen({ host: '127.0.0.1', port: 0 });
  const backendUrl = `http://127.0.0.1:${(backend.app.server.address() as AddressInfo).port}/`;
  const db = stores.dbs.main;

  /** The env a tradebot of this run starts with (in process or as a child). */
  const tradebotEnv = (env: Env = {}): Env =>
    testEnv(stores, {
      REDIS_KEY_PREFIX: prefix,
      BACKEND_URL: backendUrl,
      STEAM_COMMUNITY_URL: emu.url.toString(),
      STEAM_WEB_API_URL: emu.url.toString(),
      STEAM_EMULATOR_URL: emu.url.toString(),
      PORT: '0',
      ...FAST,
      ...env,
    });

  const tradebots: Array<{ tb: Tradebot; close(): Promise<void> }> = [];
  const children = new Set<ChildProcess>();

  const h = {
    emu,
    stores,
    db,
    prefix,
    backend,
    backendUrl,
    backendCtx: backendTest.ctx,
    sinv,
    tradebotEnv,
    /** A tradebot in this process, started. */
    async startTradebot(env: Env = {}, processId?: string, opts: TradebotOptions = {}): Promise<Tradebot> {
      // Not createTestContext: its close deletes every key of the prefix, which this run's
      // backend shares (queues, leases).
      const t = await createServiceContext('tradebot', loadConfig(tradebotEnv(env)));
      const tb = await createTradebot(t.ctx, { ...opts, ...(processId ? { processId } : {}) });
      await tb.start();
      const entry = {
        tb,
        close: async () => {
          await tb.app.close();
          await t.close();
        },
      };
      tradebots.push(entry);
      return tb;
    },
    async stopTradebot(tb: Tradebot): Promise<void> {
      const i = tradebots.findIndex((x) => x.tb === tb);
      if (i >= 0) await tradebots.splice(i, 1)[0]!.close();
    },
    /** A tradebot as its own process (`node services/tradebot/src/main.ts`). */
    spawnTradebot(env: Env = {}): ChildProcess {
      const child = spawn(process.execPath, ['services/tradebot/src/main.ts'], {
        env: { ...process.env, ...tradebotEnv(env) },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      children.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    },
    async player(index: number, balance = 0n) {
      const account = emu.world.users()[index];
      if (!account) throw new Error(`no user ${index}`);
      const existing = await db
        .selectFrom('users')
        .select('id')
        .where('steam_id', '=', account.steamid)
        .executeTakeFirst();
      const userId =
        existing?.id ??
        (
          await factory.user(db, {
            steamId: account.steamid,
            personaName: account.persona,
            tradeUrl: { partnerId: account.accountId, token: account.tradeToken },
          })
        ).id;
      if (balance > 0n) await backend.balance.adjust(account.steamid, balance, 'test funds', 'test');
      const sessions = new SessionStore(backendTest.ctx.redis, {
        keyPrefix: backendTest.ctx.config.redis.keyPrefix,
        ...backendTest.ctx.config.session,
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
        headers: { cookie: `${backendTest.ctx.config.session.cookieName}=${token}`, origin: SITE },
      };
    },
    /** The user's Steam side accepts (and confirms) every offer as soon as it is active. */
    async autoAccept(steamId: string, mode: 'accept' | 'decline' | 'ignore' = 'accept', afterMs = 0) {
      await emu.control('PUT', `_emulator/accounts/${steamId}/offer-policy`, { mode, afterMs });
    },
    async createTrade(p: { headers: Record<string, string> }, body: { give?: string[]; receive?: string[] }) {
      const res = await backend.app.inject({
        method: 'POST',
        url: '/api/v1/trades',
        headers: { ...p.headers, 'idempotency-key': randomUUID() },
        payload: body,
      });
      if (res.statusCode !== 201 && res.statusCode !== 200)
        throw new Error(`trade creation answered ${res.statusCode}: ${res.body}`);
      return res.json<{ id: string; state: string }>();
    },
    async cancelTrade(p: { headers: Record<string, string> }, id: string) {
      return backend.app.inject({ method: 'POST', url: `/api/v1/trades/${id}/cancel`, headers: p.headers });
    },
    async tradeState(id: string): Promise<{ state: string; cancel_reason: string | null }> {
      return db
        .selectFrom('trades')
        .select(['state', 'cancel_reason'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
    },
    async waitFinal(id: string, timeoutMs = 30_000): Promise<string> {
      let s = '';
      await eventually(async () => FINAL.includes((s = (await h.tradeState(id)).state)), timeoutMs).catch(
        () => {
          throw new Error(`trade ${id} is still ${s}`);
        },
      );
      return s;
    },
    async offersOf(tradeId: string) {
      return db.selectFrom('offers').selectAll().where('trade_id', '=', tradeId).execute();
    },
    async botOffersOf(tradeId: string) {
      return db.selectFrom('bot_offers').selectAll().where('trade_id', '=', tradeId).execute();
    },
    /** Site items on offer (not reserved), tradable, with a price, cheapest first. */
    async siteItems(limit = 1000) {
      const rows = await db
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
          price: backend.prices.book.priceOf(r.market_hash_name, r.category as never, now)?.withdraw ?? null,
        }))
        .filter((r): r is typeof r & { price: bigint } => r.price !== null)
        .sort((a, b) => (a.price < b.price ? -1 : a.price > b.price ? 1 : 0));
    },
    /** A user's items the site accepts, cheapest first. */
    async givable(p: { headers: Record<string, string> }) {
      const res = await backend.app.inject({ url: '/api/v1/inventory/me', headers: p.headers });
      if (res.statusCode !== 200) throw new Error(`inventory/me answered ${res.statusCode}: ${res.body}`);
      return res
        .json<{ items: Array<{ assetId: string; price: number | null; accepted: boolean }> }>()
        .items.filter((i) => i.accepted && i.price !== null)
        .map((i) => ({ assetId: i.assetId, price: BigInt(i.price!) }))
        .sort((a, b) => (a.price < b.price ? -1 : 1));
    },
    async balanceOf(userId: string): Promise<bigint> {
      const b = await db
        .selectFrom('balances')
        .select('amount')
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return b ? toMinor(b.amount) : 0n;
    },
    /** Invariant 2: the ledger sums to the balance, and never went below zero. */
    async assertLedger(userId: string): Promise<void> {
      const rows = await db
        .selectFrom('ledger')
        .select(['delta', 'balance_after'])
        .where('user_id', '=', userId)
        .orderBy('id')
        .execute();
      let sum = 0n;
      for (const r of rows) {
        sum += toMinor(r.delta);
        if (toMinor(r.balance_after) !== sum)
          throw new Error(`ledger of ${userId}: balance_after != running sum`);
        if (sum < 0n) throw new Error(`ledger of ${userId} went below zero`);
      }
      const amount = await h.balanceOf(userId);
      if (sum !== amount) throw new Error(`ledger of ${userId} sums to ${sum}, balance is ${amount}`);
    },
    /** Every Steam offer a bot sent, as the emulator knows them (for "no duplicate offer"). */
    async steamOffersOfBots(): Promise<
      Array<{ tradeofferid: string; message: string; trade_offer_state: number }>
    > {
      const out: Array<{ tradeofferid: string; message: string; trade_offer_state: number }> = [];
      for (const b of emu.world.bots()) {
        const r = (await emu.control('GET', `_emulator/accounts/${b.steamid}/offers`)) as {
          offers?: Array<{
            tradeofferid: string;
            message: string;
            trade_offer_state: number;
            is_our_offer?: boolean;
          }>;
        };
        out.push(...(r.offers ?? []).filter((o) => o.is_our_offer !== false));
      }
      return out;
    },
    async close() {
      for (const c of children) c.kill('SIGKILL');
      for (const t of tradebots.splice(0)) await t.close();
      await backend.app.close();
      await backendTest.close();
      await cinv.close();
      await inventory.close();
      await emu.close();
      await stores.close();
    },
  };
  return h;
}

export type Fleet = Awaited<ReturnType<typeof startFleet>>;
