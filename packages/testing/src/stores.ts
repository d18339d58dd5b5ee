import { randomBytes } from 'node:crypto';
import { connectRedis, createRedis, type Redis } from '@platform/db';
import { createTestDatabases, type TestDatabases } from '@platform/db/testing';

/** A key prefix of its own per test, so Redis keys (counters, sessions) never collide between runs. */
export function uniquePrefix(tag = 'test'): string {
  return `${tag}:${randomBytes(4).toString('hex')}:`;
}

/** The test run's Redis (REDIS_URL, a Redis Cluster node when REDIS_CLUSTER=true). */
export function testRedisSettings(keyPrefix = '') {
  return {
    url: new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
    keyPrefix,
    cluster: ['1', 'true', 'yes', 'on'].includes((process.env.REDIS_CLUSTER ?? '').toLowerCase()),
  };
}

/** Fresh databases for this test file and a Redis client; close() drops the databases. */
export interface Stores {
  dbs: TestDatabases;
  redis: Redis;
  close(): Promise<void>;
}

export async function startStores(): Promise<Stores> {
  const dbs = await createTestDatabases();
  const redis = createRedis(testRedisSettings());
  await connectRedis(redis);
  return {
    dbs,
    redis,
    async close() {
      redis.disconnect();
      await dbs.drop();
    },
  };
}
