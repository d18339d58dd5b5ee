import type { FastifyInstance } from 'fastify';
import { createServiceApp, createSessionAuth, internalRoutes, type ServiceContext } from '@platform/http';
import { createPrices } from '@platform/pricing';
import { createSiteSearch } from './inventory/site-search.ts';
import { BalanceRepository } from './balance/balance.repository.ts';
import { BalanceService } from './balance/balance.service.ts';
import type { BackendConfig } from './config.ts';
import { CinvClient } from './inventory/cinv.client.ts';
import { UserItemsService } from './inventory/user-items.service.ts';
import { OutboxRelay } from './outbox/outbox.relay.ts';
import { balanceRoutes } from './routes/balance.routes.ts';
import { inventoryRoutes } from './routes/inventory.routes.ts';
import { meRoutes } from './routes/me.routes.ts';
import { settlementRoutes } from './routes/settlement.routes.ts';
import { siteInventoryRoutes } from './routes/site-inventory.routes.ts';
import { statusRoutes } from './routes/status.routes.ts';
import { tradesRoutes } from './routes/trades.routes.ts';
import { SettlementService } from './trades/settlement.service.ts';
import { TradeRepository } from './trades/trade.repository.ts';
import { TradeService } from './trades/trade.service.ts';
import { MeService } from './users/me.service.ts';
import { UserRepository } from './users/user.repository.ts';

export interface BackendOptions {
  /** Epoch milliseconds for session expiry; tests move it. */
  now?: () => number;
}

export type BackendContext = ServiceContext<BackendConfig>;

/**
 * The backend's parts on a service context: the app (never listening; main.ts listens, tests
 * inject) and what runs beside it, started by `start()`: prices, the outbox relay and the
 * reservation sweeper.
 */
export async function createBackend(ctx: BackendContext, opts: BackendOptions = {}) {
  const { config, dbs } = ctx;
  const app = await createServiceApp('backend', ctx);
  statusRoutes(app, ctx);
  // Sessions are written by services/login; here they are only validated (the auth guard).
  const { guard } = createSessionAuth(app, ctx, opts);
  meRoutes(app, { me: new MeService(new UserRepository(dbs.main)), guard });

  const prices = createPrices(ctx);
  const relay = new OutboxRelay({
    db: dbs.main,
    bus: ctx.bus,
    redis: ctx.redis,
    logger: ctx.logger,
    pollMs: config.trades.outboxPollMs,
  });
  const onCommit = () => relay.kick();
  const trades = new TradeRepository();
  const balances = new BalanceRepository();
  const settlement = new SettlementService({
    db: dbs.main,
    trades,
    balances,
    protectionMs: config.trades.protectionDays * 86_400_000,
    onCommit,
  });
  const userItems = new UserItemsService({
    cinv: new CinvClient({
      url: config.cinv.url,
      token: config.internal.token,
      timeoutMs: config.cinv.timeoutMs,
    }),
    enricher: prices.enricher,
    maxAgeMs: config.trades.inventoryMaxAgeMs,
    itemsMovedAt: (userId) => trades.itemsMovedAt(dbs.main, userId),
  });
  const tradeService = new TradeService({
    db: dbs.main,
    dbs,
    trades,
    balances,
    settlement,
    userItems,
    prices: prices.book,
    rules: config.trades,
    onCommit,
  });
  const balance = new BalanceService({ db: dbs.main, balances, onCommit });

  const search = createSiteSearch(ctx, prices);
  siteInventoryRoutes(app, {
    search: search.search,
    ready: () => search.ready(),
    cacheEntries: config.search.cacheEntries,
    cacheTtlMs: config.search.cacheTtlMs,
  });
  inventoryRoutes(app, { userItems, guard });
  tradesRoutes(app, { trades: tradeService, guard });
  balanceRoutes(app, { balance, guard });
  await internalRoutes(app, config.internal.token, (internal) =>
    settlementRoutes(internal, { db: dbs.main, trades, settlement }),
  );

  return {
    app,
    prices,
    relay,
    settlement,
    trades: tradeService,
    balance,
    search,
    /** Prices, the site-inventory search, the relay (one process at a time holds its lease) and the sweeper. */
    async start(): Promise<void> {
      await prices.start();
      search.start();
      relay.start();
      ctx.onClose(() => relay.stop());
      ctx.every(config.trades.sweepIntervalMs, 'reservation sweep', () => sweep(settlement));
      ctx.every(3_600_000, 'outbox prune', () => relay.prune());
    },
  };
}

/** Trades whose reservation ran out: their live offers are canceled, then they expire. */
export async function sweep(settlement: SettlementService): Promise<number> {
  const ids = await settlement.expiredTradeIds();
  for (const id of ids) await settlement.requestCancel(id, 'expiry');
  return ids.length;
}

/** The backend as an app, for tests that need only its routes. */
export async function buildApp(ctx: BackendContext, opts: BackendOptions = {}): Promise<FastifyInstance> {
  return (await createBackend(ctx, opts)).app;
}
