import { stepMigration } from '../steps.ts';

/**
 * An import cut off by a killed process stayed `running` for ever. A running import now writes
 * `heartbeat_at` (the server's clock) every few seconds; one whose heartbeat is older than the
 * bound (PRICE_IMPORT_ABANDON_AFTER_MS) belongs to no live process and is marked `abandoned`.
 * Existing rows get the time of this migration as their heartbeat, so a run left `running` by
 * an earlier crash is abandoned one bound later.
 */
const STATUSES = `'running', 'ok', 'partial', 'refused', 'failed'`;

export const migration = stepMigration(
  [
    // MODIFY to a fixed definition: the same result however often it runs.
    { sql: `ALTER TABLE price_imports MODIFY COLUMN status ENUM(${STATUSES}, 'abandoned') NOT NULL` },
    {
      sql: `ALTER TABLE price_imports ADD COLUMN heartbeat_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) AFTER started_at`,
      unlessExists: { table: 'price_imports', column: 'heartbeat_at' },
    },
    {
      // What abandonInterrupted looks for at every start: the running ones, by heartbeat.
      sql: `ALTER TABLE price_imports ADD INDEX ix_price_imports_running (status, heartbeat_at)`,
      unlessExists: { table: 'price_imports', index: 'ix_price_imports_running' },
    },
  ],
  [
    {
      sql: `ALTER TABLE price_imports DROP INDEX ix_price_imports_running`,
      onlyIfExists: { table: 'price_imports', index: 'ix_price_imports_running' },
    },
    {
      sql: `ALTER TABLE price_imports DROP COLUMN heartbeat_at`,
      onlyIfExists: { table: 'price_imports', column: 'heartbeat_at' },
    },
    // The old ENUM has no 'abandoned': such runs are failed ones to it.
    { sql: `UPDATE price_imports SET status = 'failed' WHERE status = 'abandoned'` },
    { sql: `ALTER TABLE price_imports MODIFY COLUMN status ENUM(${STATUSES}) NOT NULL` },
  ],
);
