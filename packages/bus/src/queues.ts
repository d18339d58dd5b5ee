import { array, int, object, oneOf, optionalStr, str, version, ASSET_ID } from './validate.ts';

/**
 * Job payloads (queues and their rules are in catalog.ts). A payload is versioned (`v`) and
 * validated when produced and when consumed; a new field stays optional until every producer
 * sends it.
 */

/** Re-read one bot. `reason: 'trade'` comes from the tradebot after an offer settles. */
export interface RefreshBotJobV1 {
  v: 1;
  botId: number;
  reason: 'schedule' | 'trade' | 'manual' | 'retry' | 'start';
  /** The platform trade that moved items, when there is one (for logs). */
  tradeId?: string;
}

export interface RefreshAllJobV1 {
  v: 1;
}

export function parseRefreshBotJob(data: unknown): RefreshBotJobV1 {
  const where = 'inventory-refresh/refresh-bot';
  const o = object(where, data);
  version(where, o, 1);
  const tradeId = optionalStr(where, o, 'tradeId');
  return {
    v: 1,
    botId: int(where, o, 'botId', { min: 1 }),
    reason: oneOf(where, o, 'reason', ['schedule', 'trade', 'manual', 'retry', 'start'] as const),
    ...(tradeId === undefined ? {} : { tradeId }),
  };
}

export function parseRefreshAllJob(data: unknown): RefreshAllJobV1 {
  const where = 'inventory-refresh/refresh-all';
  version(where, object(where, data), 1);
  return { v: 1 };
}

export interface PricingImportJobV1 {
  v: 1;
}

export function parsePricingImportJob(data: unknown): PricingImportJobV1 {
  const where = 'pricing-import/import';
  version(where, object(where, data), 1);
  return { v: 1 };
}

/** Asset id lists in payloads are read one way: decimal strings of up to 20 digits. */
export function parseAssetIds(where: string, o: Record<string, unknown>, key: string): string[] {
  return array(where, o, key).map((v, i) => {
    if (typeof v !== 'string' || !ASSET_ID.test(v))
      return str(where, { [`${key}/${i}`]: v }, `${key}/${i}`, ASSET_ID);
    return v;
  });
}

/** The tradebot carries out a trade (send its offers) or cancels its live offers. */
export interface TradeJobV1 {
  v: 1;
  tradeId: string;
}

export function parseTradeJob(data: unknown): TradeJobV1 {
  const where = 'trade-execution';
  const o = object(where, data);
  version(where, o, 1);
  return { v: 1, tradeId: str(where, o, 'tradeId', ASSET_ID) };
}
