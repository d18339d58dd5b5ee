import type { Kysely } from 'kysely';
import type { Bus, Subscription } from '@platform/bus';
import type { MainDatabase } from '@platform/db';
import type { Logger } from '@platform/observability';
import { ItemsSource } from './items.source.ts';
import { MemoryIndex } from './memory-index.ts';
import { RecentIds } from './recent-ids.ts';
import type { SearchPage, SearchQuery, SiteSearch } from './port.ts';

export interface LiveIndexOptions {
  db: Kysely<MainDatabase>;
  bus: Pick<Bus, 'subscribe'>;
  logger: Logger;
  /** Withdrawal price of a name in minor units, or null (packages/pricing's book, through the spreads). */
  priceOf: (marketHashName: string, category: string) => number | null;
  /** Changes whenever prices reload (the book's loadedAt): the index reprices then. */
  pricesVersion: () => number;
  /** How often the index is compared with MySQL (repairs a missed event). */
  reconcileMs: number;
  pageSize?: number;
  now?: () => number;
}

/** Runs `fn` over `items`, yielding to the event loop every `chunk` of them. */
async function eachChunked<T>(items: Iterable<T>, fn: (item: T) => void, chunk = 5_000): Promise<void> {
  let n = 0;
  for (const item of items) {
    fn(item);
    if (++n % chunk === 0) await new Promise((r) => setImmediate(r));
  }
}

/** How long a change made by an event is trusted over a reconciliation read that began before it. */
const EVENT_GRACE_MS = 2_000;

/**
 * The default adapter, live: a MemoryIndex loaded from MySQL at start (in pages, so the event
 * loop keeps turning) and kept current by the bus events —
 * `site-inventory.changed` (items added and removed: sinv, and the backend's settlement),
 * `site-items.reserved` / `site-items.released` (the backend's outbox), price reloads — and
 * reconciled against MySQL every `reconcileMs` by version, so a missed event is repaired.
 */
export class LiveIndex implements SiteSearch {
  readonly index: MemoryIndex;
  readonly source: ItemsSource;
  readonly #o: LiveIndexOptions;
  #subs: Subscription[] = [];
  #timers: NodeJS.Timeout[] = [];
  #loaded = false;
  /** Events that arrived during the load, applied after it. */
  #early: Array<() => Promise<void> | void> = [];
  #pricesVersion = -1;
  #reconciling: Promise<void> | undefined;
  #closed = false;
  /** Events already applied: a redelivery (the relay publishes at least once) is ignored. */
  readonly #seen = new RecentIds();
  loadMs = 0;

  constructor(options: LiveIndexOptions) {
    this.#o = options;
    this.source = new ItemsSource(options.db);
    this.index = new MemoryIndex({ priceOf: options.priceOf, ...(options.now ? { now: options.now } : {}) });
  }

