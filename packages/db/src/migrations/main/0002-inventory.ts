import { sql, type Kysely } from 'kysely';

/**
 * What sinv needs beyond 0001: per item the pricing category and whether Steam says it is
 * tradable; per bot the state of its last inventory refresh, so a failing bot is visible (its
 * items stay, marked stale) and retried with backoff; and the icon per Steam class in a table of
 * its own: an icon path is ~200 bytes and is the same for every asset of a class, and 400k
 * item rows must stay small enough for the buffer pool to hold them.
 */
const up_ = [
  `ALTER TABLE items
    ADD COLUMN category VARCHAR(16) NOT NULL DEFAULT 'other' AFTER rarity,
    ADD COLUMN tradable TINYINT(1) NOT NULL DEFAULT 1 AFTER tradable_after`,
  `CREATE TABLE item_classes (
    class_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    icon_url VARCHAR(512) NOT NULL,
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
  )`,
  `ALTER TABLE bots
    ADD COLUMN inventory_failure VARCHAR(48) NULL AFTER inventory_refreshed_at,
    ADD COLUMN inventory_failed_at DATETIME(3) NULL AFTER inventory_failure,
    ADD COLUMN inventory_failures INT UNSIGNED NOT NULL DEFAULT 0 AFTER inventory_failed_at`,
];

const down_ = [
  `ALTER TABLE bots DROP COLUMN inventory_failures, DROP COLUMN inventory_failed_at, DROP COLUMN inventory_failure`,
  `DROP TABLE IF EXISTS item_classes`,
  `ALTER TABLE items DROP COLUMN tradable, DROP COLUMN category`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of up_) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of down_) await sql.raw(statement).execute(db);
}
