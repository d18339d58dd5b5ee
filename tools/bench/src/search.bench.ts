// Site-inventory search benchmark (issue 10): a world of N items (the emulator's world through
// tools/world, 10% reserved) in MariaDB; the backend's in-process index loaded from it; requests
// per second and p50/p99 of GET /api/v1/inventory/site for (a) the default listing, (b) text +
// price range, (c) type + exterior + float range sorted by price, (d) the grouped view, (e) a
// deep page via cursor — each beside a bare Fastify route measured the same way in the same
// run; the index's memory per item and load time; reservation-to-invisible latency (a trade
// created through the API, its reservation going through the outbox, the relay and the bus, to
// the moment two workers' indexes hide the item).
//   npm run bench -- search [--items 20000] [--sizes 100000,400000,1000000] [--seconds 5] [--concurrency 8] [--reservations 100]
// With --verify it measures nothing and instead checks every filter, sort and view of the route
// over the whole world against the independent reference (search-verify.ts).
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { createBackend, loadConfig } from '@platform/backend';
import { deleteByPrefix, dropAll } from '@platform/db';
import { createTestDatabases } from '@platform/db/testing';
import { createServiceContext, SessionStore } from '@platform/http';
import { LiveIndex } from '@platform/search';
import { uniquePrefix } from '@platform/testing';
import { loadWorld } from '@platform/world';
import { perRequest, startCpuMeter } from './cpu.ts';
import { verifySearch } from './search-verify.ts';
import { load, ms, percentile, type Load, type LoadRequest } from './http-load.ts';

const ORIGIN = 'https://site.bench';
const SORT_COUNT = 6;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapBytes(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

interface SizeResult {
  items: number;
  loadWorldS: number;
  indexLoadMs: number;
  bytesPerItem: number;
  bare: Load;
  scenarios: Array<{ label: string; load: Load; single: Load; target: number }>;
  reservation: { p50: number; p99: number; max: number; n: number };
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      items: { type: 'string', default: '20000' },
      sizes: { type: 'string' },
      seconds: { type: 'string', default: '5' },
      concurrency: { type: 'string', default: '8' },
      reservations: { type: 'string', default: '100' },
      only: { type: 'string' },
      verify: { type: 'boolean', default: false },
    },
  });
  const sizes = (values.sizes ?? values.items).split(',').map(Number);
  const opts = {
    seconds: Number(values.seconds),
    concurrency: Number(values.concurrency),
    reservations: Number(values.reservations),
    only: values.only,
    verify: values.verify,
  };
  console.log(
    `search bench: sizes ${sizes.join(', ')}; ${opts.seconds} s per figure at ${opts.concurrency} connections (req/s) and at 1 connection (p50/p99); the machine is shared: compare ratios, not absolutes`,
  );
  const results: SizeResult[] = [];
  for (const n of sizes) {
    const r = await runSize(n, opts);
    if (r) results.push(r);
  }
  if (results.length > 1) {
    console.log('\ngrowth:');
    console.log(
      'items     | index load | bytes/item | (a) req/s | (b) req/s | (c) req/s | (d) req/s | (e) req/s | reserve→invisible p99',
    );
    for (const r of results)
      console.log(
        `${String(r.items).padEnd(9)} | ${`${(r.indexLoadMs / 1000).toFixed(1)} s`.padEnd(10)} | ${String(Math.round(r.bytesPerItem)).padEnd(10)} | ${r.scenarios
          .map((s) => String(Math.round(s.load.perSecond)).padEnd(9))
          .join(' | ')} | ${ms(r.reservation.p99)}`,
      );
  }
}

