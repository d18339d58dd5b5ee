// Development: copies the Steam emulator's bot accounts into the bots table (steam id, account
// name, persona), so sinv has bots to read. Idempotent. sinv does the same at start when
// EMULATOR_SEED_BOTS=true (what `npm start` sets).
//   npm run bots:import-emulator -w @platform/inventory
import { ConfigError } from '@platform/config';
import {
  connectRedis,
  createDatabases,
  createRedis,
  type MainDatabase,
  type PricingDatabase,
} from '@platform/db';
import { createLogger } from '@platform/observability';
import { loadConfig } from '../config.ts';
import { seedBotsFromEmulator } from '../runtime.ts';

try {
  const config = loadConfig(process.env);
  const logger = createLogger({ service: 'bots-import', level: config.log.level });
  const dbs = createDatabases<MainDatabase, PricingDatabase>(config.mysql);
  const redis = createRedis(config.redis);
  await connectRedis(redis, 1_000);
  try {
    const n = await seedBotsFromEmulator({ config, logger, dbs, redis });
    console.log(`imported ${n} bots from ${config.bots.emulatorUrl.origin}`);
  } finally {
    redis.disconnect();
    await dbs.close();
  }
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(err instanceof ConfigError ? 2 : 1);
}
