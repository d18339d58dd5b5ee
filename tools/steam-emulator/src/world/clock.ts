/** Wall clock plus an advanceable offset, so tests can jump past token expiry, cooldowns and protection windows. */
export class Clock {
  offsetSeconds = 0;

  /** Unix seconds. */
  now(): number {
    return Math.floor(Date.now() / 1000) + this.offsetSeconds;
  }

  nowMs(): number {
    return Date.now() + this.offsetSeconds * 1000;
  }

  advance(seconds: number): number {
    this.offsetSeconds += Math.trunc(seconds);
    return this.now();
  }
}
