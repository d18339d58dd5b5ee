import type { FastifyInstance } from 'fastify';
import { ConfigError } from '@platform/config';
import {
  connectRedis,
  createDatabases,
  createRedis,
  SettingsRepository,
  type MainDatabase,
  type PricingDatabase,
} from '@platform/db';
import { closeOnSignals, createAuthGuard, runClustered, SessionStore, SiteSwitch } from '@platform/http';
import { createLogger, createMetrics, startTracing } from '@platform/observability';
import { buildCinvApp, buildSinvApp } from './app.ts';
import { createInventoryMetrics } from './metrics.ts';
import { loadConfig, type InventoryConfig } from './config.ts';
import { createCinv, createPricing, createSinv, seedBotsFromEmulator } from './runtime.ts';

let config: InventoryConfig;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(2);
}
const role = config.service.role;
const logger = createLogger({ service: role === 'all' ? 'inventory' : role, level: config.log.level });

runClustered({
  workers: config.cluster.workers,
  logger,
  async start() {
    const tracing = await startTracing({ service: 'inventory', otlpEndpoint: config.tracing.otlpEndpoint });
    const dbs = createDatabases<MainDatabase, PricingDatabase>(config.mysql);
    const redis = createRedis(config.redis);
    redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
    if (!(await connectRedis(redis))) logger.warn('redis is not reachable yet; /readyz will say so');
    const siteSwitch = new SiteSwitch(new SettingsRepository(dbs.main), { log: logger });
    // One registry per role, so /metrics on each port shows that role's series.
    const sinvMetrics = role === 'cinv' ? undefined : createMetrics('sinv');
    const cinvMetrics = role === 'sinv' ? undefined : createMetrics('cinv');
    const sinvCounters = sinvMetrics && createInventoryMetrics(sinvMetrics.registry);
    const cinvCounters = cinvMetrics && createInventoryMetrics(cinvMetrics.registry);
    const pricing = createPricing({
      config,
      logger,
      dbs,
      redis,
      ...(sinvCounters ? { metrics: sinvCounters } : {}),
    });
    await pricing
      .start()
      .catch((err: unknown) => logger.warn({ err }, 'prices not loaded yet; retrying on the timer'));
    const apps: FastifyInstance[] = [];
    const closers: Array<() => Promise<void>> = [];

    if (role === 'all' || role === 'sinv') {
      if (config.bots.seedFromEmulator) {
        // `npm start` launches the emulator beside us: give it a minute to answer.
        for (let attempt = 1; ; attempt++) {
          try {
            const n = await seedBotsFromEmulator({ config, logger, dbs, redis });
            logger.info({ bots: n }, 'bots seeded from the emulator');
            break;
          } catch (err) {
            if (attempt >= 60) {
              logger.error(
                { err: (err as Error).message },
                'could not seed bots from the emulator; continuing without',
              );
              break;
            }
            await new Promise((r) => setTimeout(r, 1_000));
          }
        }
      }
      const sinv = createSinv({
        config,
        logger,
        dbs,
        redis,
        pricing,
        ...(sinvCounters ? { metrics: sinvCounters } : {}),
      });
      // The job schedulers run their first import and full refresh right away.
      await sinv.jobs.start();
      closers.push(() => sinv.close());
      const app = await buildSinvApp({
        config,
        logger,
        metrics: sinvMetrics ?? createMetrics('sinv'),
        dbs,
        redis,
        siteSwitch,
        enricher: pricing.enricher,
        snapshot: sinv.snapshot,
        jobs: sinv.jobs,
      });
      await app.listen({ host: config.http.host, port: config.service.sinvPort });
      apps.push(app);
    }
    if (role === 'all' || role === 'cinv') {
      const cinv = createCinv({
        config,
        logger,
        dbs,
        redis,
        ...(cinvCounters ? { metrics: cinvCounters } : {}),
      });
      closers.push(() => cinv.close());
      const sessions = new SessionStore(redis, { keyPrefix: config.redis.keyPrefix, ...config.session });
      const app = await buildCinvApp({
        config,
        logger,
        metrics: cinvMetrics ?? createMetrics('cinv'),
        dbs,
        redis,
        siteSwitch,
        enricher: pricing.enricher,
        inventories: cinv.inventories,
        authGuard: (a) =>
          createAuthGuard(a, {
            sessions,
            cookieName: config.session.cookieName,
            allowedOrigins: config.session.allowedOrigins,
          }),
      });
      await app.listen({ host: config.http.host, port: config.service.cinvPort });
      apps.push(app);
    }

    // Both apps share the pools and queues: close the apps (finishing requests in flight), then the rest once.
    closeOnSignals(
      {
        async close() {
          await Promise.all(apps.map((a) => a.close()));
          pricing.stop();
          for (const close of closers) await close();
          await dbs.close();
          redis.disconnect();
          await tracing.shutdown();
        },
      },
      { logger, timeoutMs: config.http.shutdownTimeoutMs },
    );
  },
});
