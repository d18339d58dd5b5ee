import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import {
  INVENTORY_JOBS,
  parsePricingImportJob,
  parseRefreshAllJob,
  parseRefreshBotJob,
  PRICING_JOBS,
  QUEUES,
  type RefreshBotJobV1,
} from '@platform/bus';
import type { Logger } from '@platform/observability';
import type { PriceImportService } from '../pricing/price-import.service.ts';
import type { BotsRepository } from './bots.repository.ts';
import type { ReconcileService } from './reconcile.service.ts';
import type { SnapshotStore } from './snapshot.store.ts';

/** BullMQ needs its own connections (blocking commands, no per-request retry limit). */
export function bullConnection(url: URL): ConnectionOptions {
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : 6379,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.pathname.length > 1 ? { db: Number(url.pathname.slice(1)) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

export interface SinvJobsOptions {
  connection: ConnectionOptions;
  /** BullMQ key prefix: the deployment's Redis prefix + "bull". */
  prefix: string;
  logger: Logger;
  reconcile: ReconcileService;
  bots: BotsRepository;
  snapshot: SnapshotStore;
  priceImport: PriceImportService;
  refreshIntervalMs: number;
  importIntervalMs: number;
  concurrency: number;
  retryAttempts: number;
  retryBaseMs: number;
  /** Tests drive jobs themselves and leave the schedulers off. */
  schedule?: boolean;
}

/**
 * sinv's queues: bot refreshes (every bot on a schedule, one bot on demand after a trade) and
 * the price import on a BullMQ job scheduler. Refreshes of one bot never run in parallel: the
 * deduplication id is the bot, and a refresh asked for while one runs is kept and runs after it.
 */
export class SinvJobs {
  private readonly o: SinvJobsOptions;
  readonly refreshQueue: Queue;
  readonly pricingQueue: Queue;
  private workers: Worker[] = [];

  constructor(options: SinvJobsOptions) {
    this.o = options;
    this.refreshQueue = new Queue(QUEUES.inventoryRefresh, {
      connection: options.connection,
      prefix: options.prefix,
    });
    this.pricingQueue = new Queue(QUEUES.pricingImport, {
      connection: options.connection,
      prefix: options.prefix,
    });
  }

  async start(): Promise<void> {
    const { connection, prefix, logger } = this.o;
    const refreshWorker = new Worker(QUEUES.inventoryRefresh, (job) => this.handleRefresh(job), {
      connection,
      prefix,
      concurrency: this.o.concurrency,
    });
    const pricingWorker = new Worker(
      QUEUES.pricingImport,
      async (job) => {
        parsePricingImportJob(job.data);
        return this.o.priceImport.run();
      },
      { connection, prefix, concurrency: 1 },
    );
    for (const w of [refreshWorker, pricingWorker]) {
      w.on('failed', (job, err) =>
        logger.warn(
          { queue: w.name, job: job?.name, attempts: job?.attemptsMade, err: err.message },
          'job failed',
        ),
      );
      w.on('error', (err) => logger.warn({ queue: w.name, err: err.message }, 'worker error'));
    }
    this.workers = [refreshWorker, pricingWorker];
    if (this.o.schedule !== false) {
      await this.refreshQueue.upsertJobScheduler(
        'sinv-refresh-all',
        { every: this.o.refreshIntervalMs },
        { name: INVENTORY_JOBS.refreshAll, data: { v: 1 } },
      );
      await this.pricingQueue.upsertJobScheduler(
        'pricing-import',
        { every: this.o.importIntervalMs },
        {
          name: PRICING_JOBS.import,
          data: { v: 1 },
          opts: { attempts: 3, backoff: { type: 'exponential', delay: 10_000 } },
        },
      );
    }
  }

  private async handleRefresh(job: Job): Promise<unknown> {
    switch (job.name) {
      case INVENTORY_JOBS.refreshAll: {
        parseRefreshAllJob(job.data);
        const bots = await this.o.bots.listActive();
        await this.o.snapshot.prune(new Set(bots.map((b) => b.id)));
        for (const bot of bots) await this.refreshBot(bot.id, 'schedule');
        return { queued: bots.length };
      }
      case INVENTORY_JOBS.refreshBot: {
        const data = parseRefreshBotJob(job.data);
        return this.o.reconcile.refreshBot(data.botId);
      }
      default:
        throw new Error(`no handler for job ${job.name} on ${QUEUES.inventoryRefresh}`);
    }
  }

  /** Asks for a refresh of one bot (the tradebot calls this, through the queue, after a trade). */
  async refreshBot(botId: number, reason: RefreshBotJobV1['reason'], tradeId?: string): Promise<Job> {
    const data: RefreshBotJobV1 = { v: 1, botId, reason, ...(tradeId ? { tradeId } : {}) };
    return this.refreshQueue.add(INVENTORY_JOBS.refreshBot, data, {
      deduplication: { id: `bot:${botId}`, keepLastIfActive: true },
      // A failing bot (429, 5xx, private, session expired) is retried with growing pauses.
      attempts: this.o.retryAttempts,
      backoff: { type: 'exponential', delay: this.o.retryBaseMs },
      removeOnComplete: 1000,
      removeOnFail: 1000,
    });
  }

  async importPricesNow(): Promise<Job> {
    return this.pricingQueue.add(PRICING_JOBS.import, { v: 1 }, { removeOnComplete: 100, removeOnFail: 100 });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all([this.refreshQueue.close(), this.pricingQueue.close()]);
  }
}
