import { int, type Field } from '@platform/config';
import { ITEM_CATEGORIES, type ItemCategory, type Spread, type SpreadTable } from '@platform/core';

const PERCENT = /^\d{1,3}(\.\d{1,2})?$/;

/**
 * PRICE_SPREADS: `category:buy/sell` pairs in percent of the market price, comma-separated, e.g.
 * `default:90/105,knife:93/104`: on a deposit the site pays 90%, on a withdrawal it charges 105%.
 * `default` applies to categories not listed and must be present.
 */
function spreads(key: string, fallback: string): Field<SpreadTable> {
  const parse = (raw: string): { ok: true; value: SpreadTable } | { ok: false; problem: string } => {
    const table: Partial<Record<ItemCategory | 'default', Spread>> = {};
    for (const part of raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const m = /^([a-z]+):([\d.]+)\/([\d.]+)$/.exec(part);
      const cat = m?.[1];
      if (!m || !cat || !PERCENT.test(m[2] ?? '') || !PERCENT.test(m[3] ?? ''))
        return { ok: false, problem: `${key}: "${part}" is not category:buy/sell in percent` };
      if (cat !== 'default' && !(ITEM_CATEGORIES as readonly string[]).includes(cat))
        return {
          ok: false,
          problem: `${key}: unknown category "${cat}" (one of default, ${ITEM_CATEGORIES.join(', ')})`,
        };
      const buyBps = Math.round(Number(m[2]) * 100);
      const sellBps = Math.round(Number(m[3]) * 100);
      if (buyBps > sellBps) return { ok: false, problem: `${key}: ${cat} would buy above its sell price` };
      table[cat as ItemCategory | 'default'] = { buyBps, sellBps };
    }
    if (!table.default) return { ok: false, problem: `${key} must include a default:buy/sell entry` };
    return { ok: true, value: table as SpreadTable };
  };
  return {
    key,
    secret: false,
    read(env) {
      const raw = env[key]?.trim() || fallback;
      return parse(raw);
    },
  };
}

/**
 * The settings of prices in force, shared by every service that prices items (inventory, the
 * backend's search and trades): the same spreads and acceptance rules everywhere.
 */
export function priceBookGroup() {
  return {
    /** How often each process reloads prices, overrides and the blocklist into memory. */
    bookRefreshMs: int('PRICE_BOOK_REFRESH_MS', 30_000, { min: 1_000 }),
    spreads: spreads(
      'PRICE_SPREADS',
      'default:90/105,knife:93/104,glove:93/104,sticker:80/110,case:85/108,charm:80/110',
    ),
  };
}

/** Deposit acceptance: minimum market price, the most items of one name the site holds. */
export function acceptGroup() {
  return {
    minPriceCents: int('ACCEPT_MIN_PRICE_CENTS', 10, { min: 0 }),
    overstockCap: int('ACCEPT_OVERSTOCK_CAP', 50, { min: 0 }),
    stockRefreshMs: int('ACCEPT_STOCK_REFRESH_MS', 30_000, { min: 1_000 }),
  };
}
