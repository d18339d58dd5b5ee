import { stepMigration, type Step } from '../steps.ts';

/**
 * The bot fleet (issue 12, services/tradebot). The bot registry gains what the fleet needs: a
 * credentials reference (never the secrets themselves), health computed by the process holding
 * the bot's lease, its heartbeat, and when the trade-protection acknowledgement was done.
 * `bot_offers` is the tradebot's own record of each offer it carries: written before Steam is
 * asked (the intent, invariant 3), with the tag its message carries so a send cut off by a crash
 * is found on Steam instead of being sent again, and what was last reported to the backend.
 * `blocked_partners` complements `allowed_partners` (main 0001).
 */
const addColumn = (column: string, definition: string): Step => ({
  sql: `ALTER TABLE bots ADD COLUMN ${column} ${definition}`,
  unlessExists: { table: 'bots', column },
});
const dropColumn = (column: string): Step => ({
  sql: `ALTER TABLE bots DROP COLUMN ${column}`,
  onlyIfExists: { table: 'bots', column },
});

const columns: Array<[string, string]> = [
  ['credentials_ref', `VARCHAR(255) NULL AFTER display_name`],
  ['health', `VARCHAR(16) NOT NULL DEFAULT 'healthy' AFTER status`],
  ['steam_errors', `INT UNSIGNED NOT NULL DEFAULT 0 AFTER health`],
  ['paused_reason', `VARCHAR(255) NULL AFTER steam_errors`],
  ['protection_acked_at', `DATETIME(3) NULL AFTER paused_reason`],
  ['last_login_at', `DATETIME(3) NULL AFTER protection_acked_at`],
  ['heartbeat_at', `DATETIME(3) NULL AFTER last_login_at`],
  ['lease_owner', `VARCHAR(64) NULL AFTER heartbeat_at`],
];

export const migration = stepMigration(
  [
    ...columns.map(([c, d]) => addColumn(c, d)),
    {
      sql: `CREATE TABLE IF NOT EXISTS blocked_partners (
        steam_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
        note VARCHAR(255) NOT NULL DEFAULT '',
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
      )`,
    },
    {
      sql: `CREATE TABLE IF NOT EXISTS bot_offers (
        offer_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
        trade_id BIGINT UNSIGNED NOT NULL,
        bot_id INT UNSIGNED NOT NULL,
        user_id BIGINT UNSIGNED NOT NULL,
        partner_steam_id BIGINT UNSIGNED NOT NULL,
        trade_url VARCHAR(255) NOT NULL,
        message VARCHAR(128) NOT NULL,
        tag VARCHAR(32) NOT NULL,
        items JSON NOT NULL,
        status VARCHAR(16) NOT NULL,
        steam_offer_id BIGINT UNSIGNED NULL,
        steam_state TINYINT UNSIGNED NULL,
        steam_trade_id BIGINT UNSIGNED NULL,
        expires_at DATETIME(3) NULL,
        cancel_requested TINYINT(1) NOT NULL DEFAULT 0,
        reported VARCHAR(24) NULL,
        end_state VARCHAR(16) NULL,
        end_reason VARCHAR(48) NULL,
        send_attempts INT UNSIGNED NOT NULL DEFAULT 0,
        notice_sent TINYINT(1) NOT NULL DEFAULT 0,
        accepted_at DATETIME(3) NULL,
        reversal_checked_at DATETIME(3) NULL,
        reversed TINYINT(1) NOT NULL DEFAULT 0,
        next_attempt_at DATETIME(3) NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        UNIQUE KEY uq_bot_offers_steam (steam_offer_id),
        KEY ix_bot_offers_bot (bot_id, status),
        KEY ix_bot_offers_trade (trade_id),
        KEY ix_bot_offers_accepted (status, accepted_at)
      )`,
    },
  ],
  [
    { sql: `DROP TABLE IF EXISTS bot_offers` },
    { sql: `DROP TABLE IF EXISTS blocked_partners` },
    ...columns.map(([c]) => dropColumn(c)).reverse(),
  ],
);
