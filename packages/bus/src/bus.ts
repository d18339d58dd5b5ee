import {
  Queue,
  UnrecoverableError,
  Worker,
  type ConnectionOptions,
  type Job,
  type JobsOptions,
} from 'bullmq';
import { AppError } from '@platform/core';
import { createRedis, isCluster, type Redis, type RedisSettings } from '@platform/db';
import { runWithContext, type Logger } from '@platform/observability';
import {
  EVENTS,
  JOBS,
  jobSpec,
  type EventName,
  type EventPayload,
  type JobName,
  type JobPayload,
  type JobSpec,
  type QueueName,
} from './catalog.ts';
import { redisKeys, type RedisKeys } from './keys.ts';

export type RetryRule = Pick<JobSpec<unknown>, 'attempts' | 'backoff'>;
/** Per-deployment retry settings for a job, `queue/name` → rule (e.g. from a service's config). */
export type RetryOverrides = Partial<Record<string, RetryRule>>;

export interface BusOptions {
  redis: RedisSettings;
  /** The process's request-path client: publish goes through it. */
  client: Redis;
  logger: Logger;
  retries?: RetryOverrides;
}

export interface Subscription {
  unsubscribe(): Promise<void>;
}

type EventHandler<E extends EventName> = (payload: EventPayload<E>) => void | Promise<void>;

/**
 * The one way to produce and consume: `enqueue` and `schedule` validate the payload against the
 * catalog and apply its retries and deduplication; `publish` validates, serializes and prefixes;
 * `subscribe` parses and validates, and drops (with a warning) what does not parse, so a bad
 * message never reaches a handler. Queues are created on first use, on one BullMQ connection.
 */
export class Bus {
  readonly keys: RedisKeys;
  readonly #o: BusOptions;
  readonly #queues = new Map<string, Queue>();
  readonly #handlers = new Map<string, Set<(raw: string) => void>>();
  #bull: Redis | undefined;
  #subscriber: Redis | undefined;

  constructor(options: BusOptions) {
    this.#o = options;
    this.keys = redisKeys(options.redis.keyPrefix);
  }

