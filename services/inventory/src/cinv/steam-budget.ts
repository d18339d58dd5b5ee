import { AppError } from '@platform/core';
import type { RedisKeys } from '@platform/bus';
import type { Redis } from '@platform/db';

/** Who asks for an inventory: a signed-in user, or an anonymous caller known by IP. */
export type Requester = { kind: 'user'; userId: string } | { kind: 'anonymous'; ip: string };

export interface SteamBudgetOptions {
  redis: Redis;
  keys: RedisKeys['cinv'];
  windowMs: number;
  /** Steam reads anonymous callers may cause per window, all of them together. */
  globalPerWindow: number;
  /** ... and each IP. */
  perIpPerWindow: number;
}

/**
 * Anonymous reads of anyone's inventory cost a Steam request per new SteamID, and Steam's
 * budget is per IP of ours (steam.md §3.1): without a bound, one caller enumerating SteamIDs
 * spends it for every user of the site. Fixed windows in Redis, shared by every cinv process;
 * a cached answer costs nothing and is always served.
 */
export class SteamBudget {
  readonly #o: SteamBudgetOptions;
  constructor(options: SteamBudgetOptions) {
    this.#o = options;
  }

  /** Takes one Steam read for this requester, or throws RATE_LIMITED saying when to come back. */
  async take(requester: Requester): Promise<void> {
    if (requester.kind === 'user') return;
    const { redis, keys, windowMs } = this.#o;
    const now = Date.now();
    const window = Math.floor(now / windowMs);
    const retryAfterSeconds = Math.max(1, Math.ceil(((window + 1) * windowMs - now) / 1000));
    const count = async (key: string) => {
      const n = await redis.incr(key);
      if (n === 1) await redis.pexpire(key, windowMs * 2);
      return n;
    };
    if ((await count(keys.anonymousIp(requester.ip, window))) > this.#o.perIpPerWindow)
      throw new AppError('RATE_LIMITED', 'You looked up many inventories just now; try again shortly.', {
        retryAfterSeconds,
        reason: 'anonymous_ip_budget',
      });
    if ((await count(keys.anonymousBudget(window))) > this.#o.globalPerWindow)
      throw new AppError(
        'RATE_LIMITED',
        'Inventory lookups are busy right now; try again shortly, or sign in.',
        {
          retryAfterSeconds,
          reason: 'anonymous_global_budget',
        },
      );
  }
}
