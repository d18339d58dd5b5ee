/** Per-key token buckets (per-IP inventory throttling, steam.md §3.1/§7.3). Settings are read on every take. */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  /** Returns true when a token was available. `nowMs` is real time: throttling follows wall time. */
  take(key: string, refillPerSecond: number, burst: number, nowMs = Date.now()): boolean {
    let b = this.buckets.get(key);
    if (b === undefined) {
      b = { tokens: burst, at: nowMs };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(burst, b.tokens + ((nowMs - b.at) / 1000) * refillPerSecond);
      b.at = nowMs;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  reset(): void {
    this.buckets.clear();
  }
}
