import type { FastifyInstance } from 'fastify';
import { UnrecoverableError } from 'bullmq';
import { redisKeys } from '@platform/bus';
import { createServiceApp, internalRoutes, type ServiceContext } from '@platform/http';
import {
  EmulatorAuth,
  SteamSessionAuth,
  SteamTradeClient,
  type SteamAuthPort,
  type SteamTradePort,
} from '@platform/steam';
import type { TradebotConfig } from './config.ts';
import { BackendClient } from './execution/backend.client.ts';
import { ExecutionService, RetryLater } from './execution/execution.service.ts';
import { BotRepository } from './fleet/bot.repository.ts';
import { EmulatorCredentials, FileCredentials, type CredentialsSource } from './fleet/credentials.ts';
import { Fleet, RedisLimiterStore, newProcessId } from './fleet/fleet.service.ts';
import { BotLeases } from './fleet/lease.ts';
import { createTradebotMetrics } from './metrics.ts';
import { botsRoutes } from './routes/bots.routes.ts';

export type TradebotContext = ServiceContext<TradebotConfig>;

export interface TradebotOptions {
  /** Tests: another Steam login port or client. */
  auth?: SteamAuthPort;
  steam?: SteamTradePort;
  credentials?: CredentialsSource;
  processId?: string;
}

function credentialsOf(config: TradebotConfig): CredentialsSource {
  if (config.login.credentials === 'emulator') return new EmulatorCredentials(config.login.emulatorUrl);
  if (!config.login.credentialsFile) throw new Error('BOT_CREDENTIALS=file needs BOT_CREDENTIALS_FILE');
  return new FileCredentials(config.login.credentialsFile);
}

/**
 * The tradebot's parts on a service context: the app (health, metrics, the internal bot API;
 * never listening), the fleet (leases, bot runtimes) and the trade-execution worker, started by
 * `start()` and stopped by `stop()` (leases given back for the other processes).
 */
export async function createTradebot(ctx: TradebotContext, opts: TradebotOptions = {}) {
  const { config, dbs, redis, logger } = ctx;
  const keys = redisKeys(config.redis.keyPrefix);
  const app: FastifyInstance = await createServiceApp('tradebot', ctx);
  const metrics = createTradebotMetrics(ctx.metricsFor('tradebot').registry);
  const repo = new BotRepository(dbs.main);
  const processId = opts.processId ?? config.fleet.processId ?? newProcessId();
  const steam =
    opts.steam ??
    new SteamTradeClient({
      communityUrl: config.steam.communityUrl,
      webApiUrl: config.steam.webApiUrl,
      timeoutMs: config.steam.timeoutMs,
    });
  const auth =
    opts.auth ??
    (config.login.mode === 'emulator'
      ? new EmulatorAuth({ emulatorUrl: config.login.emulatorUrl, timeoutMs: config.steam.timeoutMs })
      : new SteamSessionAuth({ timeoutMs: config.steam.timeoutMs }));
  const backend = new BackendClient({
    url: config.backend.url,
    token: config.internal.token,
    timeoutMs: config.backend.timeoutMs,
  });
  const fleet = new Fleet({
    config,
    db: dbs.main,
    redis,
    keys,
    repo,
    leases: new BotLeases({ redis, keys, owner: processId, leaseMs: config.fleet.leaseMs }),
    processId,
    auth,
    steam,
    credentials: opts.credentials ?? credentialsOf(config),
    limiterStore: new RedisLimiterStore(redis, keys),
    backend,
    bus: ctx.bus,
    logger,
    metrics,
  });
  const execution = new ExecutionService({
    config,
    repo,
    backend,
    logger,
    candidates: () => fleet.candidates(),
    kick: (botId) => fleet.kick(botId),
  });
  await internalRoutes(app, config.internal.token, (internal) => botsRoutes(internal, { repo, fleet }));

  const job = (fn: (tradeId: string) => Promise<string>) => async (p: { tradeId: string }) => {
    try {
      return await fn(p.tradeId);
    } catch (err) {
      if (err instanceof RetryLater)
        logger.info({ trade: p.tradeId, why: err.message }, 'trade waits; retrying later');
      // A trade the backend does not know will not appear later.
      if ((err as { status?: number }).status === 404) throw new UnrecoverableError((err as Error).message);
      throw err;
    }
  };

  let started = false;
  return {
    app,
    fleet,
    execution,
    repo,
    metrics,
    processId,
    start(): Promise<void> {
      if (started) return Promise.resolve();
      started = true;
      fleet.start();
      ctx.worker(
        'trade-execution',
        {
          'execute-trade': job((id) => execution.execute(id)),
          'cancel-trade': job((id) => execution.cancel(id)),
        },
        { concurrency: config.offers.workerConcurrency },
      );
      ctx.every(Math.max(1_000, config.fleet.heartbeatMs), 'offer metrics', async () => {
        metrics.offers.reset();
        for (const c of await repo.offerCounts()) metrics.offers.set({ state: c.status }, c.n);
        const last = await repo.lastAcceptedAt();
        if (last) metrics.sinceLastCompleted.set((Date.now() - last.getTime()) / 1000);
      });
      ctx.onClose(() => fleet.stop());
      return Promise.resolve();
    },
  };
}

export type Tradebot = Awaited<ReturnType<typeof createTradebot>>;
