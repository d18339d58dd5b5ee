/**
 * Every Redis key the platform writes, in one place (the list in docs/architecture.md follows
 * this file). Keys start with the deployment's prefix (REDIS_KEY_PREFIX, no braces), so several
 * deployments can share one Redis.
 *
 * Redis Cluster: a MULTI, a Lua script or a multi-key command (MGET, a BullMQ script) must touch
 * keys of one hash slot. Keys used together carry the same hash tag, the part in `{...}`:
 * - a user's sessions and the set indexing them: `{u:<userId>}` (created, listed and revoked atomically);
 * - one cached user inventory and its version, lock and negative-answer keys: `{cinv:<steamId>}`;
 * - the site snapshot (one value per bot, read in batches with MGET): `{sinv}`;
 * - each BullMQ queue: `{<queue>}` in its prefix (BullMQ's scripts touch many keys of one queue).
 * - a user's live-update stream, its sequence, its delivered-event marks and trade versions:
 *   `{su:<userId>}`; the site's stream and sequence: `{ssite}` (one script appends atomically).
 * Keys never used together (rate-limit counters, login state, bot sessions) have no tag and spread
 * over the cluster.
 */
export function redisKeys(prefix: string) {
  return {
    prefix,
    sessions: {
      /** One session, by the sha256 of its token (a Redis dump holds no usable credential). */
      session: (userId: string, handle: string) => `${prefix}{u:${userId}}:session:${handle}`,
      /** Sorted set of the user's session handles (score: absolute expiry). */
      userSessions: (userId: string) => `${prefix}{u:${userId}}:sessions`,
    },
    login: {
      /** A sign-in in progress, by the sha256 of its state. */
      state: (stateHash: string) => `${prefix}login:state:${stateHash}`,
      /** An OpenID nonce already used, by its sha256. */
      nonce: (nonceHash: string) => `${prefix}login:nonce:${nonceHash}`,
    },
    cinv: {
      inventory: (steamId: string) => `${prefix}{cinv:${steamId}}:inv`,
      /** The cached inventory's fetchedAt: a small key read before the large one. */
      version: (steamId: string) => `${prefix}{cinv:${steamId}}:at`,
      /** A cached "private" or "unknown" answer. */
      negative: (steamId: string) => `${prefix}{cinv:${steamId}}:neg`,
      /** One background revalidation at a time across workers. */
      lock: (steamId: string) => `${prefix}{cinv:${steamId}}:lock`,
      /** `fresh=1` per requester (a user id or an IP): one Steam read per interval each. */
      fresh: (requester: string) => `${prefix}cinv:fresh:${requester}`,
      /** Anonymous Steam reads in one window, across every cinv process. */
      anonymousBudget: (window: number) => `${prefix}cinv:anon-budget:${window}`,
      /** Anonymous Steam reads caused by one IP in one window. */
      anonymousIp: (ip: string, window: number) => `${prefix}cinv:anon-ip:${ip}:${window}`,
    },
    sinv: {
      /** One bot's binary snapshot (packages/bus site-snapshot.ts). */
      bot: (botId: number) => `${prefix}{sinv}:bot:${botId}`,
      /** Set of bot ids with a snapshot value. */
      bots: () => `${prefix}{sinv}:bots`,
    },
    /** A bot's steamLoginSecure cookie, written by the tradebot, read by sinv. */
    botSession: (steamId: string) => `${prefix}bot:session:${steamId}`,
    /** @fastify/rate-limit's namespace for one service (the plugin appends the client key). */
    rateLimit: (service: string) => `${prefix}rl:${service}:`,
    /** BullMQ's prefix for one queue: its own hash tag, so each queue may live on another node. */
    bullPrefix: (queue: string) => `${prefix}bull:{${queue}}`,
    /** A pub/sub channel (classic PUBLISH reaches subscribers on every cluster node). */
    channel: (name: string) => `${prefix}${name}`,
    /** An event a consumer has handled already (at-least-once delivery, deduplicated by event id). */
    seen: (consumer: string, eventId: string) => `${prefix}seen:${consumer}:${eventId}`,
    /** The socket server's replayable streams (services/socket): each appended by one script. */
    live: {
      /** The user's stream: entry ids are `<seq>-0`, trimmed to a maximum length. */
      userStream: (userId: string) => `${prefix}{su:${userId}}:stream`,
      userSeq: (userId: string) => `${prefix}{su:${userId}}:seq`,
      /** An event already appended to the user's stream (deduplication, short TTL). */
      userSeen: (userId: string, eventId: string) => `${prefix}{su:${userId}}:seen:${eventId}`,
      /** Hash tradeId → the highest trade version appended: an older version is never sent after a newer one. */
      userTradeVersions: (userId: string) => `${prefix}{su:${userId}}:tv`,
      siteStream: () => `${prefix}{ssite}:stream`,
      siteSeq: () => `${prefix}{ssite}:seq`,
      siteSeen: (eventId: string) => `${prefix}{ssite}:seen:${eventId}`,
      /** The outbox id below which the socket server's polling fallback has handled every event. */
      outboxCursor: () => `${prefix}socket:outbox-cursor`,
      /** Socket.IO adapter channels (sharded pub/sub: SPUBLISH to the channel's slot). */
      adapterChannel: () => `${prefix}socket.io`,
      /** Handshakes per client IP in the current window, across socket processes. */
      handshakes: (ip: string, window: number) => `${prefix}socket:hs:${ip}:${window}`,
    },
    /** A lease: one process at a time does this work (the outbox relay, the socket sequencer). */
    lease: (name: string) => `${prefix}lease:${name}`,
    tradebot: {
      /** The process holding a bot (its Steam session, sends and polls); renewed, taken over when it dies. */
      botLease: (botId: number) => `${prefix}lease:bot:${botId}`,
      /** Sorted set of live tradebot processes (score: heartbeat deadline), to share the fleet among them. */
      processes: () => `${prefix}tradebot:procs`,
      /** Login limiter counters and backoffs, shared by every process (per IP, global, per account). */
      login: (key: string) => `${prefix}tradebot:login:${key}`,
    },
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;
