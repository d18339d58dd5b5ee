import { int, loadSchema, type ConfigOf, type Env, serviceGroups } from '@platform/config';
import { sessionGroup } from '@platform/http';
import { acceptGroup, priceBookGroup } from '@platform/pricing';

export const socketSchema = {
  ...serviceGroups(3020),
  session: sessionGroup(),
  /** Prices of the items in `site:items` `added` (the withdrawal price, as the site inventory shows it). */
  prices: priceBookGroup(),
  accept: acceptGroup(),
  live: {
    /** Reserve/unreserve/add/remove of site items: one `site:items` per window at most (leading and trailing). */
    siteBatchMs: int('SOCKET_SITE_BATCH_MS', 50, { min: 0, max: 5_000 }),
    /** Entries kept per user stream for replay (a client further behind gets `resync`). */
    userStreamLength: int('SOCKET_USER_STREAM_LENGTH', 500, { min: 10, max: 100_000 }),
    /** Entries kept in the site stream for replay. */
    siteStreamLength: int('SOCKET_SITE_STREAM_LENGTH', 5_000, { min: 10, max: 1_000_000 }),
    /** A user's stream is dropped after this long without an event (a client that old resyncs). */
    userStreamTtlSeconds: int('SOCKET_USER_STREAM_TTL_SECONDS', 7 * 86_400, { min: 60 }),
    /** How long an appended event id is remembered, so a redelivery is not appended twice. */
    seenTtlSeconds: int('SOCKET_SEEN_TTL_SECONDS', 900, { min: 10 }),
    /** The polling fallback: how often the outbox is read for events the bus did not deliver. */
    pollMs: int('SOCKET_POLL_MS', 500, { min: 20, max: 60_000 }),
    /**
     * Outbox rows younger than this are read again on the next poll: a row with a lower id can
     * commit after one with a higher id, and the cursor must not pass it before it is visible.
     */
    pollSettleMs: int('SOCKET_POLL_SETTLE_MS', 3_000, { min: 0, max: 600_000 }),
    /** One process at a time sequences events; another takes over within this. */
    leaseMs: int('SOCKET_LEASE_MS', 5_000, { min: 500, max: 120_000 }),
  },
  leaderboard: {
    /** How often the leaderboard is recomputed from the trades table (sent when it changed). */
    intervalMs: int('LEADERBOARD_INTERVAL_MS', 10_000, { min: 100, max: 3_600_000 }),
    /** Volume of completed trades over this window. */
    windowHours: int('LEADERBOARD_WINDOW_HOURS', 24, { min: 1, max: 24 * 90 }),
    size: int('LEADERBOARD_SIZE', 10, { min: 1, max: 100 }),
  },
  limits: {
    /** Open connections from one client IP, per socket process. */
    connectionsPerIp: int('SOCKET_MAX_CONNECTIONS_PER_IP', 50, { min: 1, max: 100_000 }),
    /** Handshakes from one client IP per minute, across every socket process (Redis). */
    handshakesPerIpPerMinute: int('SOCKET_MAX_HANDSHAKES_PER_IP_PER_MINUTE', 120, { min: 1, max: 1_000_000 }),
    /** Messages a client may send per 10 s before it is disconnected (it has little to say). */
    messagesPer10s: int('SOCKET_MAX_CLIENT_MESSAGES_PER_10S', 50, { min: 1, max: 100_000 }),
    /** The largest message a client may send (bytes); bigger closes the connection. */
    maxMessageBytes: int('SOCKET_MAX_MESSAGE_BYTES', 4_096, { min: 256, max: 1_048_576 }),
    /** Bytes waiting to be written to one client; past this the client is slow and disconnected. */
    maxBufferedBytes: int('SOCKET_MAX_BUFFERED_BYTES', 1_048_576, { min: 1_024, max: 268_435_456 }),
    /** How often buffers are checked, and signed-in sockets' sessions revalidated (ms). */
    checkMs: int('SOCKET_CHECK_MS', 1_000, { min: 50, max: 60_000 }),
    sessionCheckMs: int('SOCKET_SESSION_CHECK_MS', 60_000, { min: 100, max: 3_600_000 }),
  },
};

export type SocketConfig = ConfigOf<typeof socketSchema>;

export function loadConfig(env: Env): SocketConfig {
  return loadSchema('socket', socketSchema, env);
}
