import { randomUUID } from 'node:crypto';
import type { Bus, PricesImportedV1 } from '@platform/bus';
import type { Logger } from '@platform/observability';
import { parseFeed, type FeedRow, type ParsedFeed } from './price-feed.ts';
import type { PriceReader } from '@platform/pricing';
import type { PricingRepository } from './pricing.repository.ts';
import type { InventoryMetrics } from '../metrics.ts';

export interface PriceImportOptions {
  repo: PricingRepository;
  /** The prices stored now, to write history only for changes. */
  current: Pick<PriceReader, 'currentPrices'>;
  logger: Logger;
  feedUrl: URL;
  format: 'auto' | 'json' | 'csv';
  /** Stored as each price's source, e.g. "emulator", "steam-market", "buff". */
  source: string;
  /** A feed with more rejected rows than this percentage is refused whole: it is broken, not noisy. */
  maxRejectPercent: number;
  timeoutMs: number;
  /**
   * A running import without a heartbeat for this long belongs to no live process (killed) and
   * is marked abandoned. A live run heartbeats six times per bound, however long it takes.
   */
  abandonAfterMs: number;
  events: Pick<Bus, 'publish'>;
  metrics?: InventoryMetrics;
}

export interface ImportReport {
  importId: string;
  status: 'ok' | 'partial' | 'refused';
  total: number;
  accepted: number;
  rejected: number;
  changed: number;
}

/** One import of the price feed into the pricing database (the job the scheduler runs). */
export class PriceImportService {
  private readonly o: PriceImportOptions;
  constructor(options: PriceImportOptions) {
    this.o = options;
  }

  /**
   * Marks `abandoned` the runs whose process died mid-import (no heartbeat for abandonAfterMs),
   * so none stays `running` for ever. Called when pricing starts and before each import; never
   * touches a run a live process holds, which keeps heartbeating.
   */
  async abandonInterrupted(): Promise<number> {
    const n = await this.o.repo.abandonInterrupted(this.o.abandonAfterMs);
    if (n > 0)
      this.o.logger.warn(
        { abandoned: n },
        'price imports left running by a stopped process marked abandoned',
      );
    return n;
  }

  async run(): Promise<ImportReport> {
    await this.abandonInterrupted();
    const importId = await this.o.repo.startImport(this.o.source, this.o.feedUrl.toString());
    const beat = setInterval(
      () => {
        this.o.repo.heartbeat(importId).catch((err: unknown) => {
          // A missed beat or two is harmless; only a bound's worth of them marks the run abandoned.
          this.o.logger.warn({ importId, err: (err as Error).message }, 'price import heartbeat failed');
        });
      },
      Math.max(50, Math.floor(this.o.abandonAfterMs / 6)),
    );
    beat.unref();
    try {
      return await this.runImport(importId);
    } finally {
      clearInterval(beat);
    }
  }

  private async runImport(importId: string): Promise<ImportReport> {
    const { repo, logger } = this.o;
    let feed: ParsedFeed;
    try {
      const res = await fetch(this.o.feedUrl, { signal: AbortSignal.timeout(this.o.timeoutMs) });
      if (!res.ok) throw new Error(`the feed answered ${res.status}`);
      feed = parseFeed(await res.text(), this.o.format, res.headers.get('content-type') ?? '');
    } catch (err) {
      await repo.finishImport(importId, {
        status: 'failed',
        format: this.o.format,
        total: 0,
        accepted: 0,
        rejected: [],
        changed: 0,
        error: (err as Error).message,
      });
      // Thrown so the job fails and BullMQ retries it; the prices in force stay as they are.
      throw err;
    }
    this.o.metrics?.priceImportRows.inc({ result: 'rejected' }, feed.rejected.length);
    for (const r of feed.rejected.slice(0, 20)) logger.warn({ importId, ...r }, 'price feed row rejected');
    const rejectedPercent = feed.total === 0 ? 100 : (feed.rejected.length * 100) / feed.total;
    if (rejectedPercent > this.o.maxRejectPercent) {
      await repo.finishImport(importId, {
        status: 'refused',
        format: feed.format,
        total: feed.total,
        accepted: 0,
        rejected: feed.rejected,
        changed: 0,
      });
      logger.error(
        { importId, total: feed.total, rejected: feed.rejected.length },
        'price feed refused: too many bad rows',
      );
      return {
        importId,
        status: 'refused',
        total: feed.total,
        accepted: 0,
        rejected: feed.rejected.length,
        changed: 0,
      };
    }
    this.o.metrics?.priceImportRows.inc({ result: 'accepted' }, feed.rows.length);
    let changed: FeedRow[];
    try {
      const current = await this.o.current.currentPrices();
      changed = feed.rows.filter((r) => current.get(r.marketHashName) !== r.price);
      await repo.applyRows(feed.rows, changed, this.o.source);
    } catch (err) {
      // applyRows is one transaction: nothing of this feed is stored. The run must not stay 'running'.
      await repo
        .finishImport(importId, {
          status: 'failed',
          format: feed.format,
          total: feed.total,
          accepted: 0,
          rejected: feed.rejected,
          changed: 0,
          error: (err as Error).message,
        })
        .catch((finishErr: unknown) =>
          logger.error({ err: finishErr, importId }, 'could not record the failed import'),
        );
      throw err;
    }
    const status = feed.rejected.length > 0 ? 'partial' : 'ok';
    await repo.finishImport(importId, {
      status,
      format: feed.format,
      total: feed.total,
      accepted: feed.rows.length,
      rejected: feed.rejected,
      changed: changed.length,
    });
    const event: PricesImportedV1 = {
      v: 1,
      type: 'prices.imported',
      eventId: randomUUID(),
      importId,
      accepted: feed.rows.length,
      rejected: feed.rejected.length,
      at: new Date().toISOString(),
    };
    await this.o.events.publish('prices.imported', event).catch((err: unknown) => {
      // Consumers also reload on a timer, so a lost event only delays them.
      logger.warn({ err }, 'could not publish prices.imported');
    });
    logger.info(
      {
        importId,
        status,
        accepted: feed.rows.length,
        rejected: feed.rejected.length,
        changed: changed.length,
      },
      'prices imported',
    );
    return {
      importId,
      status,
      total: feed.total,
      accepted: feed.rows.length,
      rejected: feed.rejected.length,
      changed: changed.length,
    };
  }
}
