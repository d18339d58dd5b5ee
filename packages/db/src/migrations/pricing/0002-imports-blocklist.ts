import { stepMigration } from '../steps.ts';

/**
 * A record of every price import (what was read, what was refused and why), so a bad feed is
 * visible after the fact, and the blocklist of names the site never accepts.
 */
const statements = [
  `CREATE TABLE IF NOT EXISTS price_imports (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    source VARCHAR(32) NOT NULL,
    url VARCHAR(1024) NOT NULL,
    format VARCHAR(8) NOT NULL,
    status ENUM('running', 'ok', 'partial', 'refused', 'failed') NOT NULL,
    rows_total INT UNSIGNED NOT NULL DEFAULT 0,
    rows_accepted INT UNSIGNED NOT NULL DEFAULT 0,
    rows_rejected INT UNSIGNED NOT NULL DEFAULT 0,
    rows_changed INT UNSIGNED NOT NULL DEFAULT 0,
    -- the first rejected rows with their reasons (capped), for the admin to read
    errors JSON NULL,
    started_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    finished_at DATETIME(3) NULL,
    KEY ix_price_imports_started (started_at)
  )`,
  `CREATE TABLE IF NOT EXISTS price_blocklist (
    market_hash_name VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
    reason VARCHAR(255) NOT NULL,
    created_by VARCHAR(64) NOT NULL,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
  )`,
];

export const migration = stepMigration(
  statements.map((sql) => ({ sql })),
  ['price_blocklist', 'price_imports'].map((table) => ({ sql: `DROP TABLE IF EXISTS ${table}` })),
);
