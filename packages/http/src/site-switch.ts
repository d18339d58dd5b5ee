import type { Logger } from '@platform/observability';

export const SITE_DISABLED_SETTING = 'site.disabled';

export interface SettingsReader {
  get<T>(name: string): Promise<T | undefined>;
}

/**
 * The site-disable switch: a setting in MySQL, read at most once per `ttlMs` per process so
 * that a flip reaches every worker within that time without a query per request. If MySQL
 * cannot be read, the last known value stays in force; so it does when a read is slow (past
 * `maxWaitMs`), or a stalled MySQL would hold every public request on this check.
 */
export class SiteSwitch {
  readonly #settings: SettingsReader;
  readonly #ttlMs: number;
  readonly #log: Logger | undefined;
  readonly #maxWaitMs: number;
  #value = false;
  #known = false;
  #readAt = Number.NEGATIVE_INFINITY;
  #inflight: Promise<boolean> | undefined;

  constructor(settings: SettingsReader, opts: { ttlMs?: number; maxWaitMs?: number; log?: Logger } = {}) {
    this.#settings = settings;
    this.#ttlMs = opts.ttlMs ?? 1_000;
    this.#maxWaitMs = opts.maxWaitMs ?? 250;
    this.#log = opts.log;
  }

  async isDisabled(): Promise<boolean> {
    if (performance.now() - this.#readAt < this.#ttlMs) return this.#value;
    this.#inflight ??= this.#refresh().finally(() => {
      this.#inflight = undefined;
    });
    // Before the first answer there is no last value to fall back on.
    if (!this.#known) return this.#inflight;
    let timer: NodeJS.Timeout | undefined;
    const lastValue = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(this.#value), this.#maxWaitMs);
    });
    try {
      return await Promise.race([this.#inflight, lastValue]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Forgets the cached value (after this process changed it). */
  invalidate(): void {
    this.#readAt = Number.NEGATIVE_INFINITY;
  }

  async #refresh(): Promise<boolean> {
    try {
      this.#value = (await this.#settings.get<boolean>(SITE_DISABLED_SETTING)) === true;
      this.#known = true;
    } catch (err) {
      this.#log?.warn({ err }, 'could not read the site-disable setting; keeping the last value');
    }
    this.#readAt = performance.now();
    return this.#value;
  }
}
