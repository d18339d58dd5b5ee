import { stepMigration } from '../steps.ts';

/**
 * What sinv needs beyond 0001: per item the pricing category and whether Steam says it is
 * tradable; per bot the state of its last inventory refresh, so a failing bot is visible (its
 * items stay, marked stale) and retried with backoff; and the icon per Steam class in a table of
 * its own: an icon path is ~200 bytes and is the same for every asset of a class, and 400k
 * item rows must stay small enough for the buffer pool to hold them.
 */
export const migration = stepMigration(
  [
    // One column per ALTER, each skipped when present: MySQL 8 has no ADD COLUMN IF NOT EXISTS.
    {
      sql: `ALTER TABLE items ADD COLUMN category VARCHAR(16) NOT NULL DEFAULT 'other' AFTER rarity`,
      unlessExists: { table: 'items', column: 'category' },
    },
    {
      sql: `ALTER TABLE items ADD COLUMN tradable TINYINT(1) NOT NULL DEFAULT 1 AFTER tradable_after`,
      unlessExists: { table: 'items', column: 'tradable' },
    },
    {
      sql: `CREATE TABLE IF NOT EXISTS item_classes (
        class_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
        icon_url VARCHAR(512) NOT NULL,
        updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
      )`,
    },
    {
      sql: `ALTER TABLE bots ADD COLUMN inventory_failure VARCHAR(48) NULL AFTER inventory_refreshed_at`,
      unlessExists: { table: 'bots', column: 'inventory_failure' },
    },
    {
      sql: `ALTER TABLE bots ADD COLUMN inventory_failed_at DATETIME(3) NULL AFTER inventory_failure`,
      unlessExists: { table: 'bots', column: 'inventory_failed_at' },
    },
    {
      sql: `ALTER TABLE bots ADD COLUMN inventory_failures INT UNSIGNED NOT NULL DEFAULT 0 AFTER inventory_failed_at`,
      unlessExists: { table: 'bots', column: 'inventory_failures' },
    },
  ],
  [
    ...['inventory_failures', 'inventory_failed_at', 'inventory_failure'].map((column) => ({
      sql: `ALTER TABLE bots DROP COLUMN ${column}`,
      onlyIfExists: { table: 'bots', column },
    })),
    { sql: `DROP TABLE IF EXISTS item_classes` },
    ...['tradable', 'category'].map((column) => ({
      sql: `ALTER TABLE items DROP COLUMN ${column}`,
      onlyIfExists: { table: 'items', column },
    })),
  ],
);