  /**
   * BullMQ's connection: its own client, since BullMQ needs commands to wait through a
   * reconnect (no per-request retry limit) where request paths fail fast. Workers duplicate it
   * for their blocking reads.
   */
  connection(): Redis {
    this.#bull ??= createRedis(this.#o.redis, {
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
      lazyConnect: false,
    });
    return this.#bull;
  }

  /**
   * The same client as BullMQ's own connection type: BullMQ bundles its own ioredis, whose types
   * differ from ours by version; it accepts any client with ioredis's API (it checks for
   * connect, disconnect and duplicate) and a Cluster for Redis Cluster.
   */
  bullConnection(): ConnectionOptions {
    return this.connection() as unknown as ConnectionOptions;
  }

  queue(name: QueueName): Queue {
    let q = this.#queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.bullConnection(), prefix: this.keys.bullPrefix(name) });
      q.on('error', (err) => this.#o.logger.warn({ queue: name, err: err.message }, 'queue error'));
      this.#queues.set(name, q);
    }
    return q;
  }

  /** The BullMQ options a job of this kind gets: the catalog's, with the deployment's retry settings. */
  jobOptions<Q extends QueueName, N extends JobName<Q>>(
    queue: Q,
    name: N,
    payload: JobPayload<Q, N>,
  ): JobsOptions {
    const spec = jobSpec(queue, name);
    const retry = this.#o.retries?.[`${queue}/${name}`] ?? spec;
    const dedupe = spec.dedupe?.(payload);
    return {
      attempts: retry.attempts,
      ...(retry.backoff ? { backoff: retry.backoff } : {}),
      ...(dedupe ? { deduplication: dedupe } : {}),
      removeOnComplete: spec.keep?.completed ?? 1_000,
      removeOnFail: spec.keep?.failed ?? 1_000,
    };
  }

  async enqueue<Q extends QueueName, N extends JobName<Q>>(
    queue: Q,
    name: N,
    payload: JobPayload<Q, N>,
    opts: { delayMs?: number; jobId?: string } = {},
  ): Promise<Job> {
    const data = jobSpec(queue, name).parse(payload);
    return this.queue(queue).add(name, data, {
      ...this.jobOptions(queue, name, data),
      ...(opts.delayMs ? { delay: opts.delayMs } : {}),
      ...(opts.jobId ? { jobId: opts.jobId } : {}),
    });
  }

  /** Several jobs of one queue in one call (one round trip), each validated and ruled as `enqueue` does. */
  async enqueueBulk<Q extends QueueName>(
    queue: Q,
    jobs: ReadonlyArray<{ name: JobName<Q>; payload: JobPayload<Q, JobName<Q>> }>,
  ): Promise<Job[]> {
    if (jobs.length === 0) return [];
    return this.queue(queue).addBulk(
      jobs.map(({ name, payload }) => {
        const data = jobSpec(queue, name).parse(payload);
        return { name, data, opts: this.jobOptions(queue, name, data) };
      }),
    );
  }

  /** A BullMQ job scheduler: `name` every `everyMs`, created or updated in place (one per id). */
  async schedule<Q extends QueueName, N extends JobName<Q>>(
    schedulerId: string,
    queue: Q,
    name: N,
    payload: JobPayload<Q, N>,
    repeat: { everyMs: number },
  ): Promise<void> {
    const data = jobSpec(queue, name).parse(payload);
    const { deduplication: _d, ...opts } = this.jobOptions(queue, name, data);
    await this.queue(queue).upsertJobScheduler(schedulerId, { every: repeat.everyMs }, { name, data, opts });
  }

  async publish<E extends EventName>(name: E, payload: EventPayload<E>): Promise<number> {
    const spec = EVENTS[name];
    const text = JSON.stringify(spec.parse(payload));
    const channel = this.keys.channel(spec.channel);
    const client = this.#o.client;
    // On a Redis Cluster a PUBLISH without a key goes to any node, and two nodes' messages reach
    // a subscriber in no particular order. Sent as a script keyed by the channel, every message
    // of a channel enters through the node of its slot, so subscribers see them in publish order.
    if (isCluster(client)) return Number(await client.eval(PUBLISH_IN_SLOT, 1, channel, text));
    return client.publish(channel, text);
  }

  /**
   * Handles every event of this name published from now on. Events are hints delivered at most
   * once per subscriber (Redis pub/sub): a consumer that must not miss one reloads from the
   * source of truth on a timer as well.
   */
  async subscribe<E extends EventName>(name: E, handler: EventHandler<E>): Promise<Subscription> {
    const spec = EVENTS[name];
    const channel = this.keys.channel(spec.channel);
    const log = this.#o.logger;
    const listener = (raw: string) => {
      let payload: EventPayload<E>;
      try {
        payload = spec.parse(JSON.parse(raw)) as EventPayload<E>;
      } catch (err) {
        log.warn({ event: name, err: (err as Error).message }, 'dropped an event that does not parse');
        return;
      }
      Promise.resolve()
        .then(() => handler(payload))
        .catch((err: unknown) => log.warn({ event: name, err }, 'event handler failed'));
    };
    const sub = this.#subscriberClient();
    let set = this.#handlers.get(channel);
    if (!set) {
      set = new Set();
      this.#handlers.set(channel, set);
      await sub.subscribe(channel);
    }
    set.add(listener);
    return {
      unsubscribe: async () => {
        // After close() there is nothing left to unsubscribe from.
        if (this.#subscriber !== sub) return;
        const handlers = this.#handlers.get(channel);
        handlers?.delete(listener);
        if (handlers && handlers.size === 0) {
          this.#handlers.delete(channel);
          await sub.unsubscribe(channel);
        }
      },
    };
  }

  #subscriberClient(): Redis {
    if (!this.#subscriber) {
      // Its own connection (a subscribed connection takes no other command); it keeps the
      // SUBSCRIBE queued however long Redis is away (no retry limit) and resubscribes after a
      // reconnect.
      const sub = createRedis(this.#o.redis, {
        enableOfflineQueue: true,
        maxRetriesPerRequest: null,
        lazyConnect: false,
      });
      sub.on('error', (err: Error) => this.#o.logger.warn({ err: err.message }, 'event subscriber error'));
      sub.on('message', (channel: string, message: string) => {
        for (const h of this.#handlers.get(channel) ?? []) h(message);
      });
      this.#subscriber = sub;
    }
    return this.#subscriber;
  }

  /**
   * True when `consumer` handled this event before (within `ttlSeconds`), else records it and
   * answers false: events are delivered at least once, consumers act once per event id.
   */
  async seenBefore(consumer: string, eventId: string, ttlSeconds = 86_400): Promise<boolean> {
    const ok = await this.#o.client.set(this.keys.seen(consumer, eventId), '1', 'EX', ttlSeconds, 'NX');
    return ok === null;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((q) => q.close()));
    this.#queues.clear();
    this.#handlers.clear();
    this.#subscriber?.disconnect();
    this.#subscriber = undefined;
    if (this.#bull) await this.#bull.quit().catch(() => this.#bull?.disconnect());
    this.#bull = undefined;
  }
}

