import type { FastifyInstance } from 'fastify';
import { ConfigError, type Env } from '@platform/config';
import {
  connectRedis,
  createDatabases,
  createRedis,
  SettingsRepository,
  type Databases,
  type MainDatabase,
  type MysqlSettings,
  type PricingDatabase,
  type Redis,
  type RedisSettings,
} from '@platform/db';
import {
  createLogger,
  createMetrics,
  startTracing,
  type Logger,
  type Metrics,
} from '@platform/observability';
import { createHttpApp } from './app.ts';
import { runClustered } from './cluster.ts';
import { closeOnSignals } from './shutdown.ts';
import { SiteSwitch } from './site-switch.ts';

/** The setting groups every HTTP service has (each service's schema adds its own). */
export interface ServiceConfig {
  http: {
    host: string;
    port: number;
    shutdownTimeoutMs: number;
    trustProxy: readonly string[];
    bodyLimitBytes: number;
  };
  cluster: { workers: number };
  rateLimit: { max: number; windowMs: number };
  mysql: MysqlSettings;
  redis: RedisSettings;
  log: { level: string };
  tracing: { otlpEndpoint: string | undefined };
}

/** What every service's buildApp receives besides its config. */
export interface ServiceDeps {
  logger: Logger;
  metrics: Metrics;
  dbs: Databases<MainDatabase, PricingDatabase>;
  redis: Redis;
  siteSwitch: SiteSwitch;
}

/**
 * createHttpApp wired the way every service wires it: its own rate-limit settings on the shared
 * Redis, readiness on MySQL and Redis, the site switch.
 */
export function createServiceApp(
  name: string,
  deps: ServiceDeps & { config: ServiceConfig },
): Promise<FastifyInstance> {
  const { config, dbs, redis } = deps;
  return createHttpApp({
    service: name,
    logger: deps.logger,
    metrics: deps.metrics,
    http: config.http,
    rateLimit: { redis, ...config.rateLimit, keyPrefix: config.redis.keyPrefix },
    readiness: {
      mysql: () => dbs.ping(),
      redis: () => redis.ping(),
    },
    siteSwitch: deps.siteSwitch,
  });
}

/**
 * The whole of a service's main.ts: load the config (exit 2 listing every problem), then in
 * each worker start tracing, open the pools, build the app, listen, and on SIGTERM close the app
 * (a service closes what it opened itself, queues or workers, in its own onClose hooks) and
 * then the pools.
 */
export function runHttpService<C extends ServiceConfig>(opts: {
  name: string;
  loadConfig: (env: Env) => C;
  buildApp: (deps: ServiceDeps & { config: C }) => Promise<FastifyInstance>;
  env?: Env;
}): void {
  let config: C;
  try {
    config = opts.loadConfig(opts.env ?? process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(2);
  }
  const logger = createLogger({ service: opts.name, level: config.log.level });

  runClustered({
    workers: config.cluster.workers,
    logger,
    async start() {
      const tracing = await startTracing({ service: opts.name, otlpEndpoint: config.tracing.otlpEndpoint });
      const dbs = createDatabases<MainDatabase, PricingDatabase>(config.mysql);
      const redis = createRedis(config.redis);
      redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
      if (!(await connectRedis(redis))) logger.warn('redis is not reachable yet; /readyz will say so');
      const siteSwitch = new SiteSwitch(new SettingsRepository(dbs.main), { log: logger });
      const app = await opts.buildApp({
        config,
        logger,
        metrics: createMetrics(opts.name),
        dbs,
        redis,
        siteSwitch,
      });
      // The pools close after the app has (its onClose hooks may still use them; Fastify runs
      // onClose hooks last-registered first, so a hook added here would run too early).
      const service = {
        async close() {
          await app.close();
          await dbs.close();
          redis.disconnect();
          await tracing.shutdown();
        },
      };
      closeOnSignals(service, { logger, timeoutMs: config.http.shutdownTimeoutMs });
      await app.listen({ host: config.http.host, port: config.http.port });
    },
  });
}
