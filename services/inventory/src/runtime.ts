import { CHANNELS, parsePricesImported } from '@platform/bus';
import type { Databases, MainDatabase, PricingDatabase, Redis } from '@platform/db';
import type { Logger } from '@platform/observability';
import { SteamInventoryClient } from '@platform/steam';
import { UserInventoryService } from './cinv/user-inventory.service.ts';
import type { InventoryMetrics } from './metrics.ts';
import type { InventoryConfig } from './config.ts';
import { Enricher, StockCounts } from './enrich.ts';
import { PriceBook } from './pricing/price-book.ts';
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
import { bullConnection, SinvJobs } from './sinv/sinv.jobs.ts';
import { SnapshotStore } from './sinv/snapshot.store.ts';

/**
 * Builds the services of either role from config and the shared pools. main.ts and the tests
 * both use it, so what is tested is what runs.
 */
export interface RuntimeDeps {
  config: InventoryConfig;
  logger: Logger;
  dbs: Databases<MainDatabase, PricingDatabase>;
  redis: Redis;
  now?: () => Date;
  metrics?: InventoryMetrics;
}

export function createPricing(deps: RuntimeDeps) {
  const { config, dbs, redis } = deps;
  const repo = new PricingRepository(dbs.pricing);
  const book = new PriceBook(repo, config.pricing.spreads);
  const items = new ItemsRepository(dbs.main);
  const stock = new StockCounts(() => items.countsByName());
  const enricher = new Enricher(book, stock, {
    minPrice: BigInt(config.accept.minPriceCents),
    overstockCap: config.accept.overstockCap,
  });
  const publish = (channel: string, message: string) =>
    redis.publish(`${config.redis.keyPrefix}${channel}`, message);
  const importer = new PriceImportService({
    repo,
    logger: deps.logger,
    feedUrl: config.pricing.feedUrl,
    format: config.pricing.feedFormat,
    source: config.pricing.feedSource,
    maxRejectPercent: config.pricing.maxRejectPercent,
    timeoutMs: config.pricing.importTimeoutMs,
    abandonAfterMs: config.pricing.abandonAfterMs,
    publish,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
  const timers: NodeJS.Timeout[] = [];
  let subscriber: Redis | undefined;
  return {
    repo,
    book,
    stock,
    enricher,
    importer,
    publish,
    /** Loads prices and stock now, then keeps reloading them on their timers. */
    async start(): Promise<void> {
      await Promise.all([book.reload(), stock.reload(), importer.abandonInterrupted()]);
      const every = (ms: number, fn: () => Promise<void>, what: string) => {
        const t = setInterval(() => {
          fn().catch((err: unknown) =>
            deps.logger.warn({ err: (err as Error).message }, `${what} reload failed; keeping the last one`),
          );
        }, ms);
        t.unref();
        timers.push(t);
      };
      every(config.pricing.bookRefreshMs, () => book.reload(), 'price book');
      // Every process reloads its prices as soon as an import lands, not a timer tick later.
      subscriber = redis.duplicate({ enableOfflineQueue: true, lazyConnect: false });
      subscriber.on('error', (err: Error) =>
        deps.logger.warn({ err: err.message }, 'price event subscriber error'),
      );
      await subscriber.subscribe(`${config.redis.keyPrefix}${CHANNELS.prices}`);
      subscriber.on('message', (_channel: string, message: string) => {
        try {
          parsePricesImported(message);
        } catch (err) {
          deps.logger.warn({ err: (err as Error).message }, 'ignored a malformed prices event');
          return;
        }
        book
          .reload()
          .catch((err: unknown) =>
            deps.logger.warn({ err: (err as Error).message }, 'price book reload failed'),
          );
      });
      every(config.accept.stockRefreshMs, () => stock.reload(), 'stock counts');
    },
    stop(): void {
      for (const t of timers) clearInterval(t);
      subscriber?.disconnect();
    },
  };
}

export function botSessionSource(deps: RuntimeDeps): BotSessionSource {
  switch (deps.config.bots.sessionSource) {
    case 'emulator':
      return new EmulatorBotSessions(deps.config.bots.emulatorUrl);
    case 'redis':
      return new RedisBotSessions(deps.redis, deps.config.redis.keyPrefix);
    case 'none':
      return new NoBotSessions();
  }
}

/** Development: the emulator's bot accounts into `bots` (EMULATOR_SEED_BOTS=true, or `npm run bots:import-emulator`). */
export async function seedBotsFromEmulator(deps: RuntimeDeps): Promise<number> {
  const accounts = await fetchEmulatorBots(deps.config.bots.emulatorUrl);
  const bots = new BotsRepository(deps.dbs.main);
  await bots.upsert(
    accounts.map((a) => ({ steamId: a.steamid, accountName: a.accountName, displayName: a.persona })),
  );
  return accounts.length;
}

export function createSinv(
  deps: RuntimeDeps & {
    pricing: ReturnType<typeof createPricing>;
    sessions?: BotSessionSource;
    schedule?: boolean;
  },
) {
  const { config, dbs, redis, logger } = deps;
  const steam = new SteamInventoryClient({
    baseUrl: config.steam.communityUrl,
    timeoutMs: config.steam.timeoutMs,
    connections: config.sinv.concurrency * 2,
  });
  const bots = new BotsRepository(dbs.main);
  const items = new ItemsRepository(dbs.main);
  const snapshot = new SnapshotStore(redis, config.redis.keyPrefix);
  const reconcile = new ReconcileService({
    bots,
    items,
    snapshot,
    sessions: deps.sessions ?? botSessionSource(deps),
    steam,
    logger,
    publish: deps.pricing.publish,
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
  const jobs = new SinvJobs({
    connection: bullConnection(config.redis.url),
    prefix: `${config.redis.keyPrefix}bull`,
    logger,
    reconcile,
    bots,
    snapshot,
    priceImport: deps.pricing.importer,
    refreshIntervalMs: config.sinv.refreshIntervalMs,
    importIntervalMs: config.pricing.importIntervalMs,
    concurrency: config.sinv.concurrency,
    retryAttempts: config.sinv.retryAttempts,
    retryBaseMs: config.sinv.retryBaseMs,
    ...(deps.schedule === undefined ? {} : { schedule: deps.schedule }),
  });
  return {
    steam,
    bots,
    items,
    snapshot,
    reconcile,
    jobs,
    async close(): Promise<void> {
      await jobs.close();
      await steam.close();
    },
  };
}

export function createCinv(deps: RuntimeDeps) {
  const { config } = deps;
  const steam = new SteamInventoryClient({
    baseUrl: config.steam.communityUrl,
    timeoutMs: config.steam.timeoutMs,
  });
  const fallback = config.cinv.fallbackUrl
    ? new SteamInventoryClient({ baseUrl: config.cinv.fallbackUrl, timeoutMs: config.steam.timeoutMs })
    : undefined;
  const inventories = new UserInventoryService({
    redis: deps.redis,
    keyPrefix: config.redis.keyPrefix,
    logger: deps.logger,
    steam,
    ...(fallback ? { fallback } : {}),
    proxies: config.cinv.proxies,
    proxyCooldownMs: config.cinv.proxyCooldownMs,
    freshMs: config.cinv.freshMs,
    ttlMs: config.cinv.ttlMs,
    forceMinIntervalMs: config.cinv.forceMinIntervalMs,
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
  return {
    inventories,
    async close(): Promise<void> {
      await Promise.all([steam.close(), fallback?.close()]);
    },
  };
}
