// Test harness: a small emulator world served over HTTP on port 0, fresh databases, and the
// inventory service's context (the one runService builds) pointed at them, with a Redis key
// prefix of its own.
import type { TestContext as NodeTestContext } from 'node:test';
import { QueueEvents } from 'bullmq';
import {
  createTestContext,
  startEmulator as startSharedEmulator,
  startStores,
  type Emulator,
  type EmulatorParams,
  type Stores,
  type TestContext,
} from '@platform/testing';
import type { Env } from '@platform/config';
import type { QueueName } from '@platform/bus';
import { loadConfig, type InventoryConfig } from '../src/config.ts';
import { inventoryService } from '../src/service.ts';

export { startStores, type Emulator, type Stores };

/** Three bots of 60 items and four users by default. */
export function startEmulator(params: EmulatorParams = {}): Promise<Emulator> {
  return startSharedEmulator({ seed: 5, bots: 3, itemsPerBot: 60, users: 4, ...params });
}

/** The inventory service's context against the emulator and this file's stores; closed after the test. */
export async function inventoryContext(
  t: Pick<NodeTestContext, 'after'>,
  emu: Emulator,
  stores: Stores,
  env: Env = {},
): Promise<TestContext<InventoryConfig>> {
  const fullEnv: Env = {
    STEAM_COMMUNITY_URL: emu.url.toString(),
    STEAM_EMULATOR_URL: emu.url.toString(),
    PRICE_FEED_URL: new URL('_emulator/prices', emu.url).toString(),
    SINV_RETRY_BASE_MS: '50',
    SINV_RETRY_ATTEMPTS: '2',
    ...env,
  };
  const test = await createTestContext(loadConfig, {
    stores,
    env: fullEnv,
    name: 'inventory-test',
    ...(inventoryService.retries ? { retries: inventoryService.retries } : {}),
  });
  t.after(async () => {
    await test.close();
    await emu.clearFaults();
  });
  return test;
}

/** Completion events of a queue (to await a job), closed after the test. */
export async function queueEvents(
  ctx: TestContext<InventoryConfig>['ctx'],
  queue: QueueName,
  t: Pick<NodeTestContext, 'after'>,
): Promise<QueueEvents> {
  const events = new QueueEvents(queue, {
    connection: ctx.bus.bullConnection(),
    prefix: ctx.bus.keys.bullPrefix(queue),
  });
  t.after(() => events.close());
  await events.waitUntilReady();
  return events;
}

export { startHttp } from '@platform/testing';
