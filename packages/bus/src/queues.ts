import { array, int, object, oneOf, optionalStr, str, version, ASSET_ID } from './validate.ts';

/**
 * BullMQ queues and the jobs on them. A queue name is its contract: producers and consumers
 * import it from here, and a job's payload is versioned (`v`) and validated when consumed.
 * A new field stays optional until every producer sends it.
 */
export const QUEUES = {
  /** sinv: re-read bot inventories (on a schedule, and after a trade). */
  inventoryRefresh: 'inventory-refresh',
  /** sinv: import the price feed into the pricing database (job scheduler, every 2 minutes by default). */
  pricingImport: 'pricing-import',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const INVENTORY_JOBS = { refreshBot: 'refresh-bot', refreshAll: 'refresh-all' } as const;

/** Re-read one bot. `reason: 'trade'` comes from the tradebot after an offer settles. */
export interface RefreshBotJobV1 {
  v: 1;
  botId: number;
  reason: 'schedule' | 'trade' | 'manual' | 'retry';
  /** The platform trade that moved items, when there is one (for logs). */
  tradeId?: string;
}

export interface RefreshAllJobV1 {
  v: 1;
}

export function parseRefreshBotJob(data: unknown): RefreshBotJobV1 {
  const where = `${QUEUES.inventoryRefresh}/${INVENTORY_JOBS.refreshBot}`;
  const o = object(where, data);
  version(where, o, 1);
  const tradeId = optionalStr(where, o, 'tradeId');
  return {
    v: 1,
    botId: int(where, o, 'botId', { min: 1 }),
    reason: oneOf(where, o, 'reason', ['schedule', 'trade', 'manual', 'retry'] as const),
    ...(tradeId === undefined ? {} : { tradeId }),
  };
}

export function parseRefreshAllJob(data: unknown): RefreshAllJobV1 {
  const where = `${QUEUES.inventoryRefresh}/${INVENTORY_JOBS.refreshAll}`;
  version(where, object(where, data), 1);
  return { v: 1 };
}

export const PRICING_JOBS = { import: 'import' } as const;

export interface PricingImportJobV1 {
  v: 1;
}

export function parsePricingImportJob(data: unknown): PricingImportJobV1 {
  const where = `${QUEUES.pricingImport}/${PRICING_JOBS.import}`;
  version(where, object(where, data), 1);
  return { v: 1 };
}

/** Unused by the queues today; kept beside them so asset id lists in jobs are read one way. */
export function parseAssetIds(where: string, o: Record<string, unknown>, key: string): string[] {
  return array(where, o, key).map((v, i) => {
    if (typeof v !== 'string' || !ASSET_ID.test(v))
      return str(where, { [`${key}/${i}`]: v }, `${key}/${i}`, ASSET_ID);
    return v;
  });
}
