import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Bus, JobName, QueueName } from '@platform/bus';
import type { MainDatabase, Redis } from '@platform/db';
import type { Logger } from '@platform/observability';
import { messageOf } from './outbox.ts';

export interface OutboxRelayOptions {
  db: Kysely<MainDatabase>;
  bus: Bus;
  redis: Redis;
  logger: Logger;
  /** How long to wait between looks when nothing woke the relay. */
  pollMs: number;
  /** The lease: one relay publishes at a time (order), another takes over within this. */
  leaseMs?: number;
  batch?: number;
  /** After a pass that found rows, how long to let more commits gather before the next one. */
  coalesceMs?: number;
}

/** Renews the lease only if this relay still holds it. */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * Publishes committed outbox rows, in id order (so in order per trade), at least once: a row is
 * marked published only after the bus took it, so a relay killed in between publishes it again
 * on the next run, and consumers deduplicate by event id (Bus.seenBefore). One relay at a time
 * holds a lease in Redis; any process may run one, and one takes over within a lease period
 * when the holder dies. A process that just committed rows wakes its relay (`kick`).
 */
export class OutboxRelay {
  readonly #o: Required<OutboxRelayOptions>;
  readonly #id = randomUUID();
  readonly #leaseKey: string;
  #running = false;
  #leader = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #leaseAt = 0;

  constructor(options: OutboxRelayOptions) {
    this.#o = { leaseMs: 5_000, batch: 200, coalesceMs: 5, ...options };
    this.#leaseKey = options.bus.keys.lease('outbox-relay');
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Publish now: rows were just committed here. */
  kick(): void {
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.kick();
    await this.#loop;
    if (this.#leader) await this.#o.redis.eval(RELEASE, 1, this.#leaseKey, this.#id).catch(() => {});
    this.#leader = false;
  }

  get isLeader(): boolean {
    return this.#leader;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let published = 0;
      try {
        if (await this.#holdLease()) published = await this.drain();
      } catch (err) {
        this.#o.logger.warn({ err: (err as Error).message }, 'outbox relay: a pass failed; trying again');
      }
      if (!this.#running) continue;
      if (published > 0) {
        // Busy: let a few more commits land so the next pass carries them together.
        if (published < this.#o.batch) await new Promise((r) => setTimeout(r, this.#o.coalesceMs));
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.#leader ? this.#o.pollMs : this.#o.leaseMs / 2);
        this.#wake = done;
        function done() {
          clearTimeout(timer);
          resolve();
        }
      });
      this.#wake = undefined;
    }
  }

  async #holdLease(): Promise<boolean> {
    const now = Date.now();
    // Renewed a third of the way through: a holder that stalls longer loses it to another.
    if (this.#leader && now - this.#leaseAt < this.#o.leaseMs / 3) return true;
    const { redis } = this.#o;
    const ok = this.#leader
      ? (await redis.eval(RENEW, 1, this.#leaseKey, this.#id, String(this.#o.leaseMs))) === 1
      : (await redis.set(this.#leaseKey, this.#id, 'PX', this.#o.leaseMs, 'NX')) === 'OK';
    if (ok !== this.#leader)
      this.#o.logger.info(
        { leader: ok },
        ok ? 'outbox relay: took the lease' : 'outbox relay: lost the lease',
      );
    this.#leader = ok;
    if (ok) this.#leaseAt = now;
    return ok;
  }

  /** Publishes one batch of unpublished rows in id order; returns how many. */
  async drain(): Promise<number> {
    const { db, bus, logger } = this.#o;
    const rows = await db
      .selectFrom('outbox')
      .select(['id', 'event_id', 'topic', 'payload'])
      .where('published_at', 'is', null)
      .orderBy('id')
      .limit(this.#o.batch)
      .execute();
    if (rows.length === 0) return 0;
    // Sent together: events issued at once on one connection are pipelined and still run in
    // order; the jobs of a queue go in one call. A batch costs a few round trips, not one per row.
    const messages = rows.map((row) => ({ row, message: messageOf(row.topic, row.payload) }));
    const jobsByQueue = new Map<QueueName, Array<{ index: number; name: string; payload: unknown }>>();
    const outcome: Array<Promise<void>> = messages.map(({ row, message }, index) => {
      if (!message) return Promise.reject(new RefusedRow(`unknown outbox topic ${row.topic}`));
      if (message.kind === 'job') {
        const list = jobsByQueue.get(message.queue) ?? [];
        list.push({ index, name: message.name, payload: message.payload });
        jobsByQueue.set(message.queue, list);
        return Promise.resolve();
      }
      return bus.publish(message.name, message.payload as never).then(
        () => undefined,
        (err: unknown) => Promise.reject(refused(err)),
      );
    });
    for (const [queue, jobs] of jobsByQueue) {
      const added = bus
        .enqueueBulk(
          queue,
          jobs.map((j) => ({ name: j.name as JobName<QueueName>, payload: j.payload as never })),
        )
        .then(
          () => undefined,
          (err: unknown) => Promise.reject(refused(err)),
        );
      for (const j of jobs) outcome[j.index] = added;
    }
    const results = await Promise.allSettled(outcome);
    // Marked published: every row up to the first that failed for a reason other than being
    // refused (a Redis outage); those after it go again on the next pass.
    const done: string[] = [];
    for (const [i, r] of results.entries()) {
      const row = rows[i]!;
      if (r.status === 'rejected') {
        if (!(r.reason instanceof RefusedRow)) break;
        // A row the bus refuses (a payload the catalog rejects: a bug) would block every row
        // after it for ever: it is logged in full and passed over.
        logger.error(
          { err: r.reason, outboxId: row.id, eventId: row.event_id, topic: row.topic },
          'outbox row refused by the bus; skipped',
        );
      }
      done.push(row.id);
    }
    if (done.length > 0) {
      await db
        .updateTable('outbox')
        .set({ published_at: sql<Date>`CURRENT_TIMESTAMP(3)` })
        .where('id', 'in', done)
        .execute();
    }
    const failed = results.find((r) => r.status === 'rejected' && !(r.reason instanceof RefusedRow));
    if (failed && failed.status === 'rejected') throw failed.reason;
    return done.length;
  }

  /** Published rows are kept a week for inspection, then deleted in small batches. */
  async prune(olderThanDays = 7): Promise<number> {
    const r =
      await sql`DELETE FROM outbox WHERE published_at < CURRENT_TIMESTAMP(3) - INTERVAL ${olderThanDays} DAY LIMIT 10000`.execute(
        this.#o.db,
      );
    return Number(r.numAffectedRows ?? 0);
  }
}

class RefusedRow extends Error {}

/** A payload the catalog rejects is refused for good; anything else (Redis down) is retried. */
function refused(err: unknown): Error {
  if ((err as { code?: string }).code === 'VALIDATION_FAILED') return new RefusedRow((err as Error).message);
  return err as Error;
}
