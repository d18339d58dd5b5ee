import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { EventName, EventPayload, JobName, JobPayload, QueueName } from './catalog.ts';
import type { MainDatabase } from '@platform/db';

/**
 * What the outbox relay publishes: an event of the bus catalog, or a job it enqueues. A row is
 * written in the transaction that makes the change it announces (invariant 4), so an event is
 * published if and only if its change committed. Any service writing to the main database
 * writes its events this way (the backend; sinv's site-inventory.changed); the backend's one
 * leased OutboxRelay publishes every row, in id order, at least once.
 */
export type OutboxMessage =
  | { kind: 'event'; name: EventName; payload: Record<string, unknown> }
  | { kind: 'job'; queue: QueueName; name: string; payload: Record<string, unknown> };

export type OutboxDb = Kysely<MainDatabase> | Transaction<MainDatabase>;

const TOPIC_EVENT = 'event:';
const TOPIC_JOB = 'job:';

/** The outbox rows of one change, written in the caller's transaction. Returns their event ids. */
export class OutboxWriter {
  readonly #rows: Array<{ event_id: string; topic: string; aggregate_id: string; payload: string }> = [];

  /** An event; its `eventId` is set here (consumers deduplicate by it). */
  event<E extends EventName>(
    name: E,
    aggregateId: string,
    payload: Omit<EventPayload<E>, 'eventId'> & { eventId?: string },
  ): this {
    const eventId = randomUUID();
    this.#rows.push({
      event_id: eventId,
      topic: `${TOPIC_EVENT}${name}`,
      aggregate_id: aggregateId,
      payload: JSON.stringify({ ...payload, eventId }),
    });
    return this;
  }

  job<Q extends QueueName, N extends JobName<Q>>(
    queue: Q,
    name: N,
    aggregateId: string,
    payload: JobPayload<Q, N>,
  ): this {
    this.#rows.push({
      event_id: randomUUID(),
      topic: `${TOPIC_JOB}${queue}/${name}`,
      aggregate_id: aggregateId,
      payload: JSON.stringify(payload),
    });
    return this;
  }

  get size(): number {
    return this.#rows.length;
  }

  /** The rows as written (for a statement built elsewhere, e.g. a one-round-trip script). */
  get rows(): ReadonlyArray<{ event_id: string; topic: string; aggregate_id: string; payload: string }> {
    return this.#rows;
  }

  async write(trx: OutboxDb): Promise<void> {
    if (this.#rows.length === 0) return;
    await trx.insertInto('outbox').values(this.#rows).execute();
  }
}

/** A stored row back as a message (the relay's side). */
export function messageOf(topic: string, payload: unknown): OutboxMessage | undefined {
  const body = (typeof payload === 'string' ? JSON.parse(payload) : payload) as Record<string, unknown>;
  if (topic.startsWith(TOPIC_EVENT))
    return { kind: 'event', name: topic.slice(TOPIC_EVENT.length) as EventName, payload: body };
  if (topic.startsWith(TOPIC_JOB)) {
    const [queue, name] = topic.slice(TOPIC_JOB.length).split('/');
    if (queue && name) return { kind: 'job', queue: queue as QueueName, name, payload: body };
  }
  return undefined;
}
