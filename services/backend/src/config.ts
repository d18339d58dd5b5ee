import {
  int,
  loadSchema,
  oneOf,
  optionalUrl,
  str,
  type ConfigOf,
  type Env,
  serviceGroups,
  url,
} from '@platform/config';
import { sessionGroup } from '@platform/http';
import { acceptGroup, priceBookGroup } from '@platform/pricing';

export const backendSchema = {
  ...serviceGroups(3000),
  session: sessionGroup(),
  /** The same prices, spreads and acceptance rules as inventory (packages/pricing). */
  prices: priceBookGroup(),
  accept: acceptGroup(),
  trades: {
    /** How long a trade's site items stay reserved for it (issue 11: 6–15 minutes). */
    reservationSeconds: int('TRADE_RESERVATION_SECONDS', 600, { min: 360, max: 900 }),
    /** Items per side of one trade. */
    maxItemsPerSide: int('TRADE_MAX_ITEMS', 50, { min: 1, max: 200 }),
    /** What a user gives is checked against their inventory read from Steam at most this long ago. */
    inventoryMaxAgeMs: int('TRADE_INVENTORY_MAX_AGE_MS', 120_000, { min: 0, max: 3_600_000 }),
    /** Steam's CS2 trade protection (steam.md §4.8): credit from items received is protected this long. */
    protectionDays: int('TRADE_PROTECTION_DAYS', 7, { min: 0, max: 30 }),
    /** How often reservations past their end are looked for. */
    sweepIntervalMs: int('TRADE_SWEEP_INTERVAL_MS', 5_000, { min: 100 }),
    /** How often the outbox relay looks for events to publish when nothing woke it. */
    outboxPollMs: int('OUTBOX_POLL_MS', 50, { min: 5, max: 10_000 }),
  },
  search: {
    /**
     * `memory`: an index in each worker, loaded from MySQL and fed by bus events (one machine);
     * `opensearch`: OPENSEARCH_URL's cluster (beyond one machine). Decisions: 0005.
     */
    adapter: oneOf('SEARCH_ADAPTER', ['memory', 'opensearch'] as const, 'memory'),
    /** How often the in-process index is compared with MySQL (repairs a missed event). */
    reconcileMs: int('SEARCH_RECONCILE_MS', 30_000, { min: 1_000, max: 3_600_000 }),
    /** Serialized answers kept per worker (0: none), valid until the index changes or the TTL ends. */
    cacheEntries: int('SEARCH_CACHE_ENTRIES', 1_000, { min: 0, max: 100_000 }),
    cacheTtlMs: int('SEARCH_CACHE_TTL_MS', 1_000, { min: 0, max: 60_000 }),
    opensearchUrl: optionalUrl('OPENSEARCH_URL', { protocols: ['http:', 'https:'], secret: true }),
    /** The alias searches read; each reindex writes a new index behind it. */
    opensearchIndex: str('OPENSEARCH_INDEX', 'site-items', { pattern: /^[a-z0-9][a-z0-9_-]{0,100}$/ }),
  },
  cinv: {
    /** cinv's internal routes (users' inventories as Steam gives them). */
    url: url('CINV_URL', 'http://127.0.0.1:3011', { protocols: ['http:', 'https:'] }),
    timeoutMs: int('CINV_TIMEOUT_MS', 20_000, { min: 100, max: 120_000 }),
  },
};

export type BackendConfig = ConfigOf<typeof backendSchema>;

export function loadConfig(env: Env): BackendConfig {
  return loadSchema('backend', backendSchema, env);
}
