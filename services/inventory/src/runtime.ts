import type { ServiceContext } from '@platform/http';
import { SteamInventoryClient } from '@platform/steam';
import { SteamBudget } from './cinv/steam-budget.ts';
import { UserInventoryService } from './cinv/user-inventory.service.ts';
import type { InventoryMetrics } from './metrics.ts';
import type { InventoryConfig } from './config.ts';
import { createPrices } from '@platform/pricing';
import { PriceImportService } from './pricing/price-import.service.ts';
import { PricingRepository } from './pricing/pricing.repository.ts';
import {
  EmulatorBotSessions,
  fetchEmulatorBots,
  NoBotSessions,
  RedisBotSessions,
  type BotSessionSource,
} from './sinv/bot-sessions.ts';
import { BotsRepository } from './sinv/bots.repository.ts';
import { ItemsRepository } from './sinv/items.repository.ts';
import { ReconcileService } from './sinv/reconcile.service.ts';
import { SinvJobs } from './sinv/sinv.jobs.ts';
import { SnapshotStore } from './sinv/snapshot.store.ts';

/**
 * The inventory service's parts, built on the service context. The role starters (roles.ts)
 * and the tests both use these, so what is tested is what runs.
 */
export type InventoryContext = ServiceContext<InventoryConfig>;

export interface PartOptions {
  now?: () => Date;
  metrics?: InventoryMetrics;
}

/** Prices in force (packages/pricing) plus what only inventory does with them: the feed import. */
export function createPricing(ctx: InventoryContext, opts: PartOptions = {}) {
  const { config, dbs, logger } = ctx;
  const prices = createPrices(ctx);
  const repo = new PricingRepository(dbs.pricing);
  const importer = new PriceImportService({
    repo,
    current: prices.reader,
    logger,
    feedUrl: config.pricing.feedUrl,
    format: config.pricing.feedFormat,
    source: config.pricing.feedSource,
    maxRejectPercent: config.pricing.maxRejectPercent,
    timeoutMs: config.pricing.importTimeoutMs,
    abandonAfterMs: config.pricing.abandonAfterMs,
    events: ctx.bus,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
  });
  return {
    ...prices,
    repo,
    importer,
    /** Prices in force (see createPrices), and imports cut off by a killed process marked abandoned. */
    async start(): Promise<void> {
      await prices.start();
      await importer
        .abandonInterrupted()
        .catch((err: unknown) =>
          logger.warn(
            { err: (err as Error).message },
            'could not check for abandoned imports; the next import will',
          ),
        );
    },
  };
}

export type Pricing = ReturnType<typeof createPricing>;

export function botSessionSource(ctx: InventoryContext): BotSessionSource {
  switch (ctx.config.bots.sessionSource) {
    case 'emulator':
      return new EmulatorBotSessions(ctx.config.bots.emulatorUrl);
    case 'redis':
      return new RedisBotSessions(ctx.redis, ctx.config.redis.keyPrefix);
    case 'none':
      return new NoBotSessions();
  }
}

/** Development: the emulator's bot accounts into `bots` (EMULATOR_SEED_BOTS=true, or `npm run bots:import-emulator`). */
export async function seedBotsFromEmulator(ctx: Pick<InventoryContext, 'config' | 'dbs'>): Promise<number> {
  const accounts = await fetchEmulatorBots(ctx.config.bots.emulatorUrl);
  const bots = new BotsRepository(ctx.dbs.main);
  await bots.upsert(
    accounts.map((a) => ({ steamId: a.steamid, accountName: a.accountName, displayName: a.persona })),
  );
  return accounts.length;
}

export function createSinv(
  ctx: InventoryContext,
  opts: PartOptions & { pricing: Pricing; sessions?: BotSessionSource },
) {
  const { config, dbs, redis, logger } = ctx;
  const steam = new SteamInventoryClient({
    baseUrl: config.steam.communityUrl,
    timeoutMs: config.steam.timeoutMs,
    connections: config.sinv.concurrency * 2,
  });
  ctx.onClose(() => steam.close());
  const bots = new BotsRepository(dbs.main);
  const items = new ItemsRepository(dbs.main);
  const snapshot = new SnapshotStore(redis, config.redis.keyPrefix);
  const reconcile = new ReconcileService({
    bots,
    items,
    snapshot,
    sessions: opts.sessions ?? botSessionSource(ctx),
    steam,
    logger,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
  });
  const jobs = new SinvJobs({
    bus: ctx.bus,
    worker: (queue, handlers, workerOpts) => ctx.worker(queue, handlers, workerOpts),
    reconcile,
    bots,
    snapshot,
    priceImport: opts.pricing.importer,
    refreshIntervalMs: config.sinv.refreshIntervalMs,
    importIntervalMs: config.pricing.importIntervalMs,
    concurrency: config.sinv.concurrency,
  });
  return { steam, bots, items, snapshot, reconcile, jobs };
}

export function createCinv(ctx: InventoryContext, opts: PartOptions = {}) {
  const { config } = ctx;
  const steam = new SteamInventoryClient({
    baseUrl: config.steam.communityUrl,
    timeoutMs: config.steam.timeoutMs,
  });
  const fallback = config.cinv.fallbackUrl
    ? new SteamInventoryClient({ baseUrl: config.cinv.fallbackUrl, timeoutMs: config.steam.timeoutMs })
    : undefined;
  ctx.onClose(() => Promise.all([steam.close(), fallback?.close()]));
  const inventories = new UserInventoryService({
    redis: ctx.redis,
    keyPrefix: config.redis.keyPrefix,
    logger: ctx.logger,
    steam,
    ...(fallback ? { fallback } : {}),
    proxies: config.cinv.proxies,
    proxyCooldownMs: config.cinv.proxyCooldownMs,
    freshMs: config.cinv.freshMs,
    ttlMs: config.cinv.ttlMs,
    forceMinIntervalMs: config.cinv.forceMinIntervalMs,
    memoryBytes: config.cinv.memoryCacheBytes,
    budget: new SteamBudget({
      redis: ctx.redis,
      keys: ctx.bus.keys.cinv,
      windowMs: config.cinv.anonymousWindowMs,
      globalPerWindow: config.cinv.anonymousGlobalPerWindow,
      perIpPerWindow: config.cinv.anonymousPerIpPerWindow,
    }),
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
  });
  ctx.onClose(() => inventories.drain());
  return { inventories };
}
