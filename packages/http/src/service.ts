import type { FastifyInstance } from 'fastify';
import type { Worker } from 'bullmq';
import { Bus, createWorker, type JobHandlers, type QueueName, type RetryOverrides } from '@platform/bus';
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
import { Readiness, type ReadinessCheck } from './readiness.ts';
import { closeOnSignals } from './shutdown.ts';
import { SiteSwitch } from './site-switch.ts';

/** The setting groups every service has (each service's schema adds its own). */
export interface ServiceConfig {
  http: {
    host: string;
    /** Absent for a service with several ports of its own (inventory's sinv and cinv). */
    port?: number;
    shutdownTimeoutMs: number;
    trustProxy: readonly string[];
    bodyLimitBytes: number;
  };
  internal: { token: string };
  cluster: { workers: number };
  rateLimit: { max: number; windowMs: number };
  mysql: MysqlSettings;
  redis: RedisSettings;
  log: { level: string; format?: string };
  tracing: { otlpEndpoint: string | undefined };
}

/**
 * What every part of a service gets: its config, the process's logger, pools, bus and site
 * switch, and the lifecycle hooks. The same object in production (runService) and in tests
 * (createServiceContext through packages/testing), so what is tested is what runs.
 */
export interface ServiceContext<C extends ServiceConfig = ServiceConfig> {
  name: string;
  config: C;
  logger: Logger;
  dbs: Databases<MainDatabase, PricingDatabase>;
  redis: Redis;
  bus: Bus;
  siteSwitch: SiteSwitch;
  /** /readyz of every app of this process reports these (MySQL and Redis are there already). */
  readiness: Readiness;
  /** Closed at shutdown after the HTTP apps, last registered first (workers, timers, clients). */
  onClose(fn: () => unknown): void;
  /** Runs `fn` every `ms` until shutdown; a failure is logged and the next tick tries again. */
  every(ms: number, what: string, fn: () => Promise<unknown>): void;
  /** Metrics of one HTTP app (one registry per app, so each port's /metrics shows its own series). */
  metricsFor(app: string): Metrics;
  /**
   * A worker for a queue of the bus catalog (createWorker): closed at shutdown after the apps
   * (its jobs in flight finish), and on /readyz as `worker:<queue>` while it is not running.
   */
  worker<Q extends QueueName>(queue: Q, handlers: JobHandlers<Q>, opts?: { concurrency?: number }): Worker;
}

/** A service's process: its name, config and what it starts (apps, workers, schedulers). */
export interface ServiceDefinition<C extends ServiceConfig> {
  name: string;
  loadConfig: (env: Env) => C;
  /** The `service` of its log lines when it depends on config (a process running one role). */
  logName?: (config: C) => string;
  /** Deployment retry settings for catalog jobs (e.g. SINV_RETRY_ATTEMPTS). */
  retries?: (config: C) => RetryOverrides;
  /**
   * Starts the process's roles on the context: build apps and `listen` them, create workers,
   * schedule jobs, start timers. Everything it opens is closed through `ctx.onClose`.
   */
  start: (
    ctx: ServiceContext<C>,
    lifecycle: { listen: (app: FastifyInstance, port: number) => Promise<void> },
  ) => Promise<void>;
}

export interface ServiceRuntime<C extends ServiceConfig> {
  ctx: ServiceContext<C>;
  /** Closes the apps, then what was registered with onClose, then the bus, the pools and tracing. */
  close(): Promise<void>;
  listen(app: FastifyInstance, port: number): Promise<void>;
}

/**
 * Opens what a service's process shares (pools, Redis, bus, site switch, readiness) and returns
 * its context. A store that is down at start does not stop the process: it starts, reports the
 * outage on /readyz and recovers when the store returns.
 */
