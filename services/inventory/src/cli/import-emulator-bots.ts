// Development: copies the Steam emulator's bot accounts into the bots table (steam id, account
// name, persona), so sinv has bots to read. Idempotent. sinv does the same at start when
// EMULATOR_SEED_BOTS=true (what `npm start` sets).
//   npm run bots:import-emulator -w @platform/inventory
import { ConfigError } from '@platform/config';
import { createDatabases, type MainDatabase, type PricingDatabase } from '@platform/db';
import { loadConfig } from '../config.ts';
import { seedBotsFromEmulator } from '../runtime.ts';

try {
  const config = loadConfig(process.env);
  const dbs = createDatabases<MainDatabase, PricingDatabase>(config.mysql);
  try {
    const n = await seedBotsFromEmulator({ config, dbs });
    console.log(`imported ${n} bots from ${config.bots.emulatorUrl.origin}`);
  } finally {
    await dbs.close();
  }
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(err instanceof ConfigError ? 2 : 1);
}
