import { stepMigration } from '../steps.ts';

/** The pricing database (a separate schema, as in the seed): prices in minor units, overrides, history. */
const statements = [
  `CREATE TABLE IF NOT EXISTS prices (
    market_hash_name VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
    price BIGINT NOT NULL COMMENT 'minor units (cents)',
    currency CHAR(3) NOT NULL DEFAULT 'USD',
    source VARCHAR(32) NOT NULL,
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    -- a price of zero is a bad feed row, never a price
    CONSTRAINT ck_prices_positive CHECK (price > 0)
  )`,
  `CREATE TABLE IF NOT EXISTS price_overrides (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    market_hash_name VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    price BIGINT NOT NULL,
    reason VARCHAR(255) NOT NULL,
    expires_at DATETIME(3) NULL,
    created_by VARCHAR(64) NOT NULL,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    CONSTRAINT ck_price_overrides_positive CHECK (price > 0),
    KEY ix_price_overrides_name (market_hash_name, expires_at)
  )`,
  `CREATE TABLE IF NOT EXISTS price_history (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    market_hash_name VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    price BIGINT NOT NULL,
    source VARCHAR(32) NOT NULL,
    recorded_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    KEY ix_price_history_name (market_hash_name, recorded_at)
  )`,
];

export const migration = stepMigration(
  statements.map((sql) => ({ sql })),
  ['price_history', 'price_overrides', 'prices'].map((table) => ({ sql: `DROP TABLE IF EXISTS ${table}` })),
);
