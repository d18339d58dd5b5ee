// Tradebot benchmark (services/tradebot): 400 bots in one tradebot process (its RSS against the
// same process holding one bot), the fleet's login time under the login limiter (against the
// limiter's own floor), offers/s and end-to-end latency from POST /api/v1/trades to settlement
// with the emulator's user accepting at once (against the same send + confirm + accept done
// directly through packages/steam, no platform in between).
//   npm run bench -- tradebot [--bots 400] [--trades 40] [--concurrent 40]
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { createBackend, loadConfig as loadBackendConfig } from '@platform/backend';
import type { Env } from '@platform/config';
import { SessionStore } from '@platform/http';
import {
  createPricing,
  createSinv,
  loadConfig as loadInventoryConfig,
  seedBotsFromEmulator,
} from '@platform/inventory';
import {
  BotSession,
  EmulatorAuth,
  LoginLimiter,
  MemoryLimiterStore,
  SteamTradeClient,
} from '@platform/steam';
import {
  createTestContext,
  factory,
  startEmulator,
  startStores,
  testEnv,
  uniquePrefix,
} from '@platform/testing';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const rssMb = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      bots: { type: 'string', default: '400' },
      trades: { type: 'string', default: '40' },
      concurrent: { type: 'string', default: '40' },
    },
  });
  const botCount = Number(values.bots);
  const sequential = Number(values.trades);
  const concurrent = Number(values.concurrent);
  const [emu, stores] = await Promise.all([
    startEmulator({ seed: 7, bots: botCount, itemsPerBot: 4, users: 50, userItemsMin: 2, userItemsMax: 4 }),
    startStores(),
  ]);
  // Steam's login throttles are unknown (steam.md §7.3); the emulator's are opened up, ours bind.
  await emu.control('PUT', '_emulator/settings', {
    loginLimits: { windowSeconds: 600, perIp: 100_000, perAccount: 100 },
  });
  const prefix = uniquePrefix('bench:tradebot');
  const children: ChildProcess[] = [];
  const closers: Array<() => Promise<unknown>> = [];
  try {
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
    await seedBotsFromEmulator(inventory.ctx);
    const sinv = createSinv(inventory.ctx, { pricing });
    const bots = await sinv.bots.listActive();
    for (let i = 0; i < bots.length; i += 16)
      await Promise.all(bots.slice(i, i + 16).map((b) => sinv.reconcile.refreshBot(b.id)));
    const backendCtx = await createTestContext(loadBackendConfig, {
      stores,
      name: 'backend',
      env: {
        REDIS_KEY_PREFIX: prefix,
        ALLOWED_ORIGINS: 'https://bench',
        SESSION_CACHE_MS: '1000',
        OUTBOX_POLL_MS: '20',
        ACCEPT_MIN_PRICE_CENTS: '1',
        RATE_LIMIT_MAX: '100000000',
      },
    });
    closers.push(() => backendCtx.close());
    const backend = await createBackend(backendCtx.ctx);
    await backend.start();
    await backend.app.listen({ host: '127.0.0.1', port: 0 });
    closers.push(() => backend.app.close());
    const backendUrl = `http://127.0.0.1:${(backend.app.server.address() as AddressInfo).port}/`;

    const env = (extra: Env): NodeJS.ProcessEnv => ({
      ...process.env,
      ...testEnv(stores, {
        REDIS_KEY_PREFIX: prefix,
        BACKEND_URL: backendUrl,
        STEAM_COMMUNITY_URL: emu.url.toString(),
        STEAM_WEB_API_URL: emu.url.toString(),
        STEAM_EMULATOR_URL: emu.url.toString(),
        PORT: '0',
        MYSQL_POOL_SIZE: '10',
        TRADEBOT_DISPATCH_MS: '50',
        TRADEBOT_HOT_POLL_MS: '100',
        TRADEBOT_LEASE_MS: '15000',
        // The limiter: 100 logins per 5 s from this IP and overall (the floor below).
        BOT_LOGIN_PER_IP: '100',
        BOT_LOGIN_GLOBAL: '100',
        BOT_LOGIN_WINDOW_MS: '5000',
        ...extra,
      }),
    });
    const spawnBot = (extra: Env) => {
      const c = spawn(process.execPath, ['services/tradebot/src/main.ts'], {
        env: env(extra),
        stdio: 'ignore',
      });
      children.push(c);
      return c;
    };
    const logged = async () =>
      Number(
        (
          await stores.dbs.main
            .selectFrom('bots')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('last_login_at', 'is not', null)
            .executeTakeFirstOrThrow()
        ).n,
      );

    // Baseline: one process holding one bot.
    const one = spawnBot({ TRADEBOT_MAX_BOTS: '1', TRADEBOT_PROCESS_ID: 'bench-one' });
    while ((await logged()) < 1) await sleep(100);
    await sleep(1500);
    const rssOne = rssMb(one.pid!);
    one.kill('SIGTERM');
    await new Promise((r) => one.once('exit', r));
    await stores.dbs.main.updateTable('bots').set({ last_login_at: null }).execute();

    // The fleet: every bot in one process.
    const t0 = Date.now();
    const fleet = spawnBot({ TRADEBOT_PROCESS_ID: 'bench-fleet' });
    while ((await logged()) < botCount) await sleep(200);
    const loginMs = Date.now() - t0;
    const floorMs = Math.floor((botCount - 1) / 100) * 5000;
    await sleep(3000);
    const rssFleet = rssMb(fleet.pid!);

    // Users that accept at once (authenticator: not every fifth), funded, with sessions.
    const sessions = new SessionStore(backendCtx.ctx.redis, {
      keyPrefix: prefix,
      ...backendCtx.ctx.config.session,
    });
    const users: Array<{ cookie: string; steamId: string }> = [];
    for (const [i, a] of emu.world.users().entries()) {
      if (i % 5 === 4) continue;
      const u = await factory.user(stores.dbs.main, {
        steamId: a.steamid,
        personaName: a.persona,
        tradeUrl: { partnerId: a.accountId, token: a.tradeToken },
      });
      await backend.balance.adjust(a.steamid, 10_000_000n, 'bench', 'bench');
      await emu.control('PUT', `_emulator/accounts/${a.steamid}/offer-policy`, {
        mode: 'accept',
        afterMs: 0,
      });
      const { token } = await sessions.create({
        userId: u.id,
        steamId: a.steamid,
        ip: '127.0.0.1',
        userAgent: 'bench',
      });
      users.push({ cookie: `${backendCtx.ctx.config.session.cookieName}=${token}`, steamId: a.steamid });
    }
    const items = (
      await stores.dbs.main
        .selectFrom('items')
        .select('asset_id')
        .where('tradable', '=', 1)
        .where('tradable_after', 'is', null)
        .execute()
    ).map((r) => r.asset_id);
    const done = new Map<string, number>();
    const sub = await backendCtx.ctx.bus.subscribe('trade.updated', (e) => {
      const state = (e.trade as { state?: string }).state;
      if (
        state &&
        ['completed', 'declined', 'expired', 'canceled', 'failed'].includes(state) &&
        !done.has(e.tradeId)
      )
        done.set(e.tradeId, performance.now());
    });
    closers.push(() => sub.unsubscribe());
    const create = async (u: (typeof users)[number]) => {
      const started = performance.now();
      const res = await backend.app.inject({
        method: 'POST',
        url: '/api/v1/trades',
        headers: { cookie: u.cookie, origin: 'https://bench', 'idempotency-key': randomUUID() },
        payload: { receive: [items.shift()!] },
      });
      if (res.statusCode !== 201) throw new Error(`trade creation: ${res.statusCode} ${res.body}`);
      return { id: res.json<{ id: string }>().id, started };
    };
    const settle = async (id: string) => {
      while (!done.has(id)) await sleep(2);
      return done.get(id)!;
    };

    // End-to-end latency, one trade at a time.
    const lat: number[] = [];
    for (let i = 0; i < sequential; i++) {
      const t = await create(users[i % users.length]!);
      lat.push((await settle(t.id)) - t.started);
    }
    // Throughput: many at once.
    const b0 = performance.now();
    const batch = await Promise.all(
      Array.from({ length: concurrent }, (_, i) => create(users[i % users.length]!)),
    );
    await Promise.all(batch.map((t) => settle(t.id)));
    const perSec = concurrent / ((performance.now() - b0) / 1000);
    const completed = await stores.dbs.main.selectFrom('trades').select('state').execute();

    // Baseline: the same send + confirm + accept, directly through packages/steam.
    const client = new SteamTradeClient({ communityUrl: emu.url, webApiUrl: emu.url });
    const botAccount = emu.world.bots()[botCount - 1]!;
    const session = new BotSession({
      creds: {
        steamId: botAccount.steamid,
        accountName: botAccount.accountName,
        password: botAccount.password,
        sharedSecret: botAccount.sharedSecret,
        identitySecret: botAccount.identitySecret,
      },
      auth: new EmulatorAuth({ emulatorUrl: emu.url }),
      limiter: new LoginLimiter(new MemoryLimiterStore(), {
        perIp: 1000,
        global: 1000,
        windowMs: 60_000,
        backoffMs: 1000,
        maxBackoffMs: 1000,
      }),
      ip: 'bench',
    });
    fleet.kill('SIGTERM');
    await new Promise((r) => fleet.once('exit', r));
    const now = emu.world.clock.now();
    const assets = emu.world
      .inventory(botAccount.steamid, '2')
      .list()
      .filter((a) => a.tradableAfter <= now && a.casketCount === undefined);
    const direct: number[] = [];
    for (const a of assets.slice(0, 3)) {
      const u = emu.world.users()[0]!;
      const s0 = performance.now();
      const sent = await session.call((s) =>
        client.sendOffer(s, {
          partnerSteamId: u.steamid,
          partnerAccountId: String(u.accountId),
          token: u.tradeToken,
          give: [{ assetId: a.assetid, contextId: '2' }],
          receive: [],
          message: 'bench',
        }),
      );
      const conf = (await session.call((s) => client.getConfirmations(s, session.creds))).find(
        (c) => c.creatorId === sent.offerId,
      )!;
      await session.call((s) => client.respondToConfirmation(s, session.creds, conf, 'allow'));
      while ((await session.call((s) => client.getOffer(s, sent.offerId)))?.state !== 3) await sleep(2);
      direct.push(performance.now() - s0);
    }

    const p50 = pct(lat, 50);
    console.log(
      `bots in one process: ${botCount}; RSS ${rssFleet.toFixed(0)} MB (target < 400) vs ${rssOne.toFixed(0)} MB holding one bot: ${(rssFleet / rssOne).toFixed(2)}x, ${(((rssFleet - rssOne) / Math.max(1, botCount - 1)) * 1024).toFixed(0)} kB per bot`,
    );
    console.log(
      `fleet login under the limiter (100 logins / 5 s): ${(loginMs / 1000).toFixed(1)} s for ${botCount} bots; the limiter's floor ${(floorMs / 1000).toFixed(1)} s${floorMs > 0 ? `: ${(loginMs / floorMs).toFixed(2)}x` : ''}`,
    );
    console.log(
      `end to end, POST /api/v1/trades → settled (user accepts at once), ${sequential} one at a time: p50 ${p50.toFixed(0)} ms (target < 300), p99 ${pct(lat, 99).toFixed(0)} ms; the same send+confirm+accept straight through packages/steam: ${pct(direct, 50).toFixed(0)} ms: ${(p50 / pct(direct, 50)).toFixed(1)}x`,
    );
    console.log(
      `throughput: ${concurrent} trades at once settled at ${perSec.toFixed(1)} trades/s (one offer each); states: ${JSON.stringify(completed.reduce<Record<string, number>>((m, r) => ({ ...m, [r.state]: (m[r.state] ?? 0) + 1 }), {}))}`,
    );
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    for (const c of closers.reverse()) await c().catch(() => undefined);
    await emu.close();
    await stores.close();
  }
}
