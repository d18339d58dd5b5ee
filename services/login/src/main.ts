import { ConfigError } from '@platform/config';
import {
  connectRedis,
  createDatabases,
  createRedis,
  SettingsRepository,
  type MainDatabase,
  type PricingDatabase,
} from '@platform/db';
import { closeOnSignals, runClustered, SiteSwitch } from '@platform/http';
import { createLogger, createMetrics, startTracing } from '@platform/observability';
import { buildApp } from './app.ts';
import { loadConfig, type LoginConfig } from './config.ts';

let config: LoginConfig;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(2);
}
const logger = createLogger({ service: 'login', level: config.log.level });

runClustered({
  workers: config.cluster.workers,
  logger,
  async start() {
    const tracing = await startTracing({ service: 'login', otlpEndpoint: config.tracing.otlpEndpoint });
    const dbs = createDatabases<MainDatabase, PricingDatabase>(config.mysql);
    const redis = createRedis(config.redis);
    redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
    if (!(await connectRedis(redis))) logger.warn('redis is not reachable yet; /readyz will say so');
    const siteSwitch = new SiteSwitch(new SettingsRepository(dbs.main), { log: logger });
    const app = await buildApp({ config, logger, metrics: createMetrics('login'), dbs, redis, siteSwitch });
    app.addHook('onClose', async () => {
      await dbs.close();
      redis.disconnect();
      await tracing.shutdown();
    });
    closeOnSignals(app, { logger, timeoutMs: config.http.shutdownTimeoutMs });
    await app.listen({ host: config.http.host, port: config.http.port });
  },
});
