import { randomBytes } from 'node:crypto';
import { createDatabases, type Databases, type MysqlSettings } from './pool.ts';
import { dropAll, migrateAll } from './migrate.ts';
import type { MainDatabase, PricingDatabase } from './schema.ts';

export interface TestDatabases extends Databases<MainDatabase, PricingDatabase> {
  settings: MysqlSettings;
  /** Closes the pool and drops both databases. */
  drop(): Promise<void>;
}

/**
 * A fresh, migrated pair of databases for one test run (one test file), dropped afterwards.
 * Names are random, so files running side by side never share state.
 */
export async function createTestDatabases(
  base: Partial<MysqlSettings> & { url?: URL } = {},
): Promise<TestDatabases> {
  const tag = `t_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const settings: MysqlSettings = {
    url: base.url ?? new URL(process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306'),
    database: tag,
    pricingDatabase: `${tag}_p`,
    poolSize: base.poolSize ?? 10,
  };
  await migrateAll(settings);
  const dbs = createDatabases<MainDatabase, PricingDatabase>(settings);
  return {
    ...dbs,
    settings,
    async drop() {
      await dbs.close();
      await dropAll(settings);
    },
  };
}
