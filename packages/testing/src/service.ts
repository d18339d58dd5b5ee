// A service's context and apps for tests, built by the same createServiceContext that
// runService uses in production: fresh databases, a Redis key prefix of the test's own, the
// service's own loadConfig.
import type { FastifyInstance } from 'fastify';
import type { RetryOverrides } from '@platform/bus';
import type { Env } from '@platform/config';
import { deleteByPrefix } from '@platform/db';
import { createServiceContext, type ServiceConfig, type ServiceContext } from '@platform/http';
import type { Logger } from '@platform/observability';
import { uniquePrefix, type Stores } from './stores.ts';

/** The internal token test contexts run with (INTERNAL_TOKEN). */
export const TEST_INTERNAL_TOKEN = 'test-internal-token-0123456789';

export interface TestContextOptions<C extends ServiceConfig = ServiceConfig> {
  stores: Stores;
  /** Settings on top of the test defaults (prefix, databases, silent logs, internal token). */
  env?: Env;
  name?: string;
  logger?: Logger;
  /** The service definition's retries (ServiceDefinition.retries), as runService applies them. */
  retries?: (config: C) => RetryOverrides;
}

export interface TestContext<C extends ServiceConfig> {
  ctx: ServiceContext<C>;
  /** Closes what the context opened and deletes its Redis keys. */
  close: () => Promise<void>;
}

/** The env a test service starts from: this run's stores, a key prefix of its own, no log noise. */
export function testEnv(stores: Stores, env: Env = {}): Env {
  return {
    MYSQL_URL: process.env.MYSQL_URL,
    REDIS_URL: process.env.REDIS_URL,
    REDIS_CLUSTER: process.env.REDIS_CLUSTER,
    MYSQL_DATABASE: stores.dbs.settings.database,
    PRICING_DATABASE: stores.dbs.settings.pricingDatabase,
    MYSQL_POOL_SIZE: '5',
    REDIS_KEY_PREFIX: uniquePrefix(),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    INTERNAL_TOKEN: TEST_INTERNAL_TOKEN,
    RATE_LIMIT_MAX: '100000',
    ...env,
  };
}

export async function createTestContext<C extends ServiceConfig>(
  loadConfig: (env: Env) => C,
  opts: TestContextOptions<C>,
): Promise<TestContext<C>> {
  const config = loadConfig(testEnv(opts.stores, opts.env));
  const runtime = await createServiceContext(opts.name ?? 'test', config, {
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.retries ? { retries: opts.retries(config) } : {}),
  });
  return {
    ctx: runtime.ctx,
    async close() {
      await runtime.close();
      await deleteByPrefix(opts.stores.redis, config.redis.keyPrefix).catch(() => {});
    },
  };
}

/**
 * A service's app on a test context, for `app.inject` (or `listen` on port 0). Closing the app
 * closes its context too, so a test needs only `t.after(() => app.close())`.
 */
export async function buildTestApp<C extends ServiceConfig>(
  loadConfig: (env: Env) => C,
  build: (ctx: ServiceContext<C>) => Promise<FastifyInstance>,
  opts: TestContextOptions<C>,
): Promise<TestContext<C> & { app: FastifyInstance }> {
  const test = await createTestContext(loadConfig, opts);
  let app: FastifyInstance;
  try {
    app = await build(test.ctx);
  } catch (err) {
    // Its connections would keep the test file's process alive (a hang, not a failure).
    await test.close().catch(() => {});
    throw err;
  }
  app.addHook('onClose', () => test.close());
  return { ctx: test.ctx, app, close: () => app.close() };
}
