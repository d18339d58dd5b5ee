import type { Job } from 'bullmq';
import type { Bus, RefreshBotJobV1 } from '@platform/bus';
import type { ServiceContext } from '@platform/http';
import type { PriceImportService } from '../pricing/price-import.service.ts';
import type { BotsRepository } from './bots.repository.ts';
import type { ReconcileService } from './reconcile.service.ts';
import type { SnapshotStore } from './snapshot.store.ts';

export interface SinvJobsOptions {
  bus: Bus;
  /** Creates the workers (the context's: closed at shutdown, on /readyz). */
  worker: ServiceContext['worker'];
  reconcile: ReconcileService;
  bots: BotsRepository;
  snapshot: SnapshotStore;
  priceImport: PriceImportService;
  refreshIntervalMs: number;
  importIntervalMs: number;
  concurrency: number;
}

/**
 * sinv's jobs (declared in packages/bus's catalog): bot refreshes (every bot on a schedule, one
 * bot on demand after a trade) and the price import. Refreshes of one bot never run in
 * parallel: the catalog deduplicates refresh-bot by bot.
 */
export class SinvJobs {
  private readonly o: SinvJobsOptions;

  constructor(options: SinvJobsOptions) {
    this.o = options;
  }

  /** Starts the workers (tests drive the jobs themselves and start nothing else). */
  startWorkers(): void {
    this.o.worker(
      'inventory-refresh',
      {
        'refresh-all': async () => {
          const bots = await this.o.bots.listActive();
          await this.o.snapshot.prune(new Set(bots.map((b) => b.id)));
          for (const bot of bots) await this.refreshBot(bot.id, 'schedule');
          return { queued: bots.length };
        },
        'refresh-bot': (payload) => this.o.reconcile.refreshBot(payload.botId),
      },
      { concurrency: this.o.concurrency },
    );
    this.o.worker('pricing-import', { import: () => this.o.priceImport.run() });
  }

  /**
   * The schedules, plus one refresh of every bot and one import right now. A job scheduler
   * left in Redis by an earlier run keeps its next slot, which can be a refresh interval away:
   * a process that just started must not wait for it to have items and prices.
   */
  async startSchedules(): Promise<void> {
    const { bus } = this.o;
    await bus.schedule(
      'sinv-refresh-all',
      'inventory-refresh',
      'refresh-all',
      { v: 1 },
      {
        everyMs: this.o.refreshIntervalMs,
      },
    );
    await bus.schedule(
      'pricing-import',
      'pricing-import',
      'import',
      { v: 1 },
      { everyMs: this.o.importIntervalMs },
    );
    await Promise.all([bus.enqueue('inventory-refresh', 'refresh-all', { v: 1 }), this.importPricesNow()]);
  }

  /** Asks for a refresh of one bot (the tradebot asks through the bus after a trade). */
  refreshBot(botId: number, reason: RefreshBotJobV1['reason'], tradeId?: string): Promise<Job> {
    return this.o.bus.enqueue('inventory-refresh', 'refresh-bot', {
      v: 1,
      botId,
      reason,
      ...(tradeId ? { tradeId } : {}),
    });
  }

  importPricesNow(): Promise<Job> {
    return this.o.bus.enqueue('pricing-import', 'import', { v: 1 });
  }
}
