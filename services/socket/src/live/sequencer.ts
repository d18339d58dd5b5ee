import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { EVENTS, type Bus, type EventName, type EventPayload, type Subscription } from '@platform/bus';
import type { MainDatabase, Redis } from '@platform/db';
import type { Logger } from '@platform/observability';
import { addToBatch, batchSize, emptyBatch, type LiveMessage, type SiteItemsBatch } from './events.ts';
import type { LeaderboardRepository } from './leaderboard.repository.ts';
import type { SiteItemsRepository } from './site-items.repository.ts';
import type { StreamRepository } from './stream.repository.ts';

/** The bus events the socket server turns into live updates (prices.imported: its price book). */
export const CONSUMED = [
  'trade.updated',
  'balance.updated',
  'trade.notice',
  'site-items.reserved',
  'site-items.released',
  'site-inventory.changed',
] as const satisfies readonly EventName[];
type Consumed = (typeof CONSUMED)[number];

const TOPICS = CONSUMED.map((name) => `event:${name}`);

/**
 * Renews the lease if this process holds it, or takes it again if it ran out and no one took it
 * (a stalled event loop missed a renewal: with no other sequencer there is no one to hand over to).
 */
const RENEW = `local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if not holder then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export interface SequencerOptions {
  db: Kysely<MainDatabase>;
  redis: Redis;
  bus: Bus;
  logger: Logger;
  streams: StreamRepository;
  siteItems: SiteItemsRepository;
  leaderboard: LeaderboardRepository;
  /** Hands a sequenced message to every socket process (this one included). */
  fanout: (message: LiveMessage) => void;
  live: { siteBatchMs: number; pollMs: number; pollSettleMs: number; leaseMs: number };
  board: { intervalMs: number; windowHours: number; size: number };
}

/** Event ids handled lately, so the outbox poll skips what the bus delivered (bounded). */
const RECENT_MAX = 100_000;
/** Site changes in one `site:items` message at most; a larger burst is several messages. */
const BATCH_MAX = 5_000;
const POLL_PAGE = 2_000;
/** User appends sent before their answers are awaited (one pipeline's worth). */
const MAX_IN_FLIGHT = 1_000;

/**
 * Turns bus events into the numbered streams clients replay, one process at a time: the one that
 * holds the `socket-sequencer` lease (any socket process takes over within a lease period when
 * it dies). Events arrive through the bus and, as a fallback for any the bus did not deliver
 * (this process was down, a subscriber reconnected), from the outbox table read in id order.
 * Each event is appended once (deduplicated by event id in Redis) and fanned out after it is
 * stored, so what a client is sent live is always replayable. Work is done in arrival order by
 * one chain of promises: a user's events keep their order.
 */
export class Sequencer {
  readonly #o: SequencerOptions;
  readonly #id = randomUUID();
  readonly #leaseKey: string;
  readonly #cursorKey: string;
  readonly #recent = new Set<string>();
  #leader = false;
  #leaseAt = 0;
  #chain: Promise<void> = Promise.resolve();
  #batch: SiteItemsBatch = emptyBatch();
  #batchTimer: NodeJS.Timeout | undefined;
  #lastFlushAt = 0;
  #timers: NodeJS.Timeout[] = [];
  #subs: Subscription[] = [];
  #board: string | undefined;
  #stopped = false;
  readonly #inflight = new Set<Promise<void>>();
  /** Appends that failed since start (the poll compares it before and after a pass). */
  #failures = 0;

  constructor(options: SequencerOptions) {
    this.#o = options;
    this.#leaseKey = options.bus.keys.lease('socket-sequencer');
    this.#cursorKey = options.bus.keys.live.outboxCursor();
  }

  get isLeader(): boolean {
    return this.#leader;
  }

  async start(): Promise<void> {
    const { live, board } = this.#o;
    for (const name of CONSUMED) {
      this.#subs.push(
        await this.#o.bus.subscribe(name, (payload) => {
          if (this.#leader) this.#enqueue(() => this.#handle(name, payload));
        }),
      );
    }
    const every = (ms: number, fn: () => Promise<unknown>, what: string) => {
      const t = setInterval(() => {
        fn().catch((err: unknown) => this.#o.logger.warn({ err: (err as Error).message }, `${what} failed`));
      }, ms);
      t.unref();
      this.#timers.push(t);
    };
    every(Math.max(100, Math.floor(live.leaseMs / 3)), () => this.#holdLease(), 'sequencer lease');
    every(
      live.pollMs,
      () => (this.#leader ? this.#serial(() => this.poll()) : Promise.resolve()),
      'outbox poll',
    );
    every(
      board.intervalMs,
      () => (this.#leader ? this.#serial(() => this.refreshLeaderboard()) : Promise.resolve()),
      'leaderboard',
    );
    await this.#holdLease().catch((err: unknown) =>
      this.#o.logger.warn({ err: (err as Error).message }, 'sequencer lease: Redis not answering yet'),
    );
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    await Promise.all(this.#subs.map((s) => s.unsubscribe().catch(() => {})));
    this.#subs = [];
    if (this.#batchTimer) clearTimeout(this.#batchTimer);
    if (this.#leader) await this.#serial(() => this.#flush()).catch(() => {});
    await this.#chain;
    await this.#settle();
    if (this.#leader) await this.#o.redis.eval(RELEASE, 1, this.#leaseKey, this.#id).catch(() => {});
    this.#leader = false;
  }

  async #holdLease(): Promise<void> {
    if (this.#stopped) return;
    const { redis, live } = this.#o;
    let ok: boolean;
    try {
      ok = this.#leader
        ? (await redis.eval(RENEW, 1, this.#leaseKey, this.#id, String(live.leaseMs))) === 1
        : (await redis.set(this.#leaseKey, this.#id, 'PX', live.leaseMs, 'NX')) === 'OK';
    } catch (err) {
      // Unrenewed for a whole lease period, it may be another's by now: stop sequencing.
      if (this.#leader && Date.now() - this.#leaseAt > live.leaseMs) {
        this.#leader = false;
        this.#o.logger.warn('socket sequencer: could not renew the lease; stepped down');
      }
      throw err;
    }
    if (ok && !this.#leader) {
      this.#leader = true;
      this.#o.logger.info('socket sequencer: took the lease; catching up from the outbox');
      // Before anything the bus brings from now on: what was published while no one sequenced.
      void this.#serial(() => this.poll()).catch((err: unknown) =>
        this.#o.logger.warn({ err: (err as Error).message }, 'catch-up poll failed'),
      );
      void this.#serial(() => this.refreshLeaderboard()).catch(() => {});
    } else if (!ok && this.#leader) {
      this.#leader = false;
      this.#o.logger.warn('socket sequencer: lost the lease');
    }
    if (ok) this.#leaseAt = Date.now();
  }

  #enqueue(fn: () => Promise<void>): void {
    this.#serial(fn).catch((err: unknown) =>
      this.#o.logger.warn(
        { err: (err as Error).message },
        'live event not sequenced; the outbox poll retries it',
      ),
    );
  }

  /** Runs after everything queued before it; one failure does not stop the chain. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn);
    this.#chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  #remember(eventId: string): void {
    this.#recent.add(eventId);
    if (this.#recent.size > RECENT_MAX) {
      const oldest = this.#recent.values().next().value;
      if (oldest !== undefined) this.#recent.delete(oldest);
    }
  }

  async #handle(name: Consumed, p: EventPayload<Consumed>): Promise<void> {
    if (this.#recent.has(p.eventId)) return;
    switch (p.type) {
      case 'trade.updated':
        await this.#user(
          p.userId,
          p.eventId,
          'trade:update',
          { tradeId: p.tradeId, version: p.version, trade: p.trade },
          {
            id: p.tradeId,
            version: p.version,
          },
        );
        return;
      case 'balance.updated':
        await this.#user(p.userId, p.eventId, 'balance:update', {
          amount: p.amount,
          protected: p.protected,
          debt: p.debt,
          currency: p.currency,
          at: p.at,
        });
        return;
      case 'trade.notice':
        await this.#user(p.userId, p.eventId, 'trade:notice', {
          tradeId: p.tradeId,
          kind: p.kind,
          message: p.message,
          at: p.at,
        });
        return;
      case 'site-items.reserved':
        this.#site(p.eventId, [{ op: 'reserved', assetIds: p.assetIds }]);
        return;
      case 'site-items.released':
        this.#site(p.eventId, [{ op: 'unreserved', assetIds: p.assetIds }]);
        return;
      case 'site-inventory.changed':
        this.#site(p.eventId, [
          { op: 'added', assetIds: p.added.map((a) => a.assetId) },
          { op: 'removed', assetIds: p.removed },
        ]);
        return;
      default:
        p satisfies never;
        this.#o.logger.warn({ event: name }, 'no live update for this event');
    }
  }

  /**
   * Appends a user event without waiting for the answer before the next event is taken: the
   * appends of one user travel on one connection to one node (the user's slot) and Redis runs
   * them in the order sent, so their seqs and their fan-out keep the events' order while many
   * users' events are in flight at once. A failed append is forgotten, so the outbox poll
   * retries it; the poll does not move its cursor past a pass in which one failed.
   */
  async #user(
    userId: string,
    eventId: string,
    event: 'trade:update' | 'balance:update' | 'trade:notice',
    data: Record<string, unknown>,
    trade?: { id: string; version: number },
  ): Promise<void> {
    this.#remember(eventId);
    const done: Promise<void> = this.#o.streams.appendUser(userId, eventId, { event, data }, trade).then(
      (seq) => {
        this.#inflight.delete(done);
        if (seq > 0) this.#o.fanout({ stream: 'user', userId, seq, event, data });
      },
      (err: unknown) => {
        this.#inflight.delete(done);
        this.#recent.delete(eventId);
        this.#failures++;
        this.#o.logger.warn(
          { err: (err as Error).message, eventId },
          'user event not appended; the outbox poll retries it',
        );
      },
    );
    this.#inflight.add(done);
    if (this.#inflight.size >= MAX_IN_FLIGHT) await this.#settle();
  }

  /** Waits until every append in flight has answered. */
  async #settle(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.all([...this.#inflight]);
  }

  #site(eventId: string, changes: Array<Parameters<typeof addToBatch>[1]>): void {
    for (const change of changes) addToBatch(this.#batch, change);
    this.#batch.eventIds.push(eventId);
    this.#remember(eventId);
    if (batchSize(this.#batch) >= BATCH_MAX) {
      this.#enqueue(() => this.#flush());
      return;
    }
    if (this.#batchTimer) return;
    // Leading and trailing: a change after a quiet window goes out at once (with whatever else
    // arrived in the same turn); changes during a window wait for its end, so a burst is one
    // message per window.
    const wait = Math.max(0, this.#lastFlushAt + this.#o.live.siteBatchMs - Date.now());
    this.#batchTimer = setTimeout(() => {
      this.#batchTimer = undefined;
      this.#enqueue(() => this.#flush());
    }, wait);
  }

  /** Sends the gathered site changes as one `site:items` (those already sent by another sequencer left out). */
  async #flush(): Promise<void> {
    if (this.#batchTimer) clearTimeout(this.#batchTimer);
    this.#batchTimer = undefined;
    const b = this.#batch;
    this.#batch = emptyBatch();
    if (b.eventIds.length === 0) return;
    this.#lastFlushAt = Date.now();
    const unseen = await this.#o.streams.unseenSite(b.eventIds);
    // After a takeover, events the previous sequencer sent may come again from the outbox: a
    // batch made only of those is dropped; a mixed one is sent whole (its changes are states,
    // sending one again is harmless).
    if (unseen.size === 0) return;
    const details = await this.#o.siteItems.read([...b.added.keys()]);
    const data = {
      added: [...b.added.keys()].flatMap((id) => {
        const item = details.get(id);
        return item ? [item] : [];
      }),
      removed: [...b.removed],
      reserved: [...b.reserved],
      unreserved: [...b.unreserved],
    };
    const seq = await this.#o.streams.appendSite({ event: 'site:items', data }, [...unseen]);
    this.#o.fanout({ stream: 'site', seq, event: 'site:items', data });
  }

  /**
   * The fallback: outbox event rows after the cursor, in id order, handled unless already
   * handled. The cursor moves past rows older than the settle time only, so a row with a lower
   * id that commits late is still read.
   */
  async poll(): Promise<number> {
    const { db, redis, live } = this.#o;
    const stored = await redis.get(this.#cursorKey);
    if (stored === null) {
      // The first sequencer ever: what is already in the outbox is history.
      const max = await db
        .selectFrom('outbox')
        .select(sql<string>`COALESCE(MAX(id), 0)`.as('max'))
        .executeTakeFirst();
      await redis.set(this.#cursorKey, String(max?.max ?? '0'), 'NX');
      return 0;
    }
    let cursor = BigInt(stored);
    let handled = 0;
    const failuresBefore = this.#failures;
    for (;;) {
      const rows = await db
        .selectFrom('outbox')
        .select([
          'id',
          'event_id',
          sql<number>`created_at < CURRENT_TIMESTAMP(3) - INTERVAL ${sql.lit(live.pollSettleMs * 1000)} MICROSECOND`.as(
            'settled',
          ),
        ])
        .where('id', '>', cursor.toString())
        .where('topic', 'in', TOPICS)
        .orderBy('id')
        .limit(POLL_PAGE)
        .execute();
      const missing = rows.filter((r) => !this.#recent.has(r.event_id)).map((r) => String(r.id));
      if (missing.length > 0) {
        const full = await db
          .selectFrom('outbox')
          .select(['id', 'topic', 'payload'])
          .where('id', 'in', missing)
          .orderBy('id')
          .execute();
        for (const row of full) {
          const name = row.topic.slice('event:'.length) as Consumed;
          let payload: EventPayload<Consumed>;
          try {
            const raw = typeof row.payload === 'string' ? (JSON.parse(row.payload) as unknown) : row.payload;
            payload = EVENTS[name].parse(raw);
          } catch (err) {
            this.#o.logger.error(
              { outboxId: row.id, err: (err as Error).message },
              'outbox event does not parse; skipped',
            );
            continue;
          }
          await this.#handle(name, payload);
          handled++;
        }
        if (handled > 0) this.#o.logger.info({ handled }, 'outbox poll: delivered events the bus had not');
      }
      await this.#settle();
      if (this.#failures !== failuresBefore) break;
      let next = cursor;
      for (const r of rows) {
        if (!Number(r.settled)) break;
        next = BigInt(r.id);
      }
      const advanced = next !== cursor;
      if (advanced) {
        await redis.set(this.#cursorKey, next.toString());
        cursor = next;
      }
      if (rows.length < POLL_PAGE || !advanced) break;
    }
    if (batchSize(this.#batch) > 0) await this.#flush();
    return handled;
  }

  /** Recomputes the leaderboard; sends it when it changed. */
  async refreshLeaderboard(): Promise<void> {
    const { board } = this.#o;
    const entries = await this.#o.leaderboard.top(board.windowHours, board.size);
    const key = JSON.stringify(entries);
    if (key === this.#board) return;
    if (this.#board === undefined) {
      const last = await this.#o.streams.latestSite('leaderboard');
      if (last && JSON.stringify(last.data.entries) === key) {
        this.#board = key;
        return;
      }
    }
    this.#board = key;
    const data = { windowHours: board.windowHours, currency: 'USD', entries, at: new Date().toISOString() };
    const seq = await this.#o.streams.appendSite({ event: 'leaderboard', data }, []);
    this.#o.fanout({ stream: 'site', seq, event: 'leaderboard', data });
  }
}
