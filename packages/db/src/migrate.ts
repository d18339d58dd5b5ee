import { Kysely, MysqlDialect, sql } from 'kysely';
import { Migrator, type Migration, type MigrationResultSet } from 'kysely/migration';
import { mainMigrations, pricingMigrations } from './migrations/index.ts';
import { createMysqlPool, poolOptions, type MysqlSettings } from './pool.ts';

export interface MigrationReport {
  database: string;
  applied: string[];
}

const IDENTIFIER = /^[A-Za-z0-9_]{1,64}$/;

function assertIdentifier(name: string): void {
  if (!IDENTIFIER.test(name)) throw new Error(`invalid database name "${name}"`);
}

/** The one CREATE DATABASE statement (checked against the MySQL 8 grammar with the migrations). */
export function createDatabaseStatement(name: string): string {
  assertIdentifier(name);
  return `CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`;
}

/** Runs `fn` on a short-lived single connection without a default database. */
export async function withServer<T>(
  settings: MysqlSettings,
  fn: (db: Kysely<unknown>) => Promise<T>,
): Promise<T> {
  const db = new Kysely<unknown>({
    dialect: new MysqlDialect({ pool: createMysqlPool(poolOptions({ ...settings, poolSize: 1 })) }),
  });
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

async function migrateOne(
  settings: MysqlSettings,
  database: string,
  migrations: Record<string, Migration>,
  onProgress: (line: string) => void,
): Promise<MigrationReport> {
  const db = new Kysely<unknown>({
    dialect: new MysqlDialect({ pool: createMysqlPool(poolOptions({ ...settings, poolSize: 1 }, database)) }),
  });
  try {
    const migrator = new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrations) } });
    const result: MigrationResultSet = await migrator.migrateToLatest();
    const applied: string[] = [];
    for (const r of result.results ?? []) {
      onProgress(`${database}: ${r.migrationName} ${r.status}`);
      if (r.status === 'Success') applied.push(r.migrationName);
    }
    if (result.error) {
      throw new Error(`migrating ${database} failed`, { cause: result.error });
    }
    return { database, applied };
  } finally {
    await db.destroy();
  }
}

/** Creates both databases when missing and brings them to the latest migration. Idempotent. */
export async function migrateAll(
  settings: MysqlSettings,
  onProgress: (line: string) => void = () => {},
): Promise<MigrationReport[]> {
  assertIdentifier(settings.database);
  assertIdentifier(settings.pricingDatabase);
  await withServer(settings, async (db) => {
    for (const name of [settings.database, settings.pricingDatabase]) {
      await sql.raw(createDatabaseStatement(name)).execute(db);
    }
  });
  return [
    await migrateOne(settings, settings.database, mainMigrations, onProgress),
    await migrateOne(settings, settings.pricingDatabase, pricingMigrations, onProgress),
  ];
}

/** Drops both databases. Destructive: callers must hold an explicit flag (see the CLI). */
export async function dropAll(settings: MysqlSettings): Promise<void> {
  assertIdentifier(settings.database);
  assertIdentifier(settings.pricingDatabase);
  await withServer(settings, async (db) => {
    for (const name of [settings.database, settings.pricingDatabase]) {
      await sql.raw(`DROP DATABASE IF EXISTS \`${name}\``).execute(db);
    }
  });
}
