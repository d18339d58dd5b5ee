import { connectRedis, createRedis, type Redis } from '@platform/db';
import { createHttpApp, type HttpAppOptions } from '@platform/http';
import { createLogger, createMetrics } from '@platform/observability';
import { uniquePrefix } from '@platform/testing';

export const REDIS_URL = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

export async function buildTestApp(overrides: Partial<HttpAppOptions> & { redis?: Redis } = {}) {
  const redis = overrides.redis ?? createRedis({ url: REDIS_URL, keyPrefix: '' });
  await connectRedis(redis);
  const app = await createHttpApp({
    service: 'test',
    logger: createLogger({ service: 'test', level: process.env.LOG_LEVEL ?? 'silent' }),
    metrics: createMetrics('test'),
    http: { trustProxy: false, bodyLimitBytes: 1024 * 16 },
    rateLimit: { redis, max: 1000, windowMs: 60_000, keyPrefix: uniquePrefix() },
    readiness: { redis: () => redis.ping() },
    ...overrides,
  });
  return { app, redis };
}
