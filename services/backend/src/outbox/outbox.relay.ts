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
    this.#o = { leaseMs: 5_000, batch: 200, ...options };
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
      if (published > 0 || !this.#running) continue;
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
    const done: string[] = [];
    try {
      for (const row of rows) {
        const message = messageOf(row.topic, row.payload);
        try {
          if (!message) throw new Error(`unknown outbox topic ${row.topic}`);
          if (message.kind === 'event') await bus.publish(message.name, message.payload as never);
          else await bus.enqueue(message.queue, message.name as JobName<QueueName>, message.payload, {});
        } catch (err) {
          // A row the bus refuses (a payload the catalog rejects: a bug) would block every row
          // after it for ever: it is logged in full and passed over. A Redis outage is not that.
          if ((err as { code?: string }).code !== 'VALIDATION_FAILED' && message !== undefined) throw err;
          logger.error(
            { err, outboxId: row.id, eventId: row.event_id, topic: row.topic },
            'outbox row refused by the bus; skipped',
          );
        }
        done.push(row.id);
      }
    } finally {
      if (done.length > 0) {
        await db
          .updateTable('outbox')
          .set({ published_at: sql<Date>`CURRENT_TIMESTAMP(3)` })
          .where('id', 'in', done)
          .execute();
      }
    }
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
