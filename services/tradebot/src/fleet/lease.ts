import type { RedisKeys } from '@platform/bus';
import type { Redis } from '@platform/db';

// One key per script (KEYS[1]): fine on a Redis Cluster.
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * A lease per bot in Redis: the process holding it is the only one that logs the bot in, sends
 * its offers and polls them. Held by SET NX PX, renewed (compare-and-expire) well inside its
 * period, released on shutdown; when a process dies its leases run out and the others take the
 * bots within one lease period. The database guards each step too (an offer moves from queued to
 * sending by compare-and-set), so even two holders for a moment cannot send an offer twice.
 */
export class BotLeases {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #owner: string;
  readonly #ms: number;
  constructor(opts: { redis: Redis; keys: RedisKeys; owner: string; leaseMs: number }) {
    this.#redis = opts.redis;
    this.#keys = opts.keys;
    this.#owner = opts.owner;
    this.#ms = opts.leaseMs;
  }

  async acquire(botId: number): Promise<boolean> {
    return (
      (await this.#redis.set(this.#keys.tradebot.botLease(botId), this.#owner, 'PX', this.#ms, 'NX')) === 'OK'
    );
  }

  async renew(botId: number): Promise<boolean> {
    return (
      Number(await this.#redis.eval(RENEW, 1, this.#keys.tradebot.botLease(botId), this.#owner, this.#ms)) ===
      1
    );
  }

  async release(botId: number): Promise<void> {
    await this.#redis.eval(RELEASE, 1, this.#keys.tradebot.botLease(botId), this.#owner);
  }

  async holder(botId: number): Promise<string | null> {
    return this.#redis.get(this.#keys.tradebot.botLease(botId));
  }

  /** Announces this process alive until now + ttl; returns how many processes are alive. */
  async heartbeat(ttlMs: number, now = Date.now()): Promise<number> {
    const key = this.#keys.tradebot.processes();
    await this.#redis.zadd(key, now + ttlMs, this.#owner);
    await this.#redis.zremrangebyscore(key, 0, now);
    return Math.max(1, await this.#redis.zcard(key));
  }

  async leave(): Promise<void> {
    await this.#redis.zrem(this.#keys.tradebot.processes(), this.#owner);
  }
}
