import type { Prices } from '@platform/pricing';
import {
  LiveIndex,
  OpenSearchFeed,
  OpenSearchSearch,
  openSearchTransport,
  type SiteSearch,
} from '@platform/search';
import { minorToJson, type ItemCategory } from '@platform/core';
import type { BackendContext } from '../app.ts';

/**
 * The site-inventory search of this worker (SEARCH_ADAPTER): by default the in-process index,
 * loaded from MySQL in the background (readiness `search` until it is) and kept current by bus
 * events; prices are the worker's price book's withdrawal prices, so a listed price is what a
 * trade charges. With `opensearch`, searches go to OPENSEARCH_URL's alias and this worker also
 * feeds it from the same events (reindexing when the alias is missing).
 */
export function createSiteSearch(ctx: BackendContext, prices: Prices) {
  if (ctx.config.search.adapter === 'opensearch') return createOpenSearch(ctx, prices);
  return createMemorySearch(ctx, prices);
}

function withdrawPriceOf(prices: Prices) {
  return (mhn: string, category: string) => {
    const p = prices.book.priceOf(mhn, category as ItemCategory, new Date());
    return p ? minorToJson(p.withdraw) : null;
  };
}

function createOpenSearch(ctx: BackendContext, prices: Prices) {
  const { config, logger } = ctx;
  if (!config.search.opensearchUrl) throw new Error('SEARCH_ADAPTER=opensearch needs OPENSEARCH_URL');
  const transport = openSearchTransport(config.search.opensearchUrl);
  const alias = config.search.opensearchIndex;
  const search: SiteSearch = new OpenSearchSearch({ transport, alias });
  const feed = new OpenSearchFeed({
    db: ctx.dbs.main,
    bus: ctx.bus,
    logger,
    transport,
    alias,
    priceOf: withdrawPriceOf(prices),
  });
  let ready = false;
  return {
    search,
    live: undefined,
    ready: () => ready,
    start(): void {
      ctx.readiness.add('search', () => {
        if (!ready) throw new Error('the search index is not ready yet');
      });
      ctx.onClose(() => feed.close());
      feed
        .start()
        .then(() => {
          ready = true;
        })
        .catch((err: unknown) =>
          logger.error({ err: (err as Error).message }, 'opensearch feed did not start'),
        );
    },
  };
}

function createMemorySearch(ctx: BackendContext, prices: Prices) {
  const { config, logger } = ctx;
  const priceOf = withdrawPriceOf(prices);
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
