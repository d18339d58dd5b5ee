import { Redis, type RedisOptions } from 'ioredis';

export type { Redis } from 'ioredis';

export interface RedisSettings {
  url: URL;
  keyPrefix: string;
}

/**
 * A Redis client for request paths: commands fail fast while Redis is down instead of
 * queueing (a request must not hang on a cache or a rate-limit counter), and the client keeps
 * reconnecting in the background with a capped backoff.
 */
export function createRedis(settings: RedisSettings, overrides: RedisOptions = {}): Redis {
  return new Redis(settings.url.toString(), {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 100, 2_000),
    lazyConnect: true,
    ...overrides,
  });
}

/**
 * Connects (a fresh client is lazy) and waits until Redis answers or `timeoutMs` passes. It
 * never throws: a service starts without Redis and reports it on /readyz, while the client
 * keeps reconnecting in the background.
 */
export async function connectRedis(redis: Redis, timeoutMs = 5_000): Promise<boolean> {
  if (redis.status === 'ready') return true;
  if (redis.status === 'wait') redis.connect().catch(() => {});
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(false), timeoutMs);
    timer.unref();
    const onReady = () => finish(true);
    function finish(ok: boolean) {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ok);
    }
    redis.on('ready', onReady);
  });
}
