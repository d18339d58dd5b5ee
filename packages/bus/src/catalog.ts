import {
  parseBalanceUpdated,
  parsePricesImported,
  parseTradeNotice,
  parseTradeUpdated,
  parseSiteInventoryChanged,
  parseSiteItemsReleased,
  parseSiteItemsReserved,
} from './events.ts';
import { parsePricingImportJob, parseRefreshAllJob, parseRefreshBotJob, parseTradeJob } from './queues.ts';

/**
 * The contract between services, declared once: every BullMQ job (its queue, name, payload
 * parser, retries and deduplication) and every pub/sub event (its channel and parser).
 * Producers and consumers both go through `Bus` and `createWorker`, which take their types and
 * their rules from here, so a producer cannot send what a consumer does not read, and retries
 * are the job's, not each consumer's guess.
 */
export interface JobSpec<P> {
  /** Validates a consumed (and a produced) payload; throws VALIDATION_FAILED naming the field. */
  parse: (data: unknown) => P;
  /** Total tries, the first included. A payload that fails `parse` is never retried. */
  attempts: number;
  backoff?: { type: 'exponential' | 'fixed'; delay: number };
  /**
   * Jobs with the same id are one job while it waits (BullMQ deduplication); with
   * keepLastIfActive, one asked for while it runs runs once more after it.
   */
  dedupe?: (payload: P) => { id: string; keepLastIfActive?: boolean };
  /** Finished jobs kept for inspection (count). */
  keep?: { completed: number; failed: number };
}

export interface EventSpec<P> {
  /** The channel, without the deployment prefix; its name carries the major version. */
  channel: string;
  parse: (data: unknown) => P;
}

const job = <P>(spec: JobSpec<P>): JobSpec<P> => spec;
const event = <P>(spec: EventSpec<P>): EventSpec<P> => spec;

export const JOBS = {
  /** sinv: re-read bot inventories (on a schedule, and after a trade). */
  'inventory-refresh': {
    /** One bot; never two at once for one bot, and one asked for during a run runs after it. */
    'refresh-bot': job({
      parse: parseRefreshBotJob,
      attempts: 6,
      backoff: { type: 'exponential', delay: 5_000 },
      dedupe: (p) => ({ id: `bot:${p.botId}`, keepLastIfActive: true }),
      keep: { completed: 1_000, failed: 1_000 },
    }),
    /** Every active bot: fans out refresh-bot jobs (the job scheduler's tick). */
    'refresh-all': job({ parse: parseRefreshAllJob, attempts: 1, keep: { completed: 10, failed: 100 } }),
  },
  /** sinv: import the price feed into the pricing database. */
  'pricing-import': {
    import: job({
      parse: parsePricingImportJob,
      attempts: 3,
      backoff: { type: 'exponential', delay: 10_000 },
      keep: { completed: 100, failed: 100 },
    }),
  },
  /**
   * The tradebot: carry out a trade (record each offer's intent, send, confirm) or cancel its
   * live offers. Enqueued by the backend's outbox relay; one job per trade and kind at a time.
   */
  'trade-execution': {
    'execute-trade': job({
      parse: parseTradeJob,
      attempts: 8,
      backoff: { type: 'exponential', delay: 2_000 },
      dedupe: (p) => ({ id: `execute:${p.tradeId}` }),
      keep: { completed: 1_000, failed: 5_000 },
    }),
    'cancel-trade': job({
      parse: parseTradeJob,
      attempts: 8,
      backoff: { type: 'exponential', delay: 2_000 },
      dedupe: (p) => ({ id: `cancel:${p.tradeId}` }),
      keep: { completed: 1_000, failed: 5_000 },
    }),
  },
} as const;

export const EVENTS = {
  /** One per bot refresh that added or removed something. */
  'site-inventory.changed': event({ channel: 'events:site-inventory:v1', parse: parseSiteInventoryChanged }),
  /** A price import finished (consumers reload their price books). */
  'prices.imported': event({ channel: 'events:prices:v1', parse: parsePricesImported }),
  /** Site items reserved by a trade: search hides them, browsers are told. */
  'site-items.reserved': event({ channel: 'events:site-items-reserved:v1', parse: parseSiteItemsReserved }),
  /** Site items back on offer: their trade ended without them leaving, or the reservation ran out. */
  'site-items.released': event({ channel: 'events:site-items-released:v1', parse: parseSiteItemsReleased }),
  /** A trade changed: its public view, for its owner's live updates. */
  'trade.updated': event({ channel: 'events:trade-updated:v1', parse: parseTradeUpdated }),
  /** A balance changed. */
  'balance.updated': event({ channel: 'events:balance-updated:v1', parse: parseBalanceUpdated }),
  /** Something the user must know about a trade (an offer canceled by someone else, a reversal). */
  'trade.notice': event({ channel: 'events:trade-notice:v1', parse: parseTradeNotice }),
} as const;

export type JobCatalog = typeof JOBS;
export type QueueName = Extract<keyof JobCatalog, string>;
export type JobName<Q extends QueueName> = Extract<keyof JobCatalog[Q], string>;
export type JobPayload<Q extends QueueName, N extends JobName<Q>> =
  JobCatalog[Q][N] extends JobSpec<infer P> ? P : never;

export type EventCatalog = typeof EVENTS;
export type EventName = Extract<keyof EventCatalog, string>;
export type EventPayload<E extends EventName> = EventCatalog[E] extends EventSpec<infer P> ? P : never;

export function jobSpec<Q extends QueueName, N extends JobName<Q>>(
  queue: Q,
  name: N,
): JobSpec<JobPayload<Q, N>> {
  return (JOBS[queue] as Record<string, JobSpec<unknown>>)[name] as JobSpec<JobPayload<Q, N>>;
}
