import type { FastifyInstance } from 'fastify';
import { AccountStatus, createServiceApp, SessionStore, type ServiceContext } from '@platform/http';
import { createRedis } from '@platform/db';
import { createPrices } from '@platform/pricing';
import type { SocketConfig } from './config.ts';
import { LiveHub } from './live/hub.ts';
import { LeaderboardRepository } from './live/leaderboard.repository.ts';
import { Sequencer } from './live/sequencer.ts';
import { SiteItemsRepository } from './live/site-items.repository.ts';
import { StreamRepository } from './live/stream.repository.ts';

export type SocketContext = ServiceContext<SocketConfig>;

/** Most entries one reconnecting client is replayed per stream; further behind it resyncs. */
const REPLAY_MAX = 1_000;

/**
 * The socket server's parts on a service context: the HTTP app (health, readiness, metrics)
 * with Socket.IO on its server at /socket.io, and the sequencer that turns bus events into the
 * replayable streams. `start()` loads prices and starts the sequencer; the app is listened on
 * by the caller (main.ts, or a test on port 0).
 */
export async function createSocketServer(ctx: SocketContext) {
  const { config, dbs, bus, logger } = ctx;
  const app = await createServiceApp('socket', ctx);
  app.get('/', { schema: { hide: true } }, () => ({ service: 'socket', path: '/socket.io' }));
  const streams = new StreamRepository(ctx.redis, bus.keys, {
    userLength: config.live.userStreamLength,
    siteLength: config.live.siteStreamLength,
    userTtlMs: config.live.userStreamTtlSeconds * 1000,
    seenTtlMs: config.live.seenTtlSeconds * 1000,
  });
  // The adapter's subscriber: its own connection, waiting out Redis outages and resubscribing;
  // on a cluster each sharded channel is subscribed on the node of its slot.
  const subscriber = createRedis(
    config.redis,
    { enableOfflineQueue: true, maxRetriesPerRequest: null, lazyConnect: false },
    { shardedSubscribers: true },
  );
  subscriber.on('error', (err: Error) =>
    logger.warn({ err: err.message }, 'socket adapter subscriber error'),
  );
  const hub = new LiveHub({
    server: app.server,
    redis: ctx.redis,
    subscriber,
    keys: bus.keys,
    logger,
    streams,
    sessions: new SessionStore(ctx.redis, { keyPrefix: config.redis.keyPrefix, ...config.session }),
    accounts: new AccountStatus(dbs.main, { cacheMs: config.session.cacheMs }),
    cookieName: config.session.cookieName,
    allowedOrigins: config.session.allowedOrigins,
    trustProxy: config.http.trustProxy,
    limits: config.limits,
    replayMax: REPLAY_MAX,
    registry: ctx.metricsFor('socket').registry,
  });
  const prices = createPrices(ctx);
  const sequencer = new Sequencer({
    db: dbs.main,
    redis: ctx.redis,
    bus,
    logger,
    streams,
    siteItems: new SiteItemsRepository(dbs.main, prices.book),
    leaderboard: new LeaderboardRepository(dbs.main),
    fanout: (m) => hub.fanout(m),
    live: config.live,
    board: config.leaderboard,
  });
  app.addHook('preClose', async () => {
    await sequencer.stop();
    await hub.close();
  });
  app.addHook('onClose', () => {
    subscriber.disconnect();
  });
  return {
    app,
    hub,
    sequencer,
    streams,
    prices,
    async start(): Promise<void> {
      await prices.start();
      await hub.start();
      await sequencer.start();
    },
  };
}

export type SocketServer = Awaited<ReturnType<typeof createSocketServer>>;

/** The app alone (tests that need only its HTTP edges). */
export async function buildApp(ctx: SocketContext): Promise<FastifyInstance> {
  return (await createSocketServer(ctx)).app;
}
