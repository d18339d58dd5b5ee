// Inventory benchmark (services/inventory): a full sinv refresh of a large emulator world into
// MariaDB + the Redis snapshot, one bot's incremental refresh, a cached cinv read under load
// against a bare Fastify route in the same run, and the snapshot's bytes per item vs plain JSON.
//   npm run bench -- inventory [--bots 400] [--items 1000] [--concurrency 8] [--seconds 6]
// Everything listens on 127.0.0.1; loads are bounded in time and connections.
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import Fastify from 'fastify';
import { deleteByPrefix, dropAll } from '@platform/db';
import { createTestDatabases } from '@platform/db/testing';
import { createServiceContext } from '@platform/http';
import {
  buildCinvApp,
  createCinv,
  createPricing,
  createSinv,
  inventoryService,
  loadConfig,
  seedBotsFromEmulator,
} from '@platform/inventory';

// Closed-loop HTTP load in a worker thread (the client must not share the server's event loop),
// recording every latency so p50/p99 are exact.
const LOAD_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { url, durationMs, concurrency } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const latencies = [];
let errors = 0;
const started = performance.now();
const deadline = started + durationMs;
const one = () => new Promise((resolve) => {
  const t0 = performance.now();
  http.get(url, { agent }, (res) => {
    if (res.statusCode !== 200) errors++;
    res.resume();
    res.on('end', () => { latencies.push(performance.now() - t0); resolve(); });
  }).on('error', () => { errors++; resolve(); });
});
const worker = async () => { while (performance.now() < deadline) await one(); };
Promise.all(Array.from({ length: concurrency }, worker)).then(() => {
  agent.destroy();
  parentPort.postMessage({ latencies, errors, elapsed: (performance.now() - started) / 1000 });
});
`;

interface Load {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

function load(url: string, seconds: number, concurrency: number): Promise<Load> {
  return new Promise((resolve, reject) => {
    const w = new Worker(LOAD_WORKER, {
      eval: true,
      workerData: { url, durationMs: seconds * 1000, concurrency },
    });
    w.once('error', reject);
    w.once('message', (m: { latencies: number[]; errors: number; elapsed: number }) => {
      const sorted = m.latencies.sort((a, b) => a - b);
      resolve({
        requests: sorted.length,
        perSecond: sorted.length / m.elapsed,
        p50: percentile(sorted, 0.5),
        p99: percentile(sorted, 0.99),
        errors: m.errors,
      });
      void w.terminate();
    });
  });
}

interface EmulatorWorker {
  port: number;
  user: string;
  trade(botSteamId: string): Promise<void>;
  close(): Promise<void>;
}

function startEmulatorWorker(bots: number, items: number): Promise<EmulatorWorker> {
  const worker = new Worker(new URL('./inventory-emulator.worker.ts', import.meta.url), {
    workerData: { bots, items },
  });
  let nextId = 0;
  const waiting = new Map<number, () => void>();
  const call = (msg: Record<string, unknown>) =>
    new Promise<void>((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      worker.postMessage({ ...msg, id });
    });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (m: { ready?: boolean; port?: number; user?: string; id?: number }) => {
      if (m.ready) {
        resolve({
          port: m.port!,
          user: m.user!,
          trade: (botSteamId) => call({ op: 'trade', botSteamId }),
          close: async () => {
            await call({ op: 'close' });
            await worker.terminate();
          },
        });
      } else if (m.id !== undefined) {
        waiting.get(m.id)?.();
        waiting.delete(m.id);
      }
    });
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

const ms = (n: number) => `${n.toFixed(1)} ms`;

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      bots: { type: 'string', default: '400' },
      items: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '8' },
      seconds: { type: 'string', default: '6' },
      incremental: { type: 'string', default: '60' },
    },
  });
  const bots = Number(values.bots);
  const items = Number(values.items);
  const concurrency = Number(values.concurrency);
  const seconds = Number(values.seconds);

  let t0 = performance.now();
  const emu = await startEmulatorWorker(bots, items);
  const emuUrl = `http://127.0.0.1:${emu.port}/`;
  console.log(`world: ${bots} bots × ${items} items generated and served in ${ms(performance.now() - t0)}`);

  const dbs = await createTestDatabases({ poolSize: Math.max(10, concurrency + 4) });
  await dbs.close();
  const prefix = `bench:inv:${process.pid}:`;
  const config = loadConfig({
    ...process.env,
    MYSQL_DATABASE: dbs.settings.database,
    PRICING_DATABASE: dbs.settings.pricingDatabase,
    MYSQL_POOL_SIZE: String(Math.max(10, concurrency + 4)),
    REDIS_KEY_PREFIX: prefix,
    STEAM_COMMUNITY_URL: emuUrl,
    STEAM_EMULATOR_URL: emuUrl,
    PRICE_FEED_URL: `${emuUrl}_emulator/prices`,
    SINV_CONCURRENCY: String(concurrency),
    RATE_LIMIT_MAX: '100000000',
    CINV_RATE_LIMIT_MAX: '100000000',
    LOG_LEVEL: 'silent',
  });
  // The service's own context (pools, Redis, bus), as runService builds it.
  const runtime = await createServiceContext('bench', config, {
    ...(inventoryService.retries ? { retries: inventoryService.retries(config) } : {}),
  });
  const { ctx } = runtime;
  const pricing = createPricing(ctx);
  const sinv = createSinv(ctx, { pricing });
  try {
    await seedBotsFromEmulator(ctx);
    const botList = await sinv.bots.listActive();

    // 1. Full refresh: every bot read from the emulator and written to MariaDB and Redis.
    // CPU time as well as wall time: on a shared machine the wall time carries others' load.
    const cpu0 = process.cpuUsage();
    t0 = performance.now();
    let next = 0;
    let itemsWritten = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < botList.length) {
          const bot = botList[next++]!;
          const r = await sinv.reconcile.refreshBot(bot.id);
          itemsWritten += r.added;
        }
      }),
    );
    const full = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    console.log(
      `full refresh: ${botList.length} bots, ${itemsWritten} items in ${(full / 1000).toFixed(1)} s ` +
        `(${Math.round(itemsWritten / (full / 1000))} items/s, concurrency ${concurrency}; target < 30 s); ` +
        `this process's CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (emulator thread included, MariaDB not)`,
    );

    // 2. Incremental refresh of one bot after a trade: two items out, one in.
    const durations: number[] = [];
    for (let i = 0; i < Number(values.incremental); i++) {
      const bot = botList[i % botList.length]!;
      await emu.trade(bot.steamId);
      const s = performance.now();
      const r = await sinv.reconcile.refreshBot(bot.id);
      durations.push(performance.now() - s);
      if (r.added !== 1 || r.removed !== 2) throw new Error(`bad incremental result ${JSON.stringify(r)}`);
    }
    durations.sort((a, b) => a - b);
    console.log(
      `incremental refresh (1 bot of ${items} items, 2 out + 1 in): p50 ${ms(percentile(durations, 0.5))}, ` +
        `p99 ${ms(percentile(durations, 0.99))} over ${durations.length} (target p50 < 150 ms)`,
    );

    // 3. Snapshot bytes per item against plain JSON of the same fields.
    const snapshots = await sinv.snapshot.readAll();
    let snapBytes = 0;
    let jsonBytes = 0;
    let count = 0;
    for (const s of snapshots) {
      snapBytes += await sinv.snapshot.bytes(s.botId);
      jsonBytes += Buffer.byteLength(JSON.stringify(s.items.map((i) => ({ ...i, botId: s.botId }))));
      count += s.items.length;
    }
    console.log(
      `snapshot: ${(snapBytes / count).toFixed(1)} bytes/item vs ${(jsonBytes / count).toFixed(1)} as JSON ` +
        `= ${((snapBytes / jsonBytes) * 100).toFixed(1)}% (${(snapBytes / 2 ** 20).toFixed(1)} MiB for ${count} items; target ≤ 35%)`,
    );

    // 4. Cached user-inventory reads vs a bare Fastify route, same process, same load.
    await pricing.importer.run();
    await pricing.start();
    const cinv = createCinv(ctx);
    const app = await buildCinvApp(ctx, { enricher: pricing.enricher, inventories: cinv.inventories });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const cinvUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/v1/inventories/${emu.user}`;
    const primed = (await (await fetch(cinvUrl)).json()) as { items: unknown[] };
    const bare = Fastify();
    bare.get('/bare', () => ({ ok: true }));
    await bare.listen({ host: '127.0.0.1', port: 0 });
    const bareUrl = `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}/bare`;
    // Latency is read at one connection (a closed loop at 8 measures queueing on 2 cores);
    // throughput at 8 connections, as a ratio to the bare route measured the same way.
    const baseLatency = await load(bareUrl, seconds / 2, 1);
    const cachedLatency = await load(cinvUrl, seconds / 2, 1);
    const base = await load(bareUrl, seconds, 8);
    const cached = await load(cinvUrl, seconds, 8);
    console.log(
      `bare fastify route: ${Math.round(base.perSecond)} req/s at 8 connections; ` +
        `p50 ${ms(baseLatency.p50)}, p99 ${ms(baseLatency.p99)} at 1`,
    );
    console.log(
      `cached user inventory (${primed.items.length} items, priced): ${Math.round(cached.perSecond)} req/s at 8 ` +
        `= ${((cached.perSecond / base.perSecond) * 100).toFixed(1)}% of the bare route; ` +
        `p50 ${ms(cachedLatency.p50)}, p99 ${ms(cachedLatency.p99)} at 1 (p99 ${ms(cached.p99)} at 8; ` +
        `${cached.errors + cachedLatency.errors} errors; target p99 < 5 ms)`,
    );
    await Promise.all([app.close(), bare.close()]);
  } finally {
    await deleteByPrefix(ctx.redis, prefix);
    await runtime.close();
    await dropAll(dbs.settings);
    await emu.close();
  }
}