  get changes(): number {
    return this.index.changes;
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  search(query: SearchQuery): Promise<SearchPage> {
    return this.index.search(query);
  }

  searchJson(query: SearchQuery): Promise<string> {
    return this.index.searchJson(query);
  }

  /** Subscribes, loads every item, then applies what arrived meanwhile; then the timers. */
  async start(): Promise<void> {
    const t0 = performance.now();
    this.#closed = false;
    await this.#subscribe();
    this.#pricesVersion = this.#o.pricesVersion();
    this.index.setInactiveBots(await this.source.inactiveBots());
    for await (const page of this.source.pages(this.#o.pageSize)) {
      if (this.#closed) return;
      this.index.upsert(page);
    }
    this.index.flush();
    this.#loaded = true;
    for (const apply of this.#early.splice(0)) await apply();
    this.index.flush();
    this.loadMs = performance.now() - t0;
    this.#o.logger.info({ ...this.index.stats(), ms: Math.round(this.loadMs) }, 'search index loaded');
    const every = (ms: number, what: string, fn: () => Promise<void> | void) => {
      const t = setInterval(() => {
        Promise.resolve()
          .then(fn)
          .catch((err: unknown) =>
            this.#o.logger.warn({ err: (err as Error).message }, `search: ${what} failed`),
          );
      }, ms);
      t.unref();
      this.#timers.push(t);
    };
    // Prices: the book reloads on its timer and on prices.imported; overrides expire by time.
    every(1_000, 'reprice', () => this.#repriceIfChanged());
    every(60_000, 'reprice', () => this.index.reprice());
    every(this.#o.reconcileMs, 'reconcile', () => this.reconcile());
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    await Promise.all(this.#subs.map((s) => s.unsubscribe().catch(() => {})));
    this.#subs = [];
    this.index.close();
    await this.#reconciling?.catch(() => {});
  }

  #repriceIfChanged(): void {
    const v = this.#o.pricesVersion();
    if (v === this.#pricesVersion) return;
    this.#pricesVersion = v;
    this.index.reprice();
  }

  async #subscribe(): Promise<void> {
    const { bus } = this.#o;
    const later = (apply: () => Promise<void> | void, eventId: string) => {
      if (!this.#seen.first(eventId)) return;
      if (this.#loaded) return apply();
      this.#early.push(apply);
    };
    this.#subs.push(
      await bus.subscribe('site-items.reserved', (e) =>
        later(
          () => this.index.reserve(e.assetIds, Date.parse(e.reservedUntil), { fromEvent: true }),
          e.eventId,
        ),
      ),
      await bus.subscribe('site-items.released', (e) =>
        later(() => this.index.release(e.assetIds, { fromEvent: true }), e.eventId),
      ),
      await bus.subscribe('site-inventory.changed', (e) =>
        later(async () => {
          if (e.removed.length > 0) this.index.remove(e.removed);
          if (e.added.length > 0) {
            const rows = await this.source.rows(e.added.map((a) => a.assetId));
            this.index.upsert(rows, { fromEvent: true });
          }
        }, e.eventId),
      ),
    );
  }

  /** Compares the index with MySQL and repairs what differs (one at a time). */
  reconcile(): Promise<void> {
    if (!this.#reconciling)
      this.#reconciling = this.#reconcile()
        .then(() => undefined)
        .finally(() => {
          this.#reconciling = undefined;
        });
    return this.#reconciling;
  }

  async #reconcile(): Promise<{ reloaded: number; removed: number; reservations: number }> {
    const none = { reloaded: 0, removed: 0, reservations: 0 };
    if (!this.#loaded) return none;
    const now = this.#o.now ?? (() => Date.now());
    const startedAt = now() - EVENT_GRACE_MS;
    const index = this.index;
    const reload: string[] = [];
    const seen = new Set<string>();
    for await (const page of this.source.versions()) {
      if (this.#closed) return none;
      for (const { assetId, version } of page) {
        seen.add(assetId);
        const k = index.versionOf(assetId);
        if (!k || (k.version !== version && k.touched < startedAt)) reload.push(assetId);
      }
    }
    // The passes over the whole index yield every few thousand items, so requests keep flowing.
    const gone: string[] = [];
    await eachChunked(index.entries(), (e) => {
      if (!seen.has(e.assetId) && e.touched < startedAt) gone.push(e.assetId);
    });
    if (gone.length > 0) index.remove(gone);
    if (reload.length > 0) index.upsert(await this.source.rows(reload));
    // Reservations: what MySQL says, except where an event changed the item since this began.
    const active = await this.source.activeReservations();
    const reserve: Array<[string, number]> = [];
    const release: string[] = [];
    await eachChunked(index.entries(), (e) => {
      if (e.touched >= startedAt) return;
      const until = active.get(e.assetId);
      if (until !== undefined && e.reservedUntil === 0) reserve.push([e.assetId, until]);
      else if (until === undefined && e.reservedUntil !== 0) release.push(e.assetId);
    });
    for (const [assetId, until] of reserve) index.reserve([assetId], until);
    index.release(release);
    index.setInactiveBots(await this.source.inactiveBots());
    const result = {
      reloaded: reload.length,
      removed: gone.length,
      reservations: reserve.length + release.length,
    };
    if (reload.length + gone.length + result.reservations > 0)
      this.#o.logger.info({ ...result, ...index.stats() }, 'search reconciliation repaired the index');
    // A pass over every item: counted only when the line is written.
    else if (this.#o.logger.isLevelEnabled('debug'))
      this.#o.logger.debug(index.stats(), 'search reconciliation: the index agrees with MySQL');
    return result;
  }

  /** Reconciles now and says what it repaired (tests, operators). */
  async reconcileNow(): Promise<{ reloaded: number; removed: number; reservations: number }> {
    await this.#reconciling?.catch(() => {});
    const r = await this.#reconcile();
    this.index.flush();
    return r;
  }
}
