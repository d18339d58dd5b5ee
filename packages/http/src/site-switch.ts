import type { Logger } from '@platform/observability';

export const SITE_DISABLED_SETTING = 'site.disabled';

export interface SettingsReader {
  get<T>(name: string): Promise<T | undefined>;
}

/**
 * The site-disable switch: a setting in MySQL, read at most once per `ttlMs` per process so
 * that a flip reaches every worker within that time without a query per request. If MySQL
 * cannot be read, the last known value stays in force.
 */
export class SiteSwitch {
  readonly #settings: SettingsReader;
  readonly #ttlMs: number;
  readonly #log: Logger | undefined;
  #value = false;
  #readAt = Number.NEGATIVE_INFINITY;
  #inflight: Promise<boolean> | undefined;

  constructor(settings: SettingsReader, opts: { ttlMs?: number; log?: Logger } = {}) {
    this.#settings = settings;
    this.#ttlMs = opts.ttlMs ?? 1_000;
    this.#log = opts.log;
  }

  async isDisabled(): Promise<boolean> {
    if (performance.now() - this.#readAt < this.#ttlMs) return this.#value;
    this.#inflight ??= this.#refresh().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  /** Forgets the cached value (after this process changed it). */
  invalidate(): void {
    this.#readAt = Number.NEGATIVE_INFINITY;
  }

  async #refresh(): Promise<boolean> {
    try {
      this.#value = (await this.#settings.get<boolean>(SITE_DISABLED_SETTING)) === true;
    } catch (err) {
      this.#log?.warn({ err }, 'could not read the site-disable setting; keeping the last value');
    }
    this.#readAt = performance.now();
    return this.#value;
  }
}
