/**
 * The event ids a consumer handled lately, bounded (the oldest forgotten first). The outbox relay
 * publishes at least once (a relay that dies between publishing and marking publishes again), so
 * an index deduplicates by event id: a redelivered removal must not remove an asset added since.
 * Local to the process: every backend process holds its own index and hears every event.
 */
export class RecentIds {
  readonly #ids = new Set<string>();
  readonly #max: number;

  constructor(max = 20_000) {
    this.#max = max;
  }

  /** True the first time `id` is seen (then remembered); false for a redelivery. */
  first(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    if (this.#ids.size > this.#max) this.#ids.delete(this.#ids.values().next().value!);
    return true;
  }
}
