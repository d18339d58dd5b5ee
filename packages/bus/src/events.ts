import { parseAssetIds } from './queues.ts';
import { array, int, object, oneOf, str, version, ASSET_ID, STEAM_ID } from './validate.ts';

/**
 * Pub/sub event payloads (channels are in catalog.ts). Events are at-least-once hints: a
 * consumer that misses one reloads from MySQL or the snapshot.
 */

export interface SiteInventoryItemRef {
  assetId: string;
  contextId: 2 | 16;
  marketHashName: string;
}

export interface SiteInventoryChangedV1 {
  v: 1;
  type: 'site-inventory.changed';
  /** Unique per event, so consumers deduplicate redeliveries. */
  eventId: string;
  botId: number;
  botSteamId: string;
  added: SiteInventoryItemRef[];
  removed: string[];
  at: string;
}

export function parseSiteInventoryChanged(data: unknown): SiteInventoryChangedV1 {
  const where = 'site-inventory.changed';
  const o = object(where, data);
  version(where, o, 1);
  if (o.type !== 'site-inventory.changed') str(where, { type: null }, 'type');
  return {
    v: 1,
    type: 'site-inventory.changed',
    eventId: str(where, o, 'eventId'),
    botId: int(where, o, 'botId', { min: 1 }),
    botSteamId: str(where, o, 'botSteamId', STEAM_ID),
    added: array(where, o, 'added').map((raw, i) => {
      const item = object(`${where} added/${i}`, raw);
      const contextId = int(where, item, 'contextId');
      if (contextId !== 2 && contextId !== 16) str(where, { contextId: null }, 'contextId');
      return {
        assetId: str(where, item, 'assetId', ASSET_ID),
        contextId: contextId as 2 | 16,
        marketHashName: str(where, item, 'marketHashName'),
      };
    }),
    removed: parseAssetIds(where, o, 'removed'),
    at: str(where, o, 'at'),
  };
}

export interface PricesImportedV1 {
  v: 1;
  type: 'prices.imported';
  eventId: string;
  importId: string;
  accepted: number;
  rejected: number;
  at: string;
}

export function parsePricesImported(data: unknown): PricesImportedV1 {
  const where = 'prices.imported';
  const o = object(where, data);
  version(where, o, 1);
  return {
    v: 1,
    type: 'prices.imported',
    eventId: str(where, o, 'eventId'),
    importId: str(where, o, 'importId'),
    accepted: int(where, o, 'accepted', { min: 0 }),
    rejected: int(where, o, 'rejected', { min: 0 }),
    at: str(where, o, 'at'),
  };
}

/**
 * Site items reserved by a trade (backend, in the transaction that creates the trade, through the
 * outbox) or released from it (a trade that ended without its offer accepted, a swept
 * reservation). Search hides reserved items; the socket server tells every browser.
 */
export interface SiteItemsReservedV1 {
  v: 1;
  type: 'site-items.reserved';
  eventId: string;
  tradeId: string;
  assetIds: string[];
  /** When the reservation ends unless an offer is accepted first. */
  reservedUntil: string;
  at: string;
}

export interface SiteItemsReleasedV1 {
  v: 1;
  type: 'site-items.released';
  eventId: string;
  tradeId: string;
  assetIds: string[];
  at: string;
}

export function parseSiteItemsReserved(data: unknown): SiteItemsReservedV1 {
  const where = 'site-items.reserved';
  const o = object(where, data);
  version(where, o, 1);
  if (o.type !== where) str(where, { type: null }, 'type');
  return {
    v: 1,
    type: where,
    eventId: str(where, o, 'eventId'),
    tradeId: str(where, o, 'tradeId', ASSET_ID),
    assetIds: parseAssetIds(where, o, 'assetIds'),
    reservedUntil: str(where, o, 'reservedUntil'),
    at: str(where, o, 'at'),
  };
}

export function parseSiteItemsReleased(data: unknown): SiteItemsReleasedV1 {
  const where = 'site-items.released';
  const o = object(where, data);
  version(where, o, 1);
  if (o.type !== where) str(where, { type: null }, 'type');
  return {
    v: 1,
    type: where,
    eventId: str(where, o, 'eventId'),
    tradeId: str(where, o, 'tradeId', ASSET_ID),
    assetIds: parseAssetIds(where, o, 'assetIds'),
    at: str(where, o, 'at'),
  };
}

/**
 * A trade changed (backend, through the outbox, in order per trade): its whole public view, so
 * the socket server can push it to its owner as is. `version` grows with every change.
 */
export interface TradeUpdatedV1 {
  v: 1;
  type: 'trade.updated';
  eventId: string;
  tradeId: string;
  userId: string;
  version: number;
  /** The trade as GET /api/v1/trades/:id answers it. */
  trade: Record<string, unknown>;
  at: string;
}

export function parseTradeUpdated(data: unknown): TradeUpdatedV1 {
  const where = 'trade.updated';
  const o = object(where, data);
  version(where, o, 1);
  if (o.type !== where) str(where, { type: null }, 'type');
  return {
    v: 1,
    type: where,
    eventId: str(where, o, 'eventId'),
    tradeId: str(where, o, 'tradeId', ASSET_ID),
    userId: str(where, o, 'userId', ASSET_ID),
    version: int(where, o, 'version', { min: 0 }),
    trade: object(`${where} trade`, o.trade),
    at: str(where, o, 'at'),
  };
}

/** A user's balance changed (backend, through the outbox). Amounts in minor units. */
export interface BalanceUpdatedV1 {
  v: 1;
  type: 'balance.updated';
  eventId: string;
  userId: string;
  amount: number;
  protected: number;
  debt: number;
  currency: 'USD';
  at: string;
}

export function parseBalanceUpdated(data: unknown): BalanceUpdatedV1 {
  const where = 'balance.updated';
  const o = object(where, data);
  version(where, o, 1);
  if (o.type !== where) str(where, { type: null }, 'type');
  return {
    v: 1,
    type: where,
    eventId: str(where, o, 'eventId'),
    userId: str(where, o, 'userId', ASSET_ID),
    amount: int(where, o, 'amount', { min: 0 }),
    protected: int(where, o, 'protected', { min: 0 }),
    debt: int(where, o, 'debt', { min: 0 }),
    currency: oneOf(where, o, 'currency', ['USD'] as const),
    at: str(where, o, 'at'),
  };
}

/**
 * Something the user must know about one of their trades that is not a state change (api.md
 * `trade:notice`): an offer canceled or replaced by someone other than the user or the site (the
 * API-key scam: a stolen key cancels the bot's offer and sends a look-alike), a reversal.
 */
export interface TradeNoticeV1 {
  v: 1;
  type: 'trade.notice';
  eventId: string;
  tradeId: string;
  userId: string;
  kind: 'offer_canceled_elsewhere' | 'offer_replaced' | 'trade_reversed' | 'offer_held';
  message: string;
  at: string;
}

export function parseTradeNotice(data: unknown): TradeNoticeV1 {
  const where = 'trade.notice';
  const o = object(where, data);
  version(where, o, 1);
  if (o.type !== where) str(where, { type: null }, 'type');
  return {
    v: 1,
    type: where,
    eventId: str(where, o, 'eventId'),
    tradeId: str(where, o, 'tradeId', ASSET_ID),
    userId: str(where, o, 'userId', ASSET_ID),
    kind: oneOf(where, o, 'kind', [
      'offer_canceled_elsewhere',
      'offer_replaced',
      'trade_reversed',
      'offer_held',
    ] as const),
    message: str(where, o, 'message'),
    at: str(where, o, 'at'),
  };
}
