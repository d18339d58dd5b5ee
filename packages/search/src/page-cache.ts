/**
 * Answers already serialized, by request (the URL), valid while the index has not changed and
 * for at most `ttlMs` (trade locks end by time: `tradableAt`, `tradable=now`). The hot pages —
 * the default listing, the grouped view, the first page of a popular filter — are the same for
 * everyone, and most of an answer's cost is turning ~30 kB of JSON into bytes; a change to the
 * index (an item reserved, added, removed, repriced) makes every entry stale at once.
 */
export class PageCache {
  readonly #max: number;
  readonly #ttlMs: number;
  readonly #entries = new Map<string, { changes: number; at: number; body: Buffer }>();
  /** The last `maxEntries` URLs asked for: an answer is kept only when its URL comes again among them. */
  readonly #asked = new Set<string>();

  constructor(opts: { maxEntries: number; ttlMs: number }) {
    this.#max = opts.maxEntries;
    this.#ttlMs = opts.ttlMs;
  }

  get(key: string, changes: number, now: number): Buffer | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (e.changes !== changes || now - e.at > this.#ttlMs) {
      this.#entries.delete(key);
      return undefined;
    }
    // Most recently used last (Map keeps insertion order).
    this.#entries.delete(key);
    this.#entries.set(key, e);
    return e.body;
  }

  /**
   * Whether an answer to this URL is worth keeping: only when it was asked for again within the
   * last `maxEntries` requests that missed, i.e. when the cache could hold it until its next
   * request. A long tail of distinct queries (filters, deep cursors) then never churns ~30 kB
   * buffers through the cache (and the garbage collector) for nothing.
   */
  admit(key: string): boolean {
    if (this.#max <= 0) return false;
    if (this.#asked.delete(key)) return true;
    this.#asked.add(key);
    if (this.#asked.size > this.#max) {
      const oldest = this.#asked.values().next().value;
      if (oldest !== undefined) this.#asked.delete(oldest);
    }
    return false;
  }

  set(key: string, changes: number, now: number, body: Buffer): void {
    if (this.#max <= 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { changes, at: now, body });
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }
}
