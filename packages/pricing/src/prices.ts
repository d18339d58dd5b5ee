import type { ServiceConfig, ServiceContext } from '@platform/http';
import type { SpreadTable } from '@platform/core';
import { Enricher, StockCounts } from './enrich.ts';
import { PriceBook } from './price-book.ts';
import { PriceReader } from './price-reader.ts';

/** The settings priceBookGroup() and acceptGroup() give a service's config. */
export interface PricesConfig {
  prices: { bookRefreshMs: number; spreads: SpreadTable };
  accept: { minPriceCents: number; overstockCap: number; stockRefreshMs: number };
}

/** How often prices and stock are retried until their first load succeeds. */
const FIRST_LOAD_RETRY_MS = 1_000;

/**
 * The prices in force in one process: the price book, stock counts and the enricher (prices,
 * spreads, acceptance), kept current by timers and by every prices.imported event.
 */
export function createPrices(ctx: ServiceContext<ServiceConfig & PricesConfig>) {
  const { config, logger } = ctx;
  const reader = new PriceReader(ctx.dbs);
  const book = new PriceBook(reader, config.prices.spreads);
  const stock = new StockCounts(() => reader.stockCounts());
  const enricher = new Enricher(book, stock, {
    minPrice: BigInt(config.accept.minPriceCents),
    overstockCap: config.accept.overstockCap,
  });
  return {
    reader,
    book,
    stock,
    enricher,
    /**
     * Loads prices and stock, and keeps them current: reloads on their timers, on every
     * prices.imported event, and every second until the first load succeeds. All of it is set
     * up whether or not MySQL and Redis answer now: a store that is down at boot delays prices,
     * it never leaves the process unpriced for its lifetime. Until prices are loaded, /readyz
     * says `prices: unavailable`.
     */
    async start(): Promise<void> {
      ctx.readiness.add('prices', () => {
        if (book.loadedAt === 0) throw new Error('prices are not loaded yet');
      });
      const firstLoad = async () => {
        if (book.loadedAt === 0) await book.reload();
        if (stock.loadedAt === 0) await stock.reload();
      };
      ctx.every(FIRST_LOAD_RETRY_MS, 'first price and stock load', firstLoad);
      ctx.every(config.prices.bookRefreshMs, 'price book reload', () => book.reload());
      ctx.every(config.accept.stockRefreshMs, 'stock counts reload', () => stock.reload());
      // Every process reloads its prices as soon as an import lands, not a timer tick later.
      // Not awaited: with Redis down the subscription is made when it returns.
      ctx.bus
        .subscribe('prices.imported', () => book.reload())
        .then((sub) => ctx.onClose(() => sub.unsubscribe().catch(() => {})))
        .catch((err: unknown) =>
          logger.warn({ err: (err as Error).message }, 'could not subscribe to prices.imported'),
        );
      await firstLoad().catch((err: unknown) =>
        logger.warn({ err: (err as Error).message }, 'prices not loaded yet; retrying every second'),
      );
    },
  };
}

export type Prices = ReturnType<typeof createPrices>;
