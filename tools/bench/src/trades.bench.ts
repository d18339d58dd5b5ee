// Trading API benchmark (services/backend): trade creations per second with reservations, the
// balance hold, the trade, its offers and outbox rows in one transaction, through the real
// HTTP route (session cookie, CSRF origin, idempotency key), beside a bare Fastify POST route
// measured the same way in the same run; p50/p99 at one connection; the invariants checked after.
//   npm run bench -- trades [--users 1000] [--bots 20] [--items-per-bot 2000] [--seconds 8] [--concurrency 8]
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { createBackend, loadConfig } from '@platform/backend';
import { dropAll, deleteByPrefix } from '@platform/db';
import { createTestDatabases } from '@platform/db/testing';
import { createServiceContext, SessionStore } from '@platform/http';
import { uniquePrefix } from '@platform/testing';
import { perRequest, startCpuMeter } from './cpu.ts';
import { load, ms, type Load, type LoadRequest } from './http-load.ts';

const ORIGIN = 'https://site.bench';

function progress(label: string, done: number, total: number): void {
  process.stderr.write(`\r${label} ${Math.round((done / total) * 100)}% (${done}/${total})`);
  if (done === total) process.stderr.write('\n');
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      users: { type: 'string', default: '1000' },
      bots: { type: 'string', default: '20' },
      'items-per-bot': { type: 'string', default: '2000' },
      seconds: { type: 'string', default: '8' },
      concurrency: { type: 'string', default: '8' },
    },
  });
  const users = Number(values.users);
  const bots = Number(values.bots);
  const perBot = Number(values['items-per-bot']);
  const seconds = Number(values.seconds);
  const concurrency = Number(values.concurrency);

  const dbs = await createTestDatabases({ poolSize: 4 });
  const prefix = uniquePrefix('bench:trades');
  const config = loadConfig({
    ...process.env,
    MYSQL_DATABASE: dbs.settings.database,
    PRICING_DATABASE: dbs.settings.pricingDatabase,
    MYSQL_POOL_SIZE: '24',
    REDIS_KEY_PREFIX: prefix,
    ALLOWED_ORIGINS: ORIGIN,
    RATE_LIMIT_MAX: '100000000',
    LOG_LEVEL: 'silent',
    SESSION_CACHE_MS: '1000',
  });
  const main = dbs.main;
  try {
    // The world: bots full of priced items, funded users with trade URLs and sessions.
    const names = Array.from({ length: 200 }, (_, i) => `AK-47 | Bench ${i} (Field-Tested)`);
    await dbs.pricing
      .insertInto('prices')
      .values(names.map((n, i) => ({ market_hash_name: n, price: String(100 + i * 7), source: 'bench' })))
      .execute();
    await main
      .insertInto('bots')
      .values(
        Array.from({ length: bots }, (_, i) => ({
          steam_id: String(76561199000000000n + BigInt(i)),
          account_name: `benchbot${i}`,
          capacity: perBot * 2,
          item_count: perBot,
        })),
      )
      .execute();
    const botIds = (await main.selectFrom('bots').select('id').orderBy('id').execute()).map((b) => b.id);
    const assets: string[] = [];
    let asset = 10_000_000_000n;
    for (const [b, botId] of botIds.entries()) {
      const rows = Array.from({ length: perBot }, (_, i) => {
        asset += 1n;
        assets.push(asset.toString());
        return {
          asset_id: asset.toString(),
          bot_id: botId,
          class_id: '310776560',
          instance_id: '0',
          market_hash_name: names[(b * perBot + i) % names.length]!,
          category: 'weapon',
        };
      });
      for (let i = 0; i < rows.length; i += 1000)
        await main
          .insertInto('items')
          .values(rows.slice(i, i + 1000))
          .execute();
      progress('items', b + 1, botIds.length);
    }
    const userRows = Array.from({ length: users }, (_, i) => ({
      steam_id: String(76561198100000000n + BigInt(i)),
      persona_name: `bench ${i}`,
      trade_partner_id: 140_000_000 + i,
      trade_token: 'BenchTok',
    }));
    for (let i = 0; i < userRows.length; i += 1000)
      await main
        .insertInto('users')
        .values(userRows.slice(i, i + 1000))
        .execute();
    const userIds = (await main.selectFrom('users').select('id').orderBy('id').execute()).map((u) => u.id);
    // Funded as an operator would: a balance and its ledger row.
    await sql`INSERT INTO balances (user_id, amount) SELECT id, 100000000 FROM users`.execute(main);
    await sql`INSERT INTO ledger (user_id, delta, balance_after, reason, ref_type, ref_id)
      SELECT id, 100000000, 100000000, 'adjustment', 'ops', CONCAT('bench-', id) FROM users`.execute(main);
    await dbs.close();

    const runtime = await createServiceContext('bench-backend', config);
    const { ctx } = runtime;
    const backend = await createBackend(ctx);
    await backend.start();
    await backend.app.listen({ host: '127.0.0.1', port: 0 });
    const origin = `http://127.0.0.1:${(backend.app.server.address() as AddressInfo).port}`;
    const sessions = new SessionStore(ctx.redis, { keyPrefix: config.redis.keyPrefix, ...config.session });
    const cookies: string[] = [];
    for (const [i, userId] of userIds.entries()) {
      const { token } = await sessions.create({
        userId,
        steamId: userRows[i]!.steam_id,
        ip: '127.0.0.1',
        userAgent: 'bench',
      });
      cookies.push(`${config.session.cookieName}=${token}`);
    }
    const bare = Fastify();
    bare.post('/bare', () => ({ ok: true }));
    await bare.listen({ host: '127.0.0.1', port: 0 });
    const bareOrigin = `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}`;

    // Each request withdraws one item nobody else asked for, as a distinct user (round robin).
    let nextAsset = 0;
    const tradeRequests = (n: number): LoadRequest[] =>
      Array.from({ length: n }, (_, i) => ({
        method: 'POST',
        path: '/api/v1/trades',
        headers: {
          cookie: cookies[i % cookies.length]!,
          origin: ORIGIN,
          'content-type': 'application/json',
          'idempotency-key': randomUUID(),
        },
        body: JSON.stringify({ receive: [assets[nextAsset++]!] }),
      }));
    const bareRequest: LoadRequest[] = [
      {
        method: 'POST',
        path: '/bare',
        headers: { 'content-type': 'application/json' },
        body: '{"receive":["1"]}',
      },
    ];
    const report = (label: string, l: Load) =>
      console.log(
        `${label}: ${Math.round(l.perSecond)} req/s, p50 ${ms(l.p50)}, p99 ${ms(l.p99)} (${l.requests} requests, ${l.errors} errors ${JSON.stringify(l.statuses)})`,
      );
    const baseLatency = await load(bareOrigin, bareRequest, { seconds: seconds / 2, concurrency: 1 });
    const tradeLatency = await load(origin, tradeRequests(20_000), {
      seconds: seconds / 2,
      concurrency: 1,
      expect: 201,
    });
    let meter = startCpuMeter();
    const base = await load(bareOrigin, bareRequest, { seconds, concurrency });
    const baseCpu = meter.stop();
    const budget = Math.min(assets.length - nextAsset, 200_000);
    meter = startCpuMeter();
    const trades = await load(origin, tradeRequests(budget), { seconds, concurrency, expect: 201 });
    const tradesCpu = meter.stop();
    report(`bare fastify POST at 1 connection`, baseLatency);
    report(`POST /api/v1/trades at 1 connection`, tradeLatency);
    report(`bare fastify POST at ${concurrency}`, base);
    report(`POST /api/v1/trades at ${concurrency}`, trades);
    // The figure that holds on a noisy machine: what one request costs in CPU.
    console.log(`cpu, bare route: ${perRequest(baseCpu, base.requests)}`);
    console.log(`cpu, trades:     ${perRequest(tradesCpu, trades.requests)}`);
    console.log(
      `trade creations: ${Math.round(trades.perSecond)}/s (target ≥ 500/s) = ${((trades.perSecond / base.perSecond) * 100).toFixed(1)}% of the bare route; ` +
        `p50 ${ms(tradeLatency.p50)}, p99 ${ms(tradeLatency.p99)} at 1 connection (bare: ${ms(baseLatency.p50)} / ${ms(baseLatency.p99)})`,
    );

    // Invariants after the run.
    await new Promise((r) => setTimeout(r, 500));
    const db = ctx.dbs.main;
    const created = await db
      .selectFrom('trades')
      .select(sql<string>`COUNT(*)`.as('n'))
      .executeTakeFirstOrThrow();
    const reserved = await db
      .selectFrom('reservations')
      .select([sql<string>`COUNT(*)`.as('n'), sql<string>`COUNT(DISTINCT active_asset_id)`.as('distinct')])
      .where('released_at', 'is', null)
      .executeTakeFirstOrThrow();
    const negative = await db.selectFrom('balances').select('user_id').where('amount', '<', '0').execute();
    const mismatched = await sql<{ user_id: string }>`
      SELECT b.user_id FROM balances b
      JOIN (SELECT user_id, SUM(delta) AS s FROM ledger GROUP BY user_id) l ON l.user_id = b.user_id
      WHERE l.s <> b.amount`.execute(db);
    const unpublished = await db
      .selectFrom('outbox')
      .select(sql<string>`COUNT(*)`.as('n'))
      .where('published_at', 'is', null)
      .executeTakeFirstOrThrow();
    console.log(
      `invariants: ${created.n} trades, ${reserved.n} active reservations on ${reserved.distinct} distinct items; ` +
        `${negative.length} negative balances; ${mismatched.rows.length} ledgers not summing to their balance; ` +
        `${unpublished.n} outbox rows still to publish`,
    );
    if (reserved.n !== reserved.distinct || negative.length > 0 || mismatched.rows.length > 0)
      throw new Error('an invariant broke under load');
    await Promise.all([backend.app.close(), bare.close()]);
    await deleteByPrefix(ctx.redis, prefix);
    await runtime.close();
  } finally {
    await dropAll(dbs.settings);
  }
}
