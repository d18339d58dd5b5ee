import { stepMigration } from '../steps.ts';

/**
 * The main database's first tables. DDL is written as MariaDB/MySQL SQL because the schema
 * leans on what only SQL says plainly: CHECK constraints that keep a balance from going
 * negative, and a unique key on a generated column that allows one active reservation per
 * asset (invariant 1) while keeping released ones as history.
 *
 * Ids and money are BIGINT; the pool reads them back as decimal strings (never a double).
 *
 * MySQL commits each DDL statement on its own, so a run cut off halfway leaves some tables and
 * no record of the migration; IF NOT EXISTS lets the next run finish the job instead of failing
 * on the first table forever (see ../steps.ts).
 */
const statements = [
  `CREATE TABLE IF NOT EXISTS users (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    steam_id BIGINT UNSIGNED NOT NULL,
    persona_name VARCHAR(64) NOT NULL DEFAULT '',
    avatar_url VARCHAR(512) NOT NULL DEFAULT '',
    trade_partner_id INT UNSIGNED NULL COMMENT 'Steam account id from the trade URL',
    trade_token VARCHAR(16) NULL,
    banned_at DATETIME(3) NULL,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    UNIQUE KEY uq_users_steam_id (steam_id)
  )`,
  `CREATE TABLE IF NOT EXISTS balances (
    user_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    amount BIGINT NOT NULL DEFAULT 0 COMMENT 'minor units (cents)',
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    CONSTRAINT ck_balances_non_negative CHECK (amount >= 0),
    CONSTRAINT fk_balances_user FOREIGN KEY (user_id) REFERENCES users (id)
  )`,
  `CREATE TABLE IF NOT EXISTS ledger (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT UNSIGNED NOT NULL,
    delta BIGINT NOT NULL,
    balance_after BIGINT NOT NULL,
    reason VARCHAR(32) NOT NULL,
    ref_type VARCHAR(32) NOT NULL,
    ref_id VARCHAR(64) NOT NULL,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    CONSTRAINT ck_ledger_balance_after CHECK (balance_after >= 0),
    CONSTRAINT ck_ledger_delta_non_zero CHECK (delta <> 0),
    -- one entry per (user, reason, reference): a retried settlement cannot pay twice
    UNIQUE KEY uq_ledger_ref (user_id, reason, ref_type, ref_id),
    KEY ix_ledger_user (user_id, id),
    CONSTRAINT fk_ledger_user FOREIGN KEY (user_id) REFERENCES users (id)
  )`,
  `CREATE TABLE IF NOT EXISTS bots (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    steam_id BIGINT UNSIGNED NOT NULL,
    account_name VARCHAR(64) NOT NULL,
    display_name VARCHAR(64) NOT NULL DEFAULT '',
    tier ENUM('very_good', 'good', 'bad') NOT NULL DEFAULT 'good',
    status ENUM('active', 'paused', 'disabled', 'error') NOT NULL DEFAULT 'active',
    capacity INT UNSIGNED NOT NULL DEFAULT 1000,
    item_count INT UNSIGNED NOT NULL DEFAULT 0,
    inventory_refreshed_at DATETIME(3) NULL,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    UNIQUE KEY uq_bots_steam_id (steam_id),
    UNIQUE KEY uq_bots_account_name (account_name)
  )`,
  `CREATE TABLE IF NOT EXISTS items (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    asset_id BIGINT UNSIGNED NOT NULL,
    context_id INT UNSIGNED NOT NULL DEFAULT 2,
    bot_id INT UNSIGNED NOT NULL,
    class_id BIGINT UNSIGNED NOT NULL,
    instance_id BIGINT UNSIGNED NOT NULL DEFAULT 0,
    market_hash_name VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    name VARCHAR(255) NOT NULL DEFAULT '',
    type VARCHAR(128) NOT NULL DEFAULT '',
    rarity VARCHAR(64) NOT NULL DEFAULT '',
    exterior VARCHAR(32) NULL,
    -- wear is a float by nature (Steam's paint wear is a float32), not money
    float_value DOUBLE NULL,
    paint_seed SMALLINT UNSIGNED NULL,
    stickers JSON NULL,
    attributes JSON NULL,
    tradable_after DATETIME(3) NULL,
    casket_asset_id BIGINT UNSIGNED NULL,
    stale TINYINT(1) NOT NULL DEFAULT 0,
    first_seen_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    UNIQUE KEY uq_items_asset (asset_id),
    KEY ix_items_bot (bot_id),
    KEY ix_items_name (market_hash_name),
    CONSTRAINT fk_items_bot FOREIGN KEY (bot_id) REFERENCES bots (id)
  )`,
  `CREATE TABLE IF NOT EXISTS trades (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT UNSIGNED NOT NULL,
    kind ENUM('deposit', 'withdraw', 'swap') NOT NULL,
    state VARCHAR(24) NOT NULL,
    idempotency_key VARCHAR(64) NOT NULL,
    user_gives_value BIGINT NOT NULL DEFAULT 0,
    user_receives_value BIGINT NOT NULL DEFAULT 0,
    balance_hold BIGINT NOT NULL DEFAULT 0,
    failure_code VARCHAR(48) NULL,
    version INT UNSIGNED NOT NULL DEFAULT 0,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    UNIQUE KEY uq_trades_idempotency (user_id, idempotency_key),
    KEY ix_trades_state (state, updated_at),
    CONSTRAINT fk_trades_user FOREIGN KEY (user_id) REFERENCES users (id)
  )`,
  `CREATE TABLE IF NOT EXISTS trade_items (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    trade_id BIGINT UNSIGNED NOT NULL,
    side ENUM('user_gives', 'user_receives') NOT NULL,
    asset_id BIGINT UNSIGNED NOT NULL,
    context_id INT UNSIGNED NOT NULL DEFAULT 2,
    market_hash_name VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    price BIGINT NOT NULL,
    bot_id INT UNSIGNED NULL,
    new_asset_id BIGINT UNSIGNED NULL,
    KEY ix_trade_items_trade (trade_id),
    CONSTRAINT ck_trade_items_price CHECK (price >= 0),
    CONSTRAINT fk_trade_items_trade FOREIGN KEY (trade_id) REFERENCES trades (id)
  )`,
  `CREATE TABLE IF NOT EXISTS reservations (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    asset_id BIGINT UNSIGNED NOT NULL,
    trade_id BIGINT UNSIGNED NOT NULL,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    released_at DATETIME(3) NULL,
    -- NULL once released; the unique key below then allows a new reservation (invariant 1).
    -- STORED, not MariaDB's synonym PERSISTENT: MySQL 8 knows only STORED.
    active_asset_id BIGINT UNSIGNED AS (IF(released_at IS NULL, asset_id, NULL)) STORED,
    UNIQUE KEY uq_reservations_active (active_asset_id),
    KEY ix_reservations_trade (trade_id),
    CONSTRAINT fk_reservations_trade FOREIGN KEY (trade_id) REFERENCES trades (id)
  )`,
  `CREATE TABLE IF NOT EXISTS offers (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    trade_id BIGINT UNSIGNED NOT NULL,
    bot_id INT UNSIGNED NOT NULL,
    steam_offer_id BIGINT UNSIGNED NULL,
    state VARCHAR(24) NOT NULL,
    steam_state TINYINT UNSIGNED NULL COMMENT 'ETradeOfferState',
    steam_trade_id BIGINT UNSIGNED NULL,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    sent_at DATETIME(3) NULL,
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    -- at most one offer per (trade, bot), recorded as an intent before Steam is asked (invariant 3)
    UNIQUE KEY uq_offers_trade_bot (trade_id, bot_id),
    UNIQUE KEY uq_offers_steam_id (steam_offer_id),
    KEY ix_offers_state (state, updated_at),
    CONSTRAINT fk_offers_trade FOREIGN KEY (trade_id) REFERENCES trades (id),
    CONSTRAINT fk_offers_bot FOREIGN KEY (bot_id) REFERENCES bots (id)
  )`,
  `CREATE TABLE IF NOT EXISTS outbox (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    event_id CHAR(36) NOT NULL,
    topic VARCHAR(64) NOT NULL,
    aggregate_id VARCHAR(64) NOT NULL,
    payload JSON NOT NULL,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    published_at DATETIME(3) NULL,
    UNIQUE KEY uq_outbox_event (event_id),
    KEY ix_outbox_unpublished (published_at, id)
  )`,
  `CREATE TABLE IF NOT EXISTS settings (
    name VARCHAR(64) NOT NULL PRIMARY KEY,
    value JSON NOT NULL,
    updated_by VARCHAR(64) NULL,
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
  )`,
  `CREATE TABLE IF NOT EXISTS allowed_partners (
    steam_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    note VARCHAR(255) NOT NULL DEFAULT '',
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
  )`,
];

const tables = [
  'allowed_partners',
  'settings',
  'outbox',
  'offers',
  'reservations',
  'trade_items',
  'trades',
  'items',
  'bots',
  'ledger',
  'balances',
  'users',
];

export const migration = stepMigration(
  statements.map((sql) => ({ sql })),
  tables.map((table) => ({ sql: `DROP TABLE IF EXISTS ${table}` })),
);