const PUBLISH_IN_SLOT = `return redis.call('PUBLISH', KEYS[1], ARGV[1])`;

/** One handler per job of the queue: a job of the catalog without a handler is a compile error. */
export type JobHandlers<Q extends QueueName> = {
  [N in JobName<Q>]: (payload: JobPayload<Q, N>, job: Job) => Promise<unknown>;
};

/**
 * A BullMQ worker for one queue of the catalog. Each job's payload is validated first: one that
 * does not parse fails at once, without retries (it would fail the same way every time), and is
 * logged with its job id. Log lines of a job carry `job:<queue>:<id>` as their request id.
 */
export function createWorker<Q extends QueueName>(
  bus: Bus,
  queue: Q,
  handlers: JobHandlers<Q>,
  opts: { concurrency?: number; logger: Logger },
): Worker {
  const declared = Object.keys(JOBS[queue]);
  const missing = declared.filter((n) => typeof (handlers as Record<string, unknown>)[n] !== 'function');
  if (missing.length) throw new Error(`worker for ${queue} has no handler for ${missing.join(', ')}`);
  const log = opts.logger;
  const worker = new Worker(
    queue,
    async (job: Job) => {
      const handler = (handlers as Record<string, (p: unknown, j: Job) => Promise<unknown>>)[job.name];
      if (!handler) {
        log.error({ queue, job: job.name, jobId: job.id }, 'job of a kind this queue does not declare');
        throw new UnrecoverableError(`${queue} declares no job ${job.name}`);
      }
      let payload: unknown;
      try {
        payload = jobSpec(queue, job.name as JobName<Q>).parse(job.data);
      } catch (err) {
        const field = err instanceof AppError ? err.details?.field : undefined;
        log.warn(
          { queue, job: job.name, jobId: job.id, field, err: (err as Error).message },
          'job payload is not valid; failing it without retries',
        );
        throw new UnrecoverableError((err as Error).message);
      }
      return runWithContext({ requestId: `job:${queue}:${job.id ?? '?'}` }, () => handler(payload, job));
    },
    {
      connection: bus.bullConnection(),
      prefix: bus.keys.bullPrefix(queue),
      concurrency: opts.concurrency ?? 1,
    },
  );
  worker.on('failed', (job, err) => {
    if (err instanceof UnrecoverableError) return;
    log.warn(
      { queue, job: job?.name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message },
      'job failed',
    );
  });
  worker.on('error', (err) => log.warn({ queue, err: err.message }, 'worker error'));
  return worker;
}
