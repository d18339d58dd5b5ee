/**
 * Kysely table types. 64-bit ids and money are BIGINT columns read back as decimal strings
 * (the pool sets bigNumberStrings), written as string or bigint: never a JS number.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** A BIGINT: read as a decimal string, written as a string or bigint. */
export type Int64 = ColumnType<string, string | bigint, string | bigint>;
export type GeneratedInt64 = ColumnType<string, string | bigint | undefined, never>;
type CreatedAt = ColumnType<Date, Date | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | undefined, Date | undefined>;
/** JSON columns: MariaDB stores JSON as text, so they are written as serialized strings. */
type Json<T> = ColumnType<T, string, string>;

export interface UsersTable {
  id: GeneratedInt64;
  steam_id: Int64;
  persona_name: Generated<string>;
  avatar_url: Generated<string>;
  trade_partner_id: number | null;
  trade_token: string | null;
  banned_at: Date | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface BalancesTable {
  user_id: Int64;
  amount: Int64;
  /** What a reversal took back beyond the balance (main 0005); withdrawals wait until it is 0. */
  debt: Generated<string>;
  updated_at: UpdatedAt;
}

export interface LedgerTable {
  id: GeneratedInt64;
  user_id: Int64;
  delta: Int64;
  balance_after: Int64;
  reason: string;
  ref_type: string;
  ref_id: string;
  /** Credit from items received: trade-protected until this time (main 0005). */
  protected_until: Date | null;
  /** Why, in words, for adjustments by an operator (main 0005). */
  note: string | null;
  created_at: CreatedAt;
}

export type BotTier = 'very_good' | 'good' | 'bad';
export type BotStatus = 'active' | 'paused' | 'disabled' | 'error';

export interface BotsTable {
  id: Generated<number>;
  steam_id: Int64;
  account_name: string;
  display_name: Generated<string>;
  tier: Generated<BotTier>;
  status: Generated<BotStatus>;
  capacity: Generated<number>;
  item_count: Generated<number>;
  inventory_refreshed_at: Date | null;
  /** The error kind of the last failed refresh (main 0002); null after a good one. */
  inventory_failure: string | null;
  inventory_failed_at: Date | null;
  inventory_failures: Generated<number>;
  /** Where the tradebot finds the bot's secrets (main 0007): `emulator:<steamid>`, `file:<account>`. */
  credentials_ref: string | null;
  /** healthy | unhealthy (recent Steam errors) | offline (no process holds its lease). */
  health: Generated<string>;
  steam_errors: Generated<number>;
  paused_reason: string | null;
  protection_acked_at: Date | null;
  last_login_at: Date | null;
  heartbeat_at: Date | null;
  lease_owner: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ItemsTable {
  id: GeneratedInt64;
  asset_id: Int64;
  context_id: Generated<number>;
  bot_id: number;
  class_id: Int64;
  instance_id: Int64;
  market_hash_name: string;
  name: Generated<string>;
  type: Generated<string>;
  rarity: Generated<string>;
  /** Pricing category (core ItemCategory), main 0002. */
  category: Generated<string>;
  exterior: string | null;
  float_value: number | null;
  paint_seed: number | null;
  stickers: Json<unknown> | null;
  attributes: Json<unknown> | null;
  tradable_after: Date | null;
  tradable: Generated<number>;
  casket_asset_id: Int64 | null;
  stale: Generated<number>;
  first_seen_at: CreatedAt;
  updated_at: UpdatedAt;
}

export type TradeKind = 'deposit' | 'withdraw' | 'swap';

/** The icon per Steam class (main 0002): the same for every asset of the class. */
export interface ItemClassesTable {
  class_id: Int64;
  icon_url: string;
  updated_at: UpdatedAt;
}

export interface TradesTable {
  id: GeneratedInt64;
  user_id: Int64;
  kind: TradeKind;
  state: string;
  idempotency_key: string;
  user_gives_value: Int64;
  user_receives_value: Int64;
  balance_hold: Int64;
  /** G − R: what the balance changes by when every offer is accepted (main 0005). */
  balance_delta: ColumnType<string, string | bigint | undefined, string | bigint>;
  failure_code: string | null;
  verification_code: Generated<string>;
  /** sha256 (base64url) of the request, to tell a retry from a reused Idempotency-Key. */
  request_hash: Generated<string>;
  /** When the reservation ends (main 0005). */
  expires_at: Date | null;
  cancel_reason: 'user' | 'expiry' | null;
  completed_at: Date | null;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface TradeItemsTable {
  id: GeneratedInt64;
  trade_id: Int64;
  /** The planned offer that carries the item (main 0005). */
  offer_id: Int64 | null;
  side: 'user_gives' | 'user_receives';
  asset_id: Int64;
  context_id: Generated<number>;
  market_hash_name: string;
  price: Int64;
  bot_id: number | null;
  new_asset_id: Int64 | null;
  new_context_id: number | null;
}

export interface ReservationsTable {
  id: GeneratedInt64;
  asset_id: Int64;
  trade_id: Int64;
  created_at: CreatedAt;
  /** When the reservation ends unless an offer was accepted (main 0003). */
  reserved_until: Date;
  released_at: Date | null;
  active_asset_id: ColumnType<string | null, never, never>;
}

export interface OffersTable {
  id: GeneratedInt64;
  trade_id: Int64;
  /** null while a deposit's offer waits for the tradebot to pick its bot (main 0005). */
  bot_id: number | null;
  steam_offer_id: Int64 | null;
  state: string;
  steam_state: number | null;
  steam_trade_id: Int64 | null;
  give_value: ColumnType<string, string | bigint | undefined, string | bigint>;
  receive_value: ColumnType<string, string | bigint | undefined, string | bigint>;
  /** The part of the balance held for this offer (core settlement.ts). */
  hold_share: ColumnType<string, string | bigint | undefined, string | bigint>;
  end_reason: string | null;
  created_at: CreatedAt;
  sent_at: Date | null;
  settled_at: Date | null;
  updated_at: UpdatedAt;
}

export interface OutboxTable {
  id: GeneratedInt64;
  event_id: string;
  topic: string;
  aggregate_id: string;
  payload: Json<unknown>;
  created_at: CreatedAt;
  published_at: Date | null;
}

export interface SettingsTable {
  name: string;
  value: Json<unknown>;
  updated_by: string | null;
  updated_at: UpdatedAt;
}

export interface AllowedPartnersTable {
  steam_id: Int64;
  note: Generated<string>;
  created_at: CreatedAt;
}

export interface BlockedPartnersTable {
  steam_id: Int64;
  note: Generated<string>;
  created_at: CreatedAt;
}

/** The tradebot's record of each offer it carries (main 0007). */
export interface BotOffersTable {
  offer_id: Int64;
  trade_id: Int64;
  bot_id: number;
  user_id: Int64;
  partner_steam_id: Int64;
  trade_url: string;
  message: string;
  /** The reference the offer's message carries (found again on Steam after a crash). */
  tag: string;
  items: Json<{
    give: Array<{ assetId: string; contextId: string }>;
    receive: Array<{ assetId: string; contextId: string }>;
  }>;
  /** queued → sending → sent → accepted | ended. */
  status: string;
  steam_offer_id: Int64 | null;
  steam_state: number | null;
  steam_trade_id: Int64 | null;
  expires_at: Date | null;
  cancel_requested: Generated<number>;
  reported: string | null;
  end_state: string | null;
  end_reason: string | null;
  send_attempts: Generated<number>;
  notice_sent: Generated<number>;
  accepted_at: Date | null;
  reversal_checked_at: Date | null;
  reversed: Generated<number>;
  next_attempt_at: Date | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface MainDatabase {
  users: UsersTable;
  balances: BalancesTable;
  ledger: LedgerTable;
  bots: BotsTable;
  items: ItemsTable;
  item_classes: ItemClassesTable;
  trades: TradesTable;
  trade_items: TradeItemsTable;
  reservations: ReservationsTable;
  offers: OffersTable;
  outbox: OutboxTable;
  settings: SettingsTable;
  allowed_partners: AllowedPartnersTable;
  blocked_partners: BlockedPartnersTable;
  bot_offers: BotOffersTable;
}

export interface PricesTable {
  market_hash_name: string;
  price: Int64;
  currency: Generated<string>;
  source: string;
  updated_at: UpdatedAt;
}

export interface PriceOverridesTable {
  id: GeneratedInt64;
  market_hash_name: string;
  price: Int64;
  reason: string;
  expires_at: Date | null;
  created_by: string;
  created_at: CreatedAt;
}

export interface PriceHistoryTable {
  id: GeneratedInt64;
  market_hash_name: string;
  price: Int64;
  source: string;
  recorded_at: CreatedAt;
}

/** `abandoned`: its process stopped heartbeating mid-import (killed); pricing 0003. */
export type PriceImportStatus = 'running' | 'ok' | 'partial' | 'refused' | 'failed' | 'abandoned';

export interface PriceImportsTable {
  id: GeneratedInt64;
  source: string;
  url: string;
  format: string;
  status: PriceImportStatus;
  rows_total: Generated<number>;
  rows_accepted: Generated<number>;
  rows_rejected: Generated<number>;
  rows_changed: Generated<number>;
  errors: Json<unknown> | null;
  started_at: CreatedAt;
  /** Written by the server's clock while a live process runs the import. */
  heartbeat_at: UpdatedAt;
  finished_at: Date | null;
}

export interface PriceBlocklistTable {
  market_hash_name: string;
  reason: string;
  created_by: string;
  created_at: CreatedAt;
}

export interface PricingDatabase {
  prices: PricesTable;
  price_overrides: PriceOverridesTable;
  price_history: PriceHistoryTable;
  price_imports: PriceImportsTable;
  price_blocklist: PriceBlocklistTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
