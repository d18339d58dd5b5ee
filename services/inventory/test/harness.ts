// Test harness: a small emulator world served over HTTP on port 0, fresh databases, a Redis key
// prefix of its own, and the inventory service's config pointed at all of them.
import { startStores, uniquePrefix as sharedPrefix, type Stores } from '@platform/testing';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from '@platform/db';
import { createLogger } from '@platform/observability';
import { buildEmulatorApp, generateWorld, type World } from '@platform/steam-emulator';
import type { TestContext } from 'node:test';
import { QueueEvents } from 'bullmq';
import { QUEUES } from '@platform/bus';
import { loadConfig, type InventoryConfig } from '../src/config.ts';
import { bullConnection } from '../src/sinv/sinv.jobs.ts';

export const silent = createLogger({ service: 'inventory-test', level: 'silent' });

export interface Emulator {
  world: World;
  url: URL;
  close(): Promise<unknown>;
}

export async function startEmulator(
  params: { seed?: number; bots?: number; itemsPerBot?: number; users?: number; epoch?: number } = {},
): Promise<Emulator> {
  const world = generateWorld({
    seed: params.seed ?? 5,
    bots: params.bots ?? 3,
    itemsPerBot: params.itemsPerBot ?? 60,
    users: params.users ?? 4,
    userItemsMin: 20,
    userItemsMax: 40,
    epoch: params.epoch ?? Math.floor(Date.now() / 1000),
  });
  const app = await buildEmulatorApp({ world });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { world, url: new URL(`http://127.0.0.1:${port}/`), close: () => app.close() };
}

/** A small HTTP server of the test's own on a free port: a feed, or a hand-written Steam answer. */
export async function startHttp(handler: RequestListener): Promise<{ url: string; close(): void }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

export async function control(emu: Emulator, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(new URL(path, emu.url), {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return res.json();
}

export { startStores, type Stores };

/** A unique key prefix per test, so tests never see each other's keys, queues or channels. */
export const uniquePrefix = (): string => sharedPrefix('test:inv');

export function testConfig(emu: Emulator, stores: Stores, env: Record<string, string> = {}): InventoryConfig {
  return loadConfig({
    MYSQL_DATABASE: stores.dbs.settings.database,
    PRICING_DATABASE: stores.dbs.settings.pricingDatabase,
    REDIS_KEY_PREFIX: uniquePrefix(),
    STEAM_COMMUNITY_URL: emu.url.toString(),
    STEAM_EMULATOR_URL: emu.url.toString(),
    PRICE_FEED_URL: new URL('_emulator/prices', emu.url).toString(),
    LOG_LEVEL: 'silent',
    SINV_RETRY_BASE_MS: '50',
    SINV_RETRY_ATTEMPTS: '2',
    ...env,
  });
}

/** Deletes every key under a prefix (tests clean up after themselves). */
export async function dropPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

/** Completion events of the inventory-refresh queue (to await a job), closed after the test. */
export async function refreshQueueEvents(config: InventoryConfig, t: TestContext): Promise<QueueEvents> {
  const events = new QueueEvents(QUEUES.inventoryRefresh, {
    connection: bullConnection(config.redis.url),
    prefix: `${config.redis.keyPrefix}bull`,
  });
  t.after(() => events.close());
  await events.waitUntilReady();
  return events;
}
