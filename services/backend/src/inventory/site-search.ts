import type { Prices } from '@platform/pricing';
import { LiveIndex, type SiteSearch } from '@platform/search';
import { minorToJson, type ItemCategory } from '@platform/core';
import type { BackendContext } from '../app.ts';

/**
 * The site-inventory search of this worker (SEARCH_ADAPTER): by default the in-process index,
 * loaded from MySQL in the background (readiness `search` until it is) and kept current by bus
 * events; prices are the worker's price book's withdrawal prices, so a listed price is what a
 * trade charges.
 */
export function createSiteSearch(ctx: BackendContext, prices: Prices) {
  const { config, logger } = ctx;
  const priceOf = (mhn: string, category: string) => {
    const p = prices.book.priceOf(mhn, category as ItemCategory, new Date());
    return p ? minorToJson(p.withdraw) : null;
  };
  const live = new LiveIndex({
    db: ctx.dbs.main,
    bus: ctx.bus,
    logger,
    priceOf,
    pricesVersion: () => prices.book.loadedAt,
    reconcileMs: config.search.reconcileMs,
  });
  const search: SiteSearch = live;
  return {
    search,
    live,
    ready: () => live.loaded,
    /** Loads in the background, retrying every few seconds while MySQL or Redis is away. */
    start(): void {
      ctx.readiness.add('search', () => {
        if (!live.loaded) throw new Error('the search index is not loaded yet');
      });
      let stopped = false;
      ctx.onClose(() => {
        stopped = true;
        return live.close();
      });
      const load = async (): Promise<void> => {
        if (stopped) return;
        try {
          await live.start();
        } catch (err) {
          logger.warn({ err: (err as Error).message }, 'search index load failed; retrying in 3 s');
          await live.close();
          await new Promise((r) => setTimeout(r, 3_000).unref());
          return load();
        }
      };
      void load();
    },
  };
}
