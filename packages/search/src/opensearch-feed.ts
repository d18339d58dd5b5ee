import type { Kysely } from 'kysely';
import type { Bus, Subscription } from '@platform/bus';
import type { MainDatabase } from '@platform/db';
import type { Logger } from '@platform/observability';
import { ItemsSource } from './items.source.ts';
import { OpenSearchIndexer, toDoc, type OpenSearchTransport } from './opensearch.ts';
import { RecentIds } from './recent-ids.ts';

export interface OpenSearchFeedOptions {
  db: Kysely<MainDatabase>;
  bus: Pick<Bus, 'subscribe'>;
  logger: Logger;
  transport: OpenSearchTransport;
  alias: string;
  priceOf: (mhn: string, category: string) => number | null;
}

/**
 * Keeps the OpenSearch index current from the same bus events as the in-process index: a
 * reindex at start when the alias is missing (or on request), then reservations, releases,
 * additions (rows read from MySQL) and removals as they come. Every writer applies the same
 * idempotent updates, so several workers running it is safe (wasteful, not wrong).
 */
export class OpenSearchFeed {
  readonly indexer: OpenSearchIndexer;
  readonly #o: OpenSearchFeedOptions;
  readonly #source: ItemsSource;
  #stock = new Map<string, number>();
  #inactive = new Set<number>();
  #subs: Subscription[] = [];
  /** Events already applied: a redelivery (the relay publishes at least once) is ignored. */
  readonly #seen = new RecentIds();

  constructor(o: OpenSearchFeedOptions) {
    this.#o = o;
    this.#source = new ItemsSource(o.db);
    this.indexer = new OpenSearchIndexer({ transport: o.transport, alias: o.alias });
  }

  async start(): Promise<void> {
    const { bus } = this.#o;
    this.#subs.push(
      await bus.subscribe('site-items.reserved', (e) =>
        this.#seen.first(e.eventId)
          ? this.indexer.reserve(e.assetIds, Date.parse(e.reservedUntil))
          : undefined,
      ),
      await bus.subscribe('site-items.released', (e) =>
        this.#seen.first(e.eventId) ? this.indexer.release(e.assetIds) : undefined,
      ),
      await bus.subscribe('site-inventory.changed', async (e) => {
        if (!this.#seen.first(e.eventId)) return;
        if (e.removed.length) await this.indexer.remove(e.removed);
        if (e.added.length) {
          const rows = await this.#source.rows(e.added.map((a) => a.assetId));
          await this.indexer.upsert(
            rows.map((r) =>
              toDoc(
                r,
                this.#o.priceOf(r.marketHashName, r.category),
                this.#stock.get(r.marketHashName) ?? 1,
                !this.#inactive.has(r.botId),
              ),
            ),
          );
        }
      }),
    );
    const exists = await this.#o.transport
      .request({ method: 'HEAD', path: `/_alias/${this.#o.alias}` })
      .then((r) => r.statusCode === 200)
      .catch(() => false);
    if (!exists) await this.reindex();
  }

  /** A full reindex from MySQL into a new index, then the alias swap. */
  async reindex(): Promise<string> {
    const t0 = performance.now();
    this.#stock = await this.#source.stock();
    this.#inactive = new Set(await this.#source.inactiveBots());
    const index = await this.indexer.reindex(this.#source.pages(), {
      priceOf: this.#o.priceOf,
      stockOf: (m) => this.#stock.get(m) ?? 0,
      inactiveBots: this.#inactive,
    });
    this.#o.logger.info({ index, ms: Math.round(performance.now() - t0) }, 'opensearch reindexed');
    return index;
  }

  async close(): Promise<void> {
    await Promise.all(this.#subs.map((s) => s.unsubscribe().catch(() => {})));
    this.#subs = [];
  }
}
