import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Migrations as lists of DDL steps that can each be run again.
 *
 * MariaDB and MySQL commit every DDL statement on its own, so a migration cut off after its
 * k-th statement (a killed process, a lost connection, a statement that fails) leaves those k
 * changes and no record of the migration; the next run starts it from the top. Every step must
 * therefore be a no-op when it already happened:
 * - `CREATE TABLE IF NOT EXISTS`, `DROP TABLE IF EXISTS`, and statements that set a fixed
 *   definition (`MODIFY COLUMN`), are idempotent as written;
 * - MySQL 8 has no `ADD COLUMN IF NOT EXISTS`, `DROP COLUMN IF EXISTS` or
 *   `CREATE INDEX IF NOT EXISTS` (MariaDB only), so such a step names what it creates or drops
 *   and is skipped when information_schema says it is already done.
 * One change per statement: a single ALTER is atomic on both servers, two in one statement
 * would be all or nothing, but an ALTER that adds two columns and one that adds the second only
 * cannot both be written idempotently.
 *
 * Statement text must be accepted by both MySQL 8 (production, Aurora) and MariaDB (local):
 * the db tests parse every step with a MySQL grammar, since only MariaDB runs here.
 */
export type SchemaObject =
  { table: string } | { table: string; column: string } | { table: string; index: string };

export interface Step {
  sql: string;
  /** Run only when this does not exist yet (an ADD COLUMN, ADD INDEX, CREATE TABLE). */
  unlessExists?: SchemaObject;
  /** Run only when this exists (a DROP COLUMN, DROP INDEX). */
  onlyIfExists?: SchemaObject;
}

export interface StepMigration extends Migration {
  readonly upSteps: readonly Step[];
  readonly downSteps: readonly Step[];
}

async function exists(db: Kysely<unknown>, o: SchemaObject): Promise<boolean> {
  // DATABASE(): the migration's connection has the migrated schema as its default database.
  const r =
    'column' in o
      ? await sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM information_schema.COLUMNS
          WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ${o.table} AND COLUMN_NAME = ${o.column}`.execute(
          db,
        )
      : 'index' in o
        ? await sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM information_schema.STATISTICS
          WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ${o.table} AND INDEX_NAME = ${o.index}`.execute(db)
        : await sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM information_schema.TABLES
          WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ${o.table}`.execute(db);
  return Number(r.rows[0]?.n ?? 0) > 0;
}

export async function runSteps(db: Kysely<unknown>, steps: readonly Step[]): Promise<void> {
  for (const step of steps) {
    if (step.unlessExists && (await exists(db, step.unlessExists))) continue;
    if (step.onlyIfExists && !(await exists(db, step.onlyIfExists))) continue;
    await sql.raw(step.sql).execute(db);
  }
}

export function stepMigration(upSteps: readonly Step[], downSteps: readonly Step[]): StepMigration {
  return {
    upSteps,
    downSteps,
    up: (db) => runSteps(db, upSteps),
    down: (db) => runSteps(db, downSteps),
  };
}
