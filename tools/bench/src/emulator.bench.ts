// Steam emulator benchmark: world generation, snapshot size and restore time, and full 1000-item inventory
// pages per second over real HTTP, compared with a bare Fastify route in the same process and run.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Fastify from 'fastify';
import {
  buildEmulatorApp,
  generateWorld,
  readSnapshot,
  restoreWorld,
  saveWorld,
  snapshotPath,
} from '@platform/steam-emulator';
import { benchOfferSends } from './offer-sends.section.ts';

const DURATION_MS = 8_000;
const CONCURRENCY = 8;

interface LoadResult {
  requests: number;
  perSecond: number;
  bytes: number;
  errors: number;
}

// Closed-loop load generator, run in a worker thread so the client's parsing does not share the server's
// event loop. Uses node:http with keep-alive: undici's fetch costs ~2.5x more client CPU per 1.8 MB body,
// which on a 2-core box measures the client rather than the emulator.
const LOAD_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { urls, durationMs, concurrency } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
let next = 0, requests = 0, bytes = 0, errors = 0;
const started = performance.now();
const deadline = started + durationMs;
const one = (url) => new Promise((resolve) => {
  http.get(url, { agent }, (res) => {
    if (res.statusCode !== 200) errors++;
    res.on('data', (c) => { bytes += c.length; });
    res.on('end', resolve);
  }).on('error', () => { errors++; resolve(); });
});
const worker = async () => { while (performance.now() < deadline) { await one(urls[next++ % urls.length]); requests++; } };
Promise.all(Array.from({ length: concurrency }, worker)).then(() => {
  agent.destroy();
  parentPort.postMessage({ requests, bytes, errors, elapsed: (performance.now() - started) / 1000 });
});
`;

function load(urls: string[], durationMs: number, concurrency: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD_WORKER, { eval: true, workerData: { urls, durationMs, concurrency } });
    worker.once('message', (m: { requests: number; bytes: number; errors: number; elapsed: number }) => {
      resolve({ requests: m.requests, bytes: m.bytes, errors: m.errors, perSecond: m.requests / m.elapsed });
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

export async function run(): Promise<void> {
  const cpu = cpus();
  console.log(`machine: ${cpu[0]?.model ?? 'unknown'} · ${cpu.length} cores · node ${process.version}`);

  // 1. World generation at the size.
  const params = {
    seed: 42,
    bots: 400,
    itemsPerBot: 1000,
    users: 1000,
    userItemsMin: 20,
    userItemsMax: 200,
    epoch: 1_790_000_000,
  };
  let t = performance.now();
  const world = generateWorld(params);
  const genMs = performance.now() - t;
  let items = 0;
  for (const inv of world.allInventories()) items += inv.size;
  console.log(
    `world generation (400 bots × 1000 items + 1000 users): ${(genMs / 1000).toFixed(2)} s, ${items} items, ${world.descriptions.size} descriptions`,
  );

  // 2. Persistence: bytes on disk and restart (restore) time.
  const dir = mkdtempSync(join(tmpdir(), 'emulator-bench-'));
  try {
    saveWorld(world, dir);
    const bytes = statSync(snapshotPath(dir)).size;
    t = performance.now();
    const snapshot = readSnapshot(dir);
    if (snapshot === undefined) throw new Error('snapshot missing');
    restoreWorld(snapshot);
    console.log(
      `snapshot: ${(bytes / 1024 / 1024).toFixed(2)} MB on disk · restore (regenerate + overlay): ${((performance.now() - t) / 1000).toFixed(2)} s`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // 3. Full 1000-item pages over HTTP.
  t = performance.now();
  const app = await buildEmulatorApp({ world, warmCaches: true });
  console.log(`app build incl. description cache warm-up: ${((performance.now() - t) / 1000).toFixed(2)} s`);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const bare = Fastify();
  bare.get('/ping', () => ({ ok: true }));
  await bare.listen({ port: 0, host: '127.0.0.1' });
  try {
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const urls = world.bots().map((b) => `${base}/inventory/${b.steamid}/730/2?l=english&count=1000`);
    // First pass over 400 distinct bots: per-asset fragments are built on first read.
    const cold = await load(urls, DURATION_MS, CONCURRENCY);
    console.log(
      `inventory pages, first reads (count=1000, ${CONCURRENCY} concurrent, ${DURATION_MS / 1000} s over ${urls.length} bots): ` +
        `${cold.perSecond.toFixed(1)} pages/s, ${(cold.bytes / Math.max(1, cold.requests) / 1024).toFixed(0)} KB/page, ${cold.errors} errors`,
    );
    const pages = await load(urls, DURATION_MS, CONCURRENCY);
    console.log(
      `inventory pages, steady state: ${pages.perSecond.toFixed(1)} pages/s, ` +
        `${(pages.bytes / Math.max(1, pages.requests) / 1024).toFixed(0)} KB/page, ${pages.errors} errors`,
    );
    const bareUrl = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}/ping`;
    const tiny = await load([bareUrl], 3_000, CONCURRENCY);
    console.log(
      `bare Fastify tiny JSON: ${tiny.perSecond.toFixed(0)} req/s · ratio inventory/bare: ${(pages.perSecond / tiny.perSecond).toFixed(4)}`,
    );

    // 4. Offer sends/s over HTTP (section in offer-sends.section.ts; runs last because it adds offers to `world`).
    await benchOfferSends(world, (app.server.address() as { port: number }).port, tiny.perSecond);
  } finally {
    await app.close();
    await bare.close();
  }
}

if (import.meta.main) {
  await run();
}
