import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

export type { Redis } from 'ioredis';

export interface RedisSettings {
  url: URL;
  keyPrefix: string;
  /**
   * REDIS_URL names one node of a Redis Cluster (the client discovers the rest). Beyond one
   * machine Redis runs as a cluster; keys that must share a slot carry hash tags (packages/bus keys).
   */
  cluster?: boolean;
}

function nodeOptions(url: URL): RedisOptions {
  return {
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * A Redis client for request paths: commands fail fast while Redis is down instead of
 * queueing (a request must not hang on a cache or a rate-limit counter), and the client keeps
 * reconnecting in the background with a capped backoff.
 *
 * With `cluster`, the client is an ioredis Cluster. It is typed as `Redis`: both answer the same
 * commands, and the platform sends only single-slot commands (multi-key commands and MULTI use
 * keys with one hash tag), so no caller needs to know which it has. `isCluster` tells the few
 * that do (a SCAN over every node).
 */
export function createRedis(
  settings: RedisSettings,
  overrides: RedisOptions = {},
  /** Cluster-only options (e.g. `shardedSubscribers` for a client that runs SSUBSCRIBE). */
  clusterOverrides: Partial<ClusterOptions> = {},
): Redis {
  const options: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 100, 2_000),
    lazyConnect: true,
    ...overrides,
  };
  if (!settings.cluster) return new Redis(settings.url.toString(), options);
  const { enableOfflineQueue, lazyConnect, retryStrategy, ...perNode } = options;
  const clusterOptions: ClusterOptions = {
    enableOfflineQueue: enableOfflineQueue ?? false,
    lazyConnect: lazyConnect ?? true,
    clusterRetryStrategy: (times) => (retryStrategy ? retryStrategy(times) : Math.min(times * 100, 2_000)),
    redisOptions: { ...perNode, ...nodeOptions(settings.url) },
    ...clusterOverrides,
  };
  const cluster = new Cluster(
    [{ host: settings.url.hostname, port: settings.url.port ? Number(settings.url.port) : 6379 }],
    clusterOptions,
  );
  return cluster as unknown as Redis;
}

export function isCluster(redis: Redis): boolean {
  return (redis as unknown as { isCluster?: boolean }).isCluster === true;
}

/** The nodes to visit for a keyspace-wide command (SCAN): the masters of a cluster, or the one server. */
export function scanNodes(redis: Redis): Redis[] {
  return isCluster(redis) ? (redis as unknown as Cluster).nodes('master') : [redis];
}

/** Deletes every key under a prefix on every node (tests and benches clean up after themselves). */
export async function deleteByPrefix(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  for (const node of scanNodes(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      // One key per DEL: in a cluster, keys of one SCAN page sit in different slots.
      for (const key of keys) deleted += await node.del(key);
    } while (cursor !== '0');
  }
  return deleted;
}

/**
 * Connects (a fresh client is lazy) and waits until Redis answers, the first attempt fails, or
 * `timeoutMs` passes. It never throws: a service starts without Redis and reports it on /readyz,
 * while the client keeps reconnecting in the background.
 */
export async function connectRedis(redis: Redis, timeoutMs = 5_000): Promise<boolean> {
  if (redis.status === 'ready') return true;
  if (redis.status === 'wait') redis.connect().catch(() => {});
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(false), timeoutMs);
    timer.unref();
    const onReady = () => finish(true);
    const onError = () => finish(false);
    function finish(ok: boolean) {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
      resolve(ok);
    }
    redis.on('ready', onReady);
    redis.on('error', onError);
  });
}
