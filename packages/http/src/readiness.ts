/**
 * Readiness for /readyz, answered from results at most `maxAgeMs` old rather than by asking every
 * dependency on each request: a load balancer polling every instance each second must not add a
 * MySQL query and a Redis round trip per poll per instance, and a hung dependency must not hang
 * the probe. Each check runs on its own loop; a check whose last success is older than
 * `maxAgeMs` (failing, or still running past its deadline) counts as unavailable.
 */
/** Resolves (or returns) when the dependency is usable; throws or rejects when it is not. */
export type ReadinessCheck = () => unknown;

interface CheckState {
  check: ReadinessCheck;
  okAt: number;
  lastOk: boolean;
  error?: string;
  timer?: NodeJS.Timeout;
  running: boolean;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, 'ok' | 'unavailable'>;
  failing: string[];
  errors: Record<string, string>;
}

export class Readiness {
  readonly #checks = new Map<string, CheckState>();
  readonly #maxAgeMs: number;
  readonly #intervalMs: number;
  #started = false;
  #first: Promise<void> | undefined;

  constructor(opts: { maxAgeMs?: number; intervalMs?: number } = {}) {
    this.#maxAgeMs = opts.maxAgeMs ?? 1_000;
    this.#intervalMs = opts.intervalMs ?? 250;
  }

  /** A dependency the process cannot serve without (MySQL, Redis, prices loaded, a worker connected). */
  add(name: string, check: ReadinessCheck): void {
    const state: CheckState = { check, okAt: Number.NEGATIVE_INFINITY, lastOk: false, running: false };
    this.#checks.set(name, state);
    if (this.#started) void this.#loop(name, state);
  }

  /** Starts the loops; resolves once every check has answered (or failed) once. */
  start(): Promise<void> {
    if (!this.#started) {
      this.#started = true;
      this.#first = Promise.all([...this.#checks].map(([n, s]) => this.#loop(n, s))).then(() => {});
    }
    return this.#first ?? Promise.resolve();
  }

  stop(): void {
    this.#started = false;
    for (const s of this.#checks.values()) clearTimeout(s.timer);
  }

  async report(): Promise<ReadinessReport> {
    if (!this.#started) await this.start();
    else await this.#first;
    const now = performance.now();
    const checks: Record<string, 'ok' | 'unavailable'> = {};
    const errors: Record<string, string> = {};
    for (const [name, s] of this.#checks) {
      const ok = s.lastOk && now - s.okAt <= this.#maxAgeMs;
      checks[name] = ok ? 'ok' : 'unavailable';
      if (!ok) errors[name] = s.error ?? (s.running ? 'timed out' : 'no recent answer');
    }
    const failing = Object.keys(checks).filter((n) => checks[n] !== 'ok');
    return { ready: failing.length === 0, checks, failing, errors };
  }

  async #loop(name: string, s: CheckState): Promise<void> {
    if (!this.#started || this.#checks.get(name) !== s) return;
    s.running = true;
    try {
      const r = s.check();
      await r;
      s.lastOk = true;
      s.okAt = performance.now();
      delete s.error;
    } catch (err) {
      s.lastOk = false;
      s.error = err instanceof Error ? err.message : String(err);
    } finally {
      s.running = false;
    }
    if (!this.#started) return;
    s.timer = setTimeout(() => void this.#loop(name, s), this.#intervalMs);
    s.timer.unref();
  }
}
