import { Counter, Histogram, type Registry } from 'prom-client';

/** What operators watch on the inventory service, beside the HTTP metrics every service has. */
export interface InventoryMetrics {
  botRefreshes: Counter<'outcome'>;
  botRefreshSeconds: Histogram;
  itemsChanged: Counter<'change'>;
  priceImportRows: Counter<'result'>;
  userInventoryReads: Counter<'source'>;
  steamRefusals: Counter<'kind'>;
}

export function createInventoryMetrics(registry: Registry): InventoryMetrics {
  const registers = [registry];
  return {
    botRefreshes: new Counter({
      name: 'sinv_bot_refreshes_total',
      help: 'Bot inventory refreshes by outcome (ok, or the Steam error kind)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    botRefreshSeconds: new Histogram({
      name: 'sinv_bot_refresh_duration_seconds',
      help: 'One bot refresh: both contexts read, reconciled, snapshot written',
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
      registers,
    }),
    itemsChanged: new Counter({
      name: 'sinv_items_changed_total',
      help: 'Site inventory rows added, removed and updated by refreshes',
      labelNames: ['change'] as const,
      registers,
    }),
    priceImportRows: new Counter({
      name: 'price_import_rows_total',
      help: 'Price feed rows accepted or rejected',
      labelNames: ['result'] as const,
      registers,
    }),
    userInventoryReads: new Counter({
      name: 'cinv_inventory_reads_total',
      help: 'User inventory reads by where the answer came from',
      labelNames: ['source'] as const,
      registers,
    }),
    steamRefusals: new Counter({
      name: 'cinv_steam_refusals_total',
      help: 'Steam (or fallback) refusals seen by cinv, by kind',
      labelNames: ['kind'] as const,
      registers,
    }),
  };
}
