// Steam emulator benchmark: world generation, snapshot size and restore time, and full 1000-item inventory
// pages per second over real HTTP, compared with a bare Fastify route in the same process and run.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { buildEmulatorApp } from '../../steam-emulator/src/app.ts';
import { generateWorld } from '../../steam-emulator/src/world/generate.ts';
import { readSnapshot, restoreWorld, saveWorld, snapshotPath } from '../../steam-emulator/src/world/persistence.ts';

const DURATION_MS = 8_000;
const CONCURRENCY = 16;

interface LoadResult {
  requests: number;
  perSecond: number;
  bytes: number;
  errors: number;
}

/** Closed-loop load: `concurrency` workers each fetch the next URL until the deadline. */
async function load(urls: string[], durationMs: number, concurrency: number): Promise<LoadResult> {
  const deadline = performance.now() + durationMs;
  let next = 0;
  let requests = 0;
  let bytes = 0;
  let errors = 0;
  const started = performance.now();
  const worker = async () => {
    while (performance.now() < deadline) {
      const url = urls[next++ % urls.length]!;
      const res = await fetch(url);
      const body = await res.arrayBuffer();
      if (res.status !== 200) errors++;
      bytes += body.byteLength;
      requests++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  return { requests, perSecond: requests / elapsed, bytes, errors };
}

export async function run(): Promise<void> {
  const cpu = cpus();
  console.log(`machine: ${cpu[0]?.model ?? 'unknown'} · ${cpu.length} cores · node ${process.version}`);

  // 1. World generation at the size.
  const params = { seed: 42, bots: 400, itemsPerBot: 1000, users: 1000, userItemsMin: 20, userItemsMax: 200, epoch: 1_790_000_000 };
  let t = performance.now();
  const world = generateWorld(params);
  const genMs = performance.now() - t;
  let items = 0;
  for (const inv of world.allInventories()) items += inv.size;
  console.log(`world generation (400 bots × 1000 items + 1000 users): ${(genMs / 1000).toFixed(2)} s, ${items} items, ${world.descriptions.size} descriptions`);

  // 2. Persistence: bytes on disk and restart (restore) time.
  const dir = mkdtempSync(join(tmpdir(), 'emulator-bench-'));
  try {
    saveWorld(world, dir);
    const bytes = statSync(snapshotPath(dir)).size;
    t = performance.now();
    const snapshot = readSnapshot(dir);
    if (snapshot === undefined) throw new Error('snapshot missing');
    restoreWorld(snapshot);
    console.log(`snapshot: ${(bytes / 1024 / 1024).toFixed(2)} MB on disk · restore (regenerate + overlay): ${((performance.now() - t) / 1000).toFixed(2)} s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // 3. Full 1000-item pages over HTTP.
  const app = await buildEmulatorApp({ world });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const bare = Fastify();
  bare.get('/ping', async () => ({ ok: true }));
  await bare.listen({ port: 0, host: '127.0.0.1' });
  try {
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const urls = world.bots().map((b) => `${base}/inventory/${b.steamid}/730/2?l=english&count=1000`);
    await load(urls.slice(0, 20), 1_000, 4); // warm-up
    const pages = await load(urls, DURATION_MS, CONCURRENCY);
    console.log(
      `inventory pages (count=1000, ${CONCURRENCY} concurrent, ${DURATION_MS / 1000} s): ${pages.perSecond.toFixed(1)} pages/s, ` +
        `${(pages.bytes / pages.requests / 1024).toFixed(0)} KB/page, ${pages.errors} errors`,
    );
    const bareUrl = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}/ping`;
    const tiny = await load([bareUrl], 3_000, CONCURRENCY);
    console.log(
      `bare Fastify tiny JSON: ${tiny.perSecond.toFixed(0)} req/s · ratio inventory/bare: ${(pages.perSecond / tiny.perSecond).toFixed(4)}`,
    );

    // ---- E2: offer-sends section goes here (send/accept throughput against `world`/`base`) ----
  } finally {
    await app.close();
    await bare.close();
  }
}

if (import.meta.main) {
  await run();
}
