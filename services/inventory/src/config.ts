import {
  bool,
  type ConfigOf,
  type Env,
  type Field,
  int,
  list,
  loadSchema,
  oneOf,
  optionalUrl,
  serviceGroups,
  str,
  url,
} from '@platform/config';
import { sessionGroup } from '@platform/http';
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

// Two roles, two ports (SINV_PORT, CINV_PORT): the shared http group without PORT.
const { http, ...groups } = serviceGroups(0);
const { port: _port, ...sharedHttp } = http;

export const inventorySchema = {
  ...groups,
  http: sharedHttp,
  service: {
    /** sinv, cinv, or both in one process. */
    role: oneOf('INVENTORY_ROLE', ['all', 'sinv', 'cinv'] as const, 'all'),
    sinvPort: int('SINV_PORT', 3010, { min: 0, max: 65535 }),
    cinvPort: int('CINV_PORT', 3011, { min: 0, max: 65535 }),
  },
  /** The login service's sessions, read by cinv's auth guard for /api/v1/me/inventory. */
  session: sessionGroup(),
  steam: {
    /** Steam Community's base URL; the emulator by default so development needs no Steam. */
    communityUrl: url('STEAM_COMMUNITY_URL', 'http://127.0.0.1:3090', { protocols: ['http:', 'https:'] }),
    timeoutMs: int('STEAM_TIMEOUT_MS', 15_000, { min: 500, max: 120_000 }),
  },
  bots: {
    /** Where sinv gets each bot's steamLoginSecure cookie: the emulator's control API, or Redis (written by the tradebot). */
    sessionSource: oneOf('BOT_SESSION_SOURCE', ['emulator', 'redis', 'none'] as const, 'emulator'),
    /** Development: fill the bots table from the emulator's bot accounts when sinv starts. */
    seedFromEmulator: bool('EMULATOR_SEED_BOTS', false),
    emulatorUrl: url('STEAM_EMULATOR_URL', 'http://127.0.0.1:3090', { protocols: ['http:', 'https:'] }),
  },
  sinv: {
    refreshIntervalMs: int('SINV_REFRESH_INTERVAL_MS', 60_000, { min: 1_000 }),
    /** Bots read at once; Steam limits inventories per IP, so keep it modest in production. */
    concurrency: int('SINV_CONCURRENCY', 8, { min: 1, max: 256 }),
    retryAttempts: int('SINV_RETRY_ATTEMPTS', 6, { min: 1, max: 50 }),
    retryBaseMs: int('SINV_RETRY_BASE_MS', 5_000, { min: 10 }),
  },
  pricing: {
    feedUrl: url('PRICE_FEED_URL', 'http://127.0.0.1:3090/_emulator/prices', {
      protocols: ['http:', 'https:'],
    }),
    feedFormat: oneOf('PRICE_FEED_FORMAT', ['auto', 'json', 'csv'] as const, 'auto'),
    // Stored in price_imports.source and prices.source, VARCHAR(32).
    feedSource: str('PRICE_FEED_SOURCE', 'emulator', { maxLength: 32 }),
    importIntervalMs: int('PRICE_IMPORT_INTERVAL_MS', 120_000, { min: 5_000 }),
    importTimeoutMs: int('PRICE_IMPORT_TIMEOUT_MS', 30_000, { min: 1_000 }),
    // A running import without a heartbeat this long is taken as cut off (its process died).
    abandonAfterMs: int('PRICE_IMPORT_ABANDON_AFTER_MS', 60_000, { min: 1_000 }),
    maxRejectPercent: int('PRICE_IMPORT_MAX_REJECT_PERCENT', 50, { min: 0, max: 100 }),
    bookRefreshMs: int('PRICE_BOOK_REFRESH_MS', 30_000, { min: 1_000 }),
    spreads: spreads(
      'PRICE_SPREADS',
      'default:90/105,knife:93/104,glove:93/104,sticker:80/110,case:85/108,charm:80/110',
    ),
  },
  accept: {
    minPriceCents: int('ACCEPT_MIN_PRICE_CENTS', 10, { min: 0 }),
    overstockCap: int('ACCEPT_OVERSTOCK_CAP', 50, { min: 0 }),
    stockRefreshMs: int('ACCEPT_STOCK_REFRESH_MS', 30_000, { min: 1_000 }),
  },
  cinv: {
    /** Served without asking Steam while younger than this. */
    freshMs: int('CINV_CACHE_FRESH_MS', 60_000, { min: 0 }),
    /** Kept (and served while revalidating) until this age. */
    ttlMs: int('CINV_CACHE_TTL_MS', 900_000, { min: 1_000 }),
    /** `fresh=1` is honoured at most once per this interval per inventory. */
    forceMinIntervalMs: int('CINV_FRESH_MIN_INTERVAL_MS', 30_000, { min: 0 }),
    rateLimitMax: int('CINV_RATE_LIMIT_MAX', 30, { min: 1 }),
    rateLimitWindowMs: int('CINV_RATE_LIMIT_WINDOW_MS', 60_000, { min: 1_000 }),
    proxies: list('CINV_PROXIES', []),
    proxyCooldownMs: int('CINV_PROXY_COOLDOWN_MS', 60_000, { min: 0 }),
    /** A second source speaking Steam's inventory shape, asked when Steam refuses (429 on every route, 5xx). */
    fallbackUrl: optionalUrl('CINV_FALLBACK_URL', { protocols: ['http:', 'https:'] }),
  },
};

export type InventoryConfig = ConfigOf<typeof inventorySchema>;

export function loadConfig(env: Env): InventoryConfig {
  return loadSchema('inventory', inventorySchema, env);
}
