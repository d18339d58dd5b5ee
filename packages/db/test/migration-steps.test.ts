// Every migration step is checked against a MySQL 8 grammar (production is MySQL 8 / Aurora,
// only MariaDB runs here), and every migration is re-run after being cut off after each of its
// steps, which must end with the same schema as a clean run of migrateAll.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Kysely, MysqlDialect, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import mysqlGrammar from 'node-sql-parser/build/mysql.js';
import {
  createDatabaseStatement,
  createMysqlPool,
  mainMigrations,
  poolOptions,
  pricingMigrations,
  withServer,
  type MysqlSettings,
} from '@platform/db';
import { createTestDatabases, type TestDatabases } from '@platform/db/testing';
import { runSteps } from '../src/migrations/steps.ts';

const parser = new mysqlGrammar.Parser();
const sets = { main: mainMigrations, pricing: pricingMigrations } as const;
type Which = keyof typeof sets;

let reference: TestDatabases;
let referenceSchema: Record<Which, Schema>;
before(async () => {
  // A clean run of migrateAll: what every interrupted run must end up as.
  reference = await createTestDatabases();
  referenceSchema = {
    main: await schemaOf(reference.settings, reference.settings.database),
    pricing: await schemaOf(reference.settings, reference.settings.pricingDatabase),
  };
});
after(async () => {
  await reference.drop();
});

test('every migration statement parses as MySQL 8 (node-sql-parser, mysql dialect)', () => {
  const statements: string[] = [createDatabaseStatement('cs2trade')];
  for (const migrations of Object.values(sets)) {
    for (const m of Object.values(migrations)) {
      for (const step of [...m.upSteps, ...m.downSteps]) statements.push(step.sql);
    }
  }
  const refused: string[] = [];
  for (const s of statements) {
    try {
      parser.astify(s, { database: 'mysql' });
    } catch (err) {
      refused.push(`${s.replace(/\s+/g, ' ').slice(0, 160)}…\n  ${(err as Error).message.slice(0, 200)}`);
    }
  }
  assert.deepEqual(refused, []);
});

test('the grammar check has teeth: MariaDB-only syntax is refused', () => {
  for (const mariadbOnly of [
    'CREATE TABLE t (a INT, b INT AS (a + 1) PERSISTENT)',
    'ALTER TABLE t ADD COLUMN IF NOT EXISTS b INT',
    'CREATE INDEX IF NOT EXISTS ix ON t (a)',
  ]) {
    assert.throws(() => parser.astify(mariadbOnly, { database: 'mysql' }), Error, mariadbOnly);
  }
});

interface Schema {
  /** Each table's SHOW CREATE TABLE, minus the AUTO_INCREMENT counter. */
  tables: Record<string, string>;
  applied: string[];
}

async function schemaOf(settings: MysqlSettings, schema: string): Promise<Schema> {
  return withServer(settings, async (db) => {
    const out: Schema = { tables: {}, applied: [] };
    const tables = await sql<{ TABLE_NAME: string }>`
      SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${schema} ORDER BY TABLE_NAME`.execute(
      db,
    );
    for (const { TABLE_NAME: t } of tables.rows) {
      const r = await sql<Record<string, string>>`SHOW CREATE TABLE ${sql.id(schema, t)}`.execute(db);
      out.tables[t] = (r.rows[0]?.['Create Table'] ?? '').replace(/ AUTO_INCREMENT=\d+/, '');
    }
    const applied = await sql<{ name: string }>`
      SELECT name FROM ${sql.id(schema, 'kysely_migration')} ORDER BY name`.execute(db);
    out.applied = applied.rows.map((r) => r.name);
    return out;
  });
}

/** Applies the set's migrations before `before` (all of them when absent), as migrateAll does. */
async function migrateTo(db: Kysely<unknown>, which: Which, before?: string): Promise<void> {
  const list = Object.fromEntries(Object.entries(sets[which]).filter(([n]) => !before || n < before));
  const result = await new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(list) },
  }).migrateToLatest();
  if (result.error) throw result.error as Error;
}

/**
 * A run cut off in migration `name` after `k` of its steps (the earlier migrations applied and
 * recorded, k steps done, no record of `name`), then the next run.
 */
async function cutOffThenRerun(schema: string, which: Which, name: string, k: number): Promise<void> {
  const settings = reference.settings;
  await withServer(settings, (db) => sql.raw(createDatabaseStatement(schema)).execute(db));
  const db = new Kysely<unknown>({
    dialect: new MysqlDialect({ pool: createMysqlPool(poolOptions({ ...settings, poolSize: 1 }, schema)) }),
  });
  try {
    await migrateTo(db, which, name);
    await runSteps(db, sets[which][name]!.upSteps.slice(0, k));
    await migrateTo(db, which);
  } finally {
    await db.destroy();
  }
}

test('a migration cut off after any of its steps completes on the next run, to the same schema', async () => {
  const cases: Array<{ which: Which; name: string; k: number }> = [];
  for (const which of ['main', 'pricing'] as const) {
    for (const [name, m] of Object.entries(sets[which])) {
      // k = all steps: done, but stopped before the migration was recorded.
      for (let k = 1; k <= m.upSteps.length; k++) cases.push({ which, name, k });
    }
  }
  const failures: string[] = [];
  let next = 0;
  // A few at a time: each case is a fresh database migrated to the end.
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < cases.length) {
        const c = cases[next++]!;
        const schema = `t_cut_${randomBytes(4).toString('hex')}`;
        const label = `${c.which} ${c.name} cut after step ${c.k}`;
        try {
          await cutOffThenRerun(schema, c.which, c.name, c.k);
          assert.deepEqual(await schemaOf(reference.settings, schema), referenceSchema[c.which], label);
        } catch (err) {
          const cause = (err as Error).cause as Error | undefined;
          failures.push(
            `${label}: ${(err as Error).message.split('\n')[0]}${cause ? ` (${cause.message})` : ''}`,
          );
        } finally {
          await withServer(reference.settings, (db) =>
            sql.raw(`DROP DATABASE IF EXISTS \`${schema}\``).execute(db),
          );
        }
      }
    }),
  );
  assert.deepEqual(failures, []);
});
