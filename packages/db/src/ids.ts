import { randomInt } from 'node:crypto';

/** 2025-01-01T00:00:00Z: ids count milliseconds from here (41 bits: until 2094). */
const EPOCH_MS = 1_735_689_600_000n;

/**
 * Row ids chosen by the process, for inserts that must know their ids before the database does
 * (a transaction sent in one round trip, whose later statements and outbox payloads name them):
 * 41 bits of milliseconds, 10 bits of a random per-process node, 12 bits of sequence. They grow
 * with time, so "newest first" by id holds across processes to the millisecond. Two processes
 * collide only with the same node bits (1 in 1,024) in the same millisecond and sequence; the
 * primary key refuses the second, whose transaction is run again with a new id.
 */
export class IdGenerator {
  readonly #node = BigInt(randomInt(1024));
  #lastMs = 0n;
  #seq = 0n;

  next(): string {
    let ms = BigInt(Date.now()) - EPOCH_MS;
    if (ms < this.#lastMs) ms = this.#lastMs; // the clock went back: keep counting on
    if (ms === this.#lastMs) {
      this.#seq = (this.#seq + 1n) & 0xfffn;
      if (this.#seq === 0n) ms = this.#lastMs + 1n; // 4,096 in one millisecond: borrow the next
    } else this.#seq = 0n;
    this.#lastMs = ms;
    return ((ms << 22n) | (this.#node << 12n) | this.#seq).toString();
  }
}
