import { stepMigration, type Step } from '../steps.ts';

/**
 * The trading API (issue 11). A trade is planned at creation as one or more offers (the routing
 * rule of packages/core settlement.ts): each offer row carries its values and the part of the
 * balance held for it, and each trade item its offer, so settlement goes offer by offer. Offers
 * of a deposit have no bot until the tradebot picks one (`bot_id` NULL while `planned`).
 * The ledger marks credit from items received as trade-protected until the end of Steam's
 * 7-day window; a balance may owe (`debt`) when a reversal takes back credit already spent.
 */
const addColumn = (table: string, column: string, definition: string): Step => ({
  sql: `ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`,
  unlessExists: { table, column },
});
const dropColumn = (table: string, column: string): Step => ({
  sql: `ALTER TABLE ${table} DROP COLUMN ${column}`,
  onlyIfExists: { table, column },
});
const addIndex = (table: string, index: string, columns: string): Step => ({
  sql: `CREATE INDEX ${index} ON ${table} (${columns})`,
  unlessExists: { table, index },
});
const dropIndex = (table: string, index: string): Step => ({
  sql: `DROP INDEX ${index} ON ${table}`,
  onlyIfExists: { table, index },
});

const columns: Array<[string, string, string]> = [
  ['trades', 'verification_code', `CHAR(6) NOT NULL DEFAULT '' AFTER state`],
  ['trades', 'request_hash', `CHAR(43) NOT NULL DEFAULT '' AFTER idempotency_key`],
  ['trades', 'balance_delta', `BIGINT NOT NULL DEFAULT 0 AFTER balance_hold`],
  ['trades', 'expires_at', `DATETIME(3) NULL AFTER failure_code`],
  ['trades', 'cancel_reason', `VARCHAR(16) NULL AFTER expires_at`],
  ['trades', 'completed_at', `DATETIME(3) NULL AFTER cancel_reason`],
  ['offers', 'give_value', `BIGINT NOT NULL DEFAULT 0 AFTER steam_trade_id`],
  ['offers', 'receive_value', `BIGINT NOT NULL DEFAULT 0 AFTER give_value`],
  ['offers', 'hold_share', `BIGINT NOT NULL DEFAULT 0 AFTER receive_value`],
  ['offers', 'end_reason', `VARCHAR(48) NULL AFTER hold_share`],
  ['offers', 'settled_at', `DATETIME(3) NULL AFTER sent_at`],
  ['trade_items', 'offer_id', `BIGINT UNSIGNED NULL AFTER trade_id`],
  ['trade_items', 'new_context_id', `INT UNSIGNED NULL AFTER new_asset_id`],
  ['ledger', 'protected_until', `DATETIME(3) NULL AFTER ref_id`],
  ['ledger', 'note', `VARCHAR(255) NULL AFTER protected_until`],
  ['balances', 'debt', `BIGINT NOT NULL DEFAULT 0 CHECK (debt >= 0) AFTER amount`],
];

const indexes: Array<[string, string, string]> = [
  ['trades', 'ix_trades_user', 'user_id, id'],
  ['trade_items', 'ix_trade_items_offer', 'offer_id'],
  ['ledger', 'ix_ledger_protected', 'user_id, protected_until'],
];

export const migration = stepMigration(
  [
    ...columns.map(([t, c, d]) => addColumn(t, c, d)),
    // A deposit's offer has no bot until the tradebot picks one.
    { sql: `ALTER TABLE offers MODIFY COLUMN bot_id INT UNSIGNED NULL` },
    ...indexes.map(([t, i, c]) => addIndex(t, i, c)),
  ],
  [
    ...indexes.map(([t, i]) => dropIndex(t, i)).reverse(),
    { sql: `DELETE FROM offers WHERE bot_id IS NULL` },
    { sql: `ALTER TABLE offers MODIFY COLUMN bot_id INT UNSIGNED NOT NULL` },
    ...columns.map(([t, c]) => dropColumn(t, c)).reverse(),
  ],
);
