import { connectRedis, createRedis, type Redis } from '@platform/db';
import { createHttpApp, Readiness, type HttpAppOptions } from '@platform/http';
import { createLogger, createMetrics } from '@platform/observability';
import { testRedisSettings, uniquePrefix } from '@platform/testing';

export const INTERNAL_TOKEN = 'http-test-internal-token-42';

export function redisReadiness(redis: Redis): Readiness {
  const readiness = new Readiness();
  readiness.add('redis', () => redis.ping());
  return readiness;
}

/** createHttpApp on its own (no service context): what packages/http itself guarantees. */
export async function buildTestApp(overrides: Partial<HttpAppOptions> & { redis?: Redis } = {}) {
  const redis = overrides.redis ?? createRedis(testRedisSettings());
  await connectRedis(redis);
  const app = await createHttpApp({
    service: 'test',
    logger: createLogger({ service: 'test', level: process.env.LOG_LEVEL ?? 'silent' }),
    metrics: createMetrics('test'),
    http: { trustProxy: false, bodyLimitBytes: 1024 * 16 },
    rateLimit: { redis, max: 1000, windowMs: 60_000, keyPrefix: uniquePrefix() },
    readiness: redisReadiness(redis),
    internalToken: INTERNAL_TOKEN,
    ...overrides,
  });
  return { app, redis };
}