async function runSize(
  items: number,
  opts: {
    seconds: number;
    concurrency: number;
    reservations: number;
    only?: string | undefined;
    verify: boolean;
  },
): Promise<SizeResult | undefined> {
  console.log(`\n== ${items} items ==`);
  const dbs = await createTestDatabases({ poolSize: 4 });
  const prefix = uniquePrefix('bench:search');
  try {
    const t0 = performance.now();
    const world = await loadWorld(dbs.main, dbs.pricing, {
      items,
      bots: Math.max(1, Math.round(items / 1000)),
      reservedShare: 0.1,
      onProgress: (done, total) => {
        if (done % 20_000 < 1000 || done === total)
          process.stderr.write(`\rworld ${Math.floor((done / total) * 100)}% (${done}/${total})`);
        if (done === total) process.stderr.write('\n');
      },
    });
    const loadWorldS = (performance.now() - t0) / 1000;
    console.log(
      `world: ${world.items} items on ${world.bots} bots, ${world.names} names, ${world.locked} trade-locked, ${world.reserved} reserved (loaded into MariaDB in ${loadWorldS.toFixed(1)} s)`,
    );
    // Users who withdraw (the reservation latency): funded, with trade URLs and sessions.
    const users = Math.max(10, opts.reservations);
    const userRows = Array.from({ length: users }, (_, i) => ({
      steam_id: String(76561198200000000n + BigInt(i)),
      persona_name: `bench ${i}`,
      trade_partner_id: 150_000_000 + i,
      trade_token: 'BenchTok',
    }));
    await dbs.main.insertInto('users').values(userRows).execute();
    await sql`INSERT INTO balances (user_id, amount) SELECT id, 100000000000 FROM users WHERE persona_name LIKE 'bench %'`.execute(
      dbs.main,
    );
    await sql`INSERT INTO ledger (user_id, delta, balance_after, reason, ref_type, ref_id)
      SELECT id, 100000000000, 100000000000, 'adjustment', 'ops', CONCAT('bench-', id) FROM users WHERE persona_name LIKE 'bench %'`.execute(
      dbs.main,
    );
    const userIds = (
      await dbs.main
        .selectFrom('users')
        .select('id')
        .where('persona_name', 'like', 'bench %')
        .orderBy('id')
        .execute()
    ).map((u) => u.id);
    const settings = dbs.settings;
    await dbs.close();

    const config = loadConfig({
      ...process.env,
      MYSQL_DATABASE: settings.database,
      PRICING_DATABASE: settings.pricingDatabase,
      MYSQL_POOL_SIZE: '12',
      REDIS_KEY_PREFIX: prefix,
      ALLOWED_ORIGINS: ORIGIN,
      RATE_LIMIT_MAX: '100000000',
      LOG_LEVEL: 'silent',
      SESSION_CACHE_MS: '1000',
      OUTBOX_POLL_MS: '50',
      SEARCH_RECONCILE_MS: '3600000',
      SEARCH_ADAPTER: 'memory',
    });
    const runtime = await createServiceContext('bench-backend', config);
    const { ctx } = runtime;
    const backend = await createBackend(ctx);
    await backend.start();
    const live = backend.search.live;
    if (!live) throw new Error('the search bench measures the in-process index (SEARCH_ADAPTER=memory)');
    while (!live.loaded) await new Promise((r) => setTimeout(r, 50));
    const priceOf = (mhn: string, category: string) => {
      const p = backend.prices.book.priceOf(mhn, category as never, new Date());
      return p ? Number(p.withdraw) : null;
    };
    if (opts.verify) {
      const v = await verifySearch({
        db: ctx.dbs.main,
        app: backend.app,
        priceOf,
        progress: (line) => process.stderr.write(`${line}\n`),
      });
      console.log(
        `verified: ${v.queries} filters × ${SORT_COUNT} sorts, the grouped view and the facets over ${v.rows} items: ${v.requests} requests, ${v.comparedItems} items and groups equal to the independent reference, in ${v.seconds.toFixed(1)} s`,
      );
      await Promise.all([backend.app.close()]);
      await deleteByPrefix(ctx.redis, prefix);
      await runtime.close();
      return undefined;
    }
    // A second worker's index (its own subscriber connection; in this process so its state can
    // be read): its memory is the heap it adds, and it takes part in the reservation latency.
    const second = new LiveIndex({
      db: ctx.dbs.main,
      bus: ctx.bus,
      logger: ctx.logger,
      priceOf,
      pricesVersion: () => backend.prices.book.loadedAt,
      reconcileMs: 3_600_000,
    });
    const before = heapBytes();
    await second.start();
    const bytesPerItem = (heapBytes() - before) / second.index.size;
    console.log(
      `index: ${live.index.size} items loaded from MariaDB in ${(live.loadMs / 1000).toFixed(2)} s (a second worker's: ${(second.loadMs / 1000).toFixed(2)} s; streamed in pages, then merged); ` +
        `${Math.round(bytesPerItem)} bytes per item of heap and array buffers (${((bytesPerItem * second.index.size) / 2 ** 20).toFixed(0)} MiB per worker)`,
    );
    // What one merge (new items joining every order) costs at this size: a stall of the worker.
    const t1 = performance.now();
    second.index.remove([]);
    second.index.flush();
    console.log(
      `a merge of the orders at this size: ${ms(performance.now() - t1)} (batched: one per 50 ms of changes at most)`,
    );
    await backend.app.listen({ host: '127.0.0.1', port: 0 });
    const origin = `http://127.0.0.1:${(backend.app.server.address() as AddressInfo).port}`;
    const bare = Fastify();
    bare.get('/bare', () => ({ ok: true }));
    // A second baseline: a bare route answering the default page's bytes, pre-serialized (what
    // moving ~30 kB per answer costs this process and the load generator's thread, which runs
    // in it), so the search's own cost can be told from the transport's.
    const pageBytes = JSON.stringify(await live.index.search({}));
    bare.get('/bare-page', (_req, reply) => reply.type('application/json').send(pageBytes));
    await bare.listen({ host: '127.0.0.1', port: 0 });
    const bareOrigin = `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}`;

    // The requests: each scenario cycles through variants, as many users would send.
    const route = '/api/v1/inventory/site';
    const texts = [
      'ak',
      'awp',
      'karambit',
      'redline',
      'glock',
      'm4a1',
      'usp',
      'case',
      'sticker',
      'doppler',
      'desert eagle',
      'ak-47 slate',
      'gloves',
      'butterfly',
      'asiimov',
    ];
    const typeSets = [
      ['rifle', 'field-tested', 0.15, 0.25],
      ['rifle', 'minimal-wear', 0.07, 0.1],
      ['pistol', 'factory-new', 0, 0.03],
      ['sniper-rifle', 'field-tested', 0.2, 0.3],
      ['knife', 'factory-new', 0, 0.02],
      ['smg', 'well-worn', 0.38, 0.42],
      ['gloves', 'field-tested', 0.15, 0.38],
    ] as const;
    const sorts = ['price-desc', 'price-asc', 'popular', 'newest'];
    // (a) and (d) are the pages everyone shares (the answer cache serves them while the index is
    // unchanged); (b), (c) and (e) are long tails of distinct URLs, more than the cache holds
    // (SEARCH_CACHE_ENTRIES, 1000) and sent in a cycle, so they are computed every time.
    const variants: Record<string, string[]> = {
      '(a) default listing': [route],
      '(b) text + price range': Array.from({ length: 5000 }, (_, i) => {
        const lo = (i * 37) % 5000;
        return `${route}?q=${encodeURIComponent(texts[i % texts.length]!)}&minPrice=${lo}&maxPrice=${lo + 1000 + ((i * 53) % 20000)}`;
      }),
      '(c) type + exterior + float, by price': Array.from({ length: 3000 }, (_, i) => {
        const [type, ext, lo, hi] = typeSets[i % typeSets.length]!;
        const shift = ((i * 7) % 100) / 10_000;
        return `${route}?type=${type}&exterior=${ext}&minFloat=${(lo + shift).toFixed(4)}&maxFloat=${(hi + shift).toFixed(4)}&sort=price-asc`;
      }),
      '(d) grouped view': sorts.map((s) => `${route}?group=true&sort=${s}`),
      '(e) deep page via cursor': [],
    };
    // Cursors from page 10 to 500 (60 per page) of three sorts, found by walking the pages.
    for (const sort of ['price-desc', 'newest', 'float-asc'] as const) {
      let cursor: string | undefined;
      for (let page = 1; page <= 500; page++) {
        const p = await live.index.search({ sort, limit: 60, ...(cursor ? { cursor } : {}) });
        if (!p.nextCursor) break;
        cursor = p.nextCursor;
        if (page >= 10)
          variants['(e) deep page via cursor']!.push(
            `${route}?sort=${sort}&cursor=${encodeURIComponent(cursor)}`,
          );
      }
    }
    const requests = (paths: string[], n: number): LoadRequest[] =>
      Array.from({ length: n }, (_, i) => ({ method: 'GET', path: paths[i % paths.length]! }));
    // Warm up (JIT, the name-filter cache, connections).
    for (const paths of Object.values(variants))
      await load(origin, requests(paths, 400), { seconds: 2, concurrency: 4 });
    await load(bareOrigin, requests(['/bare'], 1), { seconds: 1, concurrency: 4 });

    // Enough requests for the run at up to 25k/s (each sent once; the run ends when they do).
    const budget = Math.ceil(opts.seconds * 25_000);
    const bareSingle = await load(bareOrigin, requests(['/bare'], 1), {
      seconds: opts.seconds / 2,
      concurrency: 1,
    });
    let meter = startCpuMeter();
    const bareLoad = await load(bareOrigin, requests(['/bare'], 1), {
      seconds: opts.seconds,
      concurrency: opts.concurrency,
    });
    const bareCpu = meter.stop();
    console.log(
      `bare fastify GET: ${Math.round(bareLoad.perSecond)} req/s at ${opts.concurrency}; p50 ${ms(bareSingle.p50)}, p99 ${ms(bareSingle.p99)} at 1 connection; ${perRequest(bareCpu, bareLoad.requests)}`,
    );
    meter = startCpuMeter();
    const barePage = await load(bareOrigin, requests(['/bare-page'], 1), {
      seconds: opts.seconds,
      concurrency: opts.concurrency,
    });
    const barePageCpu = meter.stop();
    console.log(
      `bare fastify GET of the default page's ${pageBytes.length} bytes: ${Math.round(barePage.perSecond)} req/s at ${opts.concurrency} (${((barePage.perSecond / bareLoad.perSecond) * 100).toFixed(1)}% of the bare route); ${perRequest(barePageCpu, barePage.requests)}`,
    );
    const scenarios: SizeResult['scenarios'] = [];
    for (const [label, paths] of Object.entries(variants)) {
      if (opts.only && !label.startsWith(`(${opts.only})`)) continue;
      const target = label.startsWith('(a)') ? 0.3 : 0.1;
      const single = await load(origin, requests(paths, budget), {
        seconds: opts.seconds / 2,
        concurrency: 1,
      });
      meter = startCpuMeter();
      const l = await load(origin, requests(paths, budget), {
        seconds: opts.seconds,
        concurrency: opts.concurrency,
      });
      const cpu = meter.stop();
      const ratio = l.perSecond / bareLoad.perSecond;
      scenarios.push({ label, load: l, single, target });
      console.log(
        `${label} (${paths.length} variants): ${Math.round(l.perSecond)} req/s = ${(ratio * 100).toFixed(1)}% of bare (target ≥ ${target * 100}%: ${ratio >= target ? 'met' : 'NOT met'}), ${((l.perSecond / barePage.perSecond) * 100).toFixed(1)}% of the bare page route; ` +
          `p50 ${ms(single.p50)}, p99 ${ms(single.p99)} at 1 connection (target p99 < 15 ms: ${single.p99 < 15 ? 'met' : 'NOT met'}); ` +
          `p99 ${ms(l.p99)} at ${opts.concurrency}; ${l.errors} errors; ${perRequest(cpu, l.requests)}`,
      );
    }

    // Reservation → invisible, on both workers' indexes.
    const workers = [live, second];
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
    const listed = (await live.index.search({ tradable: 'now', limit: 200, sort: 'newest' })).items.map(
      (i) => (i as { assetId: string }).assetId,
    );
    const latencies: number[] = [];
    // Pauses of this process's garbage collector meanwhile (the bench process holds two indexes,
    // the load generator and the world's leftovers): what the tail of the latency is made of.
    const gcPauses: number[] = [];
    const gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gcPauses.push(e.duration);
    });
    gcObserver.observe({ entryTypes: ['gc'] });
    for (let i = 0; i < Math.min(opts.reservations, listed.length); i++) {
      const asset = listed[i]!;
      const res = await fetch(`${origin}/api/v1/trades`, {
        method: 'POST',
        headers: {
          cookie: cookies[i % cookies.length]!,
          origin: ORIGIN,
          'content-type': 'application/json',
          'idempotency-key': randomUUID(),
        },
        body: JSON.stringify({ receive: [asset] }),
      });
      const committed = performance.now();
      if (res.status !== 201) throw new Error(`trade creation answered ${res.status}: ${await res.text()}`);
      // Polled every 0.2 ms on this event loop; the figure includes the relay's publish.
      for (;;) {
        if (workers.every((w) => w.index.peek(asset)?.reserved === true)) break;
        if (performance.now() - committed > 5_000)
          throw new Error(`${asset} still listed 5 s after its reservation`);
        await new Promise((r) => setImmediate(r));
      }
      latencies.push(performance.now() - committed);
    }
    gcObserver.disconnect();
    latencies.sort((a, b) => a - b);
    const reservation = {
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      max: latencies[latencies.length - 1] ?? Number.NaN,
      n: latencies.length,
    };
    console.log(
      `reservation → invisible on ${workers.length} workers' indexes (trade API → outbox → relay → bus): p50 ${ms(reservation.p50)}, p99 ${ms(reservation.p99)}, max ${ms(reservation.max)} over ${reservation.n} trades (target p99 < 100 ms: ${reservation.p99 < 100 ? 'met' : 'NOT met'}); ` +
        `meanwhile ${gcPauses.length} GC pauses, the longest ${ms(Math.max(0, ...gcPauses))}`,
    );
    await second.close();
    await Promise.all([backend.app.close(), bare.close()]);
    await deleteByPrefix(ctx.redis, prefix);
    await runtime.close();
    return {
      items,
      loadWorldS,
      indexLoadMs: live.loadMs,
      bytesPerItem,
      bare: bareLoad,
      scenarios,
      reservation,
    };
  } finally {
    await dropAll(dbs.settings);
  }
}