export async function createServiceContext<C extends ServiceConfig>(
  name: string,
  config: C,
  opts: { logger?: Logger; retries?: RetryOverrides; onShutdown?: () => Promise<void> } = {},
): Promise<ServiceRuntime<C>> {
  const logger =
    opts.logger ?? createLogger({ service: name, level: config.log.level, format: config.log.format });
  const dbs = createDatabases<MainDatabase, PricingDatabase>(config.mysql);
  const redis = createRedis(config.redis);
  redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis connection error'));
  if (!(await connectRedis(redis))) logger.warn('redis is not reachable yet; /readyz will say so');
  const bus = new Bus({
    redis: config.redis,
    client: redis,
    logger,
    ...(opts.retries ? { retries: opts.retries } : {}),
  });
  const siteSwitch = new SiteSwitch(new SettingsRepository(dbs.main), { log: logger });
  const readiness = new Readiness();
  readiness.add('mysql', () => dbs.ping());
  readiness.add('redis', () => redis.ping());
  const closers: Array<() => unknown> = [];
  const apps: FastifyInstance[] = [];
  const metrics = new Map<string, Metrics>();
  const ctx: ServiceContext<C> = {
    name,
    config,
    logger,
    dbs,
    redis,
    bus,
    siteSwitch,
    readiness,
    onClose: (fn) => closers.push(fn),
    every(ms, what, fn) {
      const timer = setInterval(() => {
        fn().catch((err: unknown) =>
          logger.warn(
            { err: (err as Error).message, task: what },
            `${what} failed; trying again in ${ms} ms`,
          ),
        );
      }, ms);
      timer.unref();
      closers.push(() => clearInterval(timer));
    },
    worker(queue, handlers, workerOpts = {}) {
      const w = createWorker(bus, queue, handlers, { logger, ...workerOpts });
      readiness.add(`worker:${queue}`, () => {
        if (!w.isRunning()) throw new Error(`the ${queue} worker is not running`);
      });
      closers.push(() => w.close());
      return w;
    },
    metricsFor(app) {
      let m = metrics.get(app);
      if (!m) {
        m = createMetrics(app);
        metrics.set(app, m);
      }
      return m;
    },
  };
  let closed = false;
  return {
    ctx,
    async listen(app, port) {
      apps.push(app);
      await app.listen({ host: config.http.host, port });
    },
    async close() {
      if (closed) return;
      closed = true;
      readiness.stop();
      // Stop accepting and finish requests in flight first, then the rest in reverse order of
      // opening (workers finish their jobs), then the shared clients.
      await Promise.all(apps.map((a) => a.close()));
      for (const fn of closers.reverse()) await fn();
      await bus.close();
      await dbs.close();
      redis.disconnect();
      await opts.onShutdown?.();
    },
  };
}

/**
 * An HTTP app wired the way every service wires it: the context's readiness, rate limits on the
 * shared Redis, the internal token for /metrics, the site switch.
 */
export function createServiceApp(app: string, ctx: ServiceContext): Promise<FastifyInstance> {
  const { config, redis } = ctx;
  return createHttpApp({
    service: app,
    logger: ctx.logger,
    metrics: ctx.metricsFor(app),
    http: config.http,
    rateLimit: { redis, ...config.rateLimit, keyPrefix: config.redis.keyPrefix },
    readiness: ctx.readiness,
    internalToken: config.internal.token,
    siteSwitch: ctx.siteSwitch,
  });
}

/**
 * The whole of a service's main.ts: load the config (exit 2 listing every problem), then in
 * each worker process open the context, start the service's roles, and on SIGTERM close
 * everything in order (exit 0, or 1 past SHUTDOWN_TIMEOUT_MS).
 */
export function runService<C extends ServiceConfig>(def: ServiceDefinition<C>, env: Env = process.env): void {
  let config: C;
  try {
    config = def.loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(2);
  }
  const logName = def.logName?.(config) ?? def.name;
  const logger = createLogger({ service: logName, level: config.log.level, format: config.log.format });
  runClustered({
    workers: config.cluster.workers,
    logger,
    async start() {
      const tracing = await startTracing({ service: logName, otlpEndpoint: config.tracing.otlpEndpoint });
      const runtime = await createServiceContext(logName, config, {
        logger,
        ...(def.retries ? { retries: def.retries(config) } : {}),
        onShutdown: () => tracing.shutdown(),
      });
      closeOnSignals(runtime, { logger, timeoutMs: config.http.shutdownTimeoutMs });
      await def.start(runtime.ctx, { listen: (app, port) => runtime.listen(app, port) });
      logger.info('ready to serve');
    },
  });
}

/** runService for a service that is one HTTP app on config.http.port. */
export function runHttpService<C extends ServiceConfig & { http: { port: number } }>(opts: {
  name: string;
  loadConfig: (env: Env) => C;
  buildApp: (ctx: ServiceContext<C>) => Promise<FastifyInstance>;
}): void {
  runService({
    name: opts.name,
    loadConfig: opts.loadConfig,
    start: async (ctx, { listen }) => listen(await opts.buildApp(ctx), ctx.config.http.port),
  });
}

export type { ReadinessCheck };
