/**
 * A least-recently-used map bounded by the bytes of what it holds, not by its number of entries:
 * a cache of user inventories bounded at 2,000 entries holds 2 MB or 2 GB depending on who asks,
 * and an anonymous caller chooses who. Each entry's size is given when it is set (a JSON text's
 * length, a buffer's byteLength); an entry larger than the whole budget is not kept.
 */
export class ByteLru<K, V> {
  readonly #maxBytes: number;
  readonly #entries = new Map<K, { value: V; bytes: number }>();
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    // Map keeps insertion order: moving the entry to the end makes it the most recently used.
    this.#entries.delete(key);
    this.#entries.set(key, e);
    return e.value;
  }

  set(key: K, value: V, bytes: number): void {
    this.delete(key);
    if (bytes > this.#maxBytes) return;
    this.#entries.set(key, { value, bytes });
    this.#bytes += bytes;
    for (const [k, e] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(k);
      this.#bytes -= e.bytes;
    }
  }

  delete(key: K): void {
    const e = this.#entries.get(key);
    if (!e) return;
    this.#entries.delete(key);
    this.#bytes -= e.bytes;
  }
}
