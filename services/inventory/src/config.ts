import {
  bool,
  devOnly,
  type ConfigOf,
  type Env,
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
import { acceptGroup, priceBookGroup } from '@platform/pricing';

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
    communityUrl: devOnly(
      url('STEAM_COMMUNITY_URL', 'http://127.0.0.1:3090', { protocols: ['http:', 'https:'] }),
      {
        why: 'the local Steam emulator; set https://steamcommunity.com',
      },
    ),
    timeoutMs: int('STEAM_TIMEOUT_MS', 15_000, { min: 500, max: 120_000 }),
  },
  bots: {
    /** Where sinv gets each bot's steamLoginSecure cookie: the emulator's control API, or Redis (written by the tradebot). */
    sessionSource: devOnly(oneOf('BOT_SESSION_SOURCE', ['emulator', 'redis', 'none'] as const, 'emulator'), {
      why: "the Steam emulator's control API; set redis (the tradebot's sessions)",
      refused: ['emulator'],
    }),
    /** Development: fill the bots table from the emulator's bot accounts when sinv starts. */
    seedFromEmulator: devOnly(bool('EMULATOR_SEED_BOTS', false), {
      why: 'copying the Steam emulator’s accounts into the bots table',
      refused: ['true', '1', 'yes', 'on'],
      mustSet: false,
    }),
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
    feedUrl: devOnly(
      url('PRICE_FEED_URL', 'http://127.0.0.1:3090/_emulator/prices', { protocols: ['http:', 'https:'] }),
      { why: "the Steam emulator's invented prices; set your price feed" },
    ),
    feedFormat: oneOf('PRICE_FEED_FORMAT', ['auto', 'json', 'csv'] as const, 'auto'),
    // Stored in price_imports.source and prices.source, VARCHAR(32).
    feedSource: str('PRICE_FEED_SOURCE', 'emulator', { maxLength: 32 }),
    importIntervalMs: int('PRICE_IMPORT_INTERVAL_MS', 120_000, { min: 5_000 }),
    importTimeoutMs: int('PRICE_IMPORT_TIMEOUT_MS', 30_000, { min: 1_000 }),
    // A running import without a heartbeat this long is taken as cut off (its process died).
    abandonAfterMs: int('PRICE_IMPORT_ABANDON_AFTER_MS', 60_000, { min: 1_000 }),
    maxRejectPercent: int('PRICE_IMPORT_MAX_REJECT_PERCENT', 50, { min: 0, max: 100 }),
  },
  prices: priceBookGroup(),
  accept: acceptGroup(),
  cinv: {
    /** Served without asking Steam while younger than this. */
    freshMs: int('CINV_CACHE_FRESH_MS', 60_000, { min: 0 }),
    /** Kept (and served while revalidating) until this age. */
    ttlMs: int('CINV_CACHE_TTL_MS', 900_000, { min: 1_000 }),
    /** `fresh=1` is honoured at most once per this interval per requester (user, or IP); 0 = always. */
    forceMinIntervalMs: int('CINV_FRESH_MIN_INTERVAL_MS', 30_000, { min: 0 }),
    /** Steam reads anonymous requests may cause per CINV_ANON_WINDOW_MS: all together, and per IP. */
    anonymousGlobalPerWindow: int('CINV_ANON_STEAM_READS', 600, { min: 0 }),
    anonymousPerIpPerWindow: int('CINV_ANON_STEAM_READS_PER_IP', 10, { min: 0 }),
    anonymousWindowMs: int('CINV_ANON_WINDOW_MS', 60_000, { min: 1_000 }),
    /** Per process: parsed inventories (bytes of their JSON) and encoded answers kept in memory. */
    memoryCacheBytes: int('CINV_MEMORY_CACHE_BYTES', 64 * 1024 * 1024, { min: 0 }),
    responseCacheBytes: int('CINV_RESPONSE_CACHE_BYTES', 32 * 1024 * 1024, { min: 0 }),
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
