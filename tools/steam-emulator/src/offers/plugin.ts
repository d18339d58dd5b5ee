/**
 * Wires trade offers, mobile confirmations and trade history into the emulator app (app.ts registers this).
 * State lives in three persistence slices (`offers`, `trades`, `confirmations`) so it survives a restart.
 */
import type { FastifyPluginCallback } from 'fastify';
import type { World } from '../world/world.ts';
import { ConfirmationService, type ConfirmationDump } from '../confirmations/confirmation.service.ts';
import { registerConfirmationRoutes } from '../confirmations/confirmations.routes.ts';
import { TradeService, type TradeSettings } from '../trade-history/trade.service.ts';
import { TradeStore, type TradeStoreDump } from '../trade-history/trade.store.ts';
import { registerTradeHistoryRoutes } from '../trade-history/trade-history.routes.ts';
import { registerCommunityRoutes } from './community.routes.ts';
import { registerOfferControlRoutes } from './control.routes.ts';
import { registerEconRoutes } from './econ.routes.ts';
import { OfferService } from './offer.service.ts';
import { OfferStore, type OfferStoreDump } from './offer.store.ts';

export const offersPlugin: FastifyPluginCallback<{ world: World }> = (app, { world }, done) => {
  const offerStore = new OfferStore();
  const tradeStore = new TradeStore();
  const confirmations = new ConfirmationService();
  const trades = new TradeService({ world, store: tradeStore });
  const offers = new OfferService({ world, store: offerStore, trades, confirmations, log: app.log });

  // load(undefined) means "world was reset": start empty (world.adoptState).
  world.persistence.register({
    name: 'offers',
    dump: () => offerStore.dump(),
    load: (data) => {
      offers.close();
      if (data === undefined) offerStore.load(new OfferStore().dump());
      else offerStore.load(data as OfferStoreDump);
      offers.rearmPolicies();
    },
  });
  world.persistence.register({
    name: 'trades',
    dump: (): TradeStoreDump & { settings: TradeSettings } => ({
      ...tradeStore.dump(),
      settings: trades.settings,
    }),
    load: (data) => {
      const d = (data ?? {
        ...new TradeStore().dump(),
        settings: { tradeProtection: true },
      }) as TradeStoreDump & {
        settings?: TradeSettings;
      };
      tradeStore.load(d);
      trades.settings.tradeProtection = d.settings?.tradeProtection ?? true;
    },
  });
  world.persistence.register({
    name: 'confirmations',
    dump: () => confirmations.dump(),
    load: (data) => confirmations.load((data ?? new ConfirmationService().dump()) as ConfirmationDump),
  });

  registerCommunityRoutes(app, { world, offers });
  registerEconRoutes(app, { world, offers, store: offerStore });
  registerTradeHistoryRoutes(app, { world, offers, store: tradeStore });
  registerConfirmationRoutes(app, { world, confirmations, offers, offerStore });
  registerOfferControlRoutes(app, { world, offers, offerStore, trades, tradeStore });

  // Time-driven transitions (expiry, escrow release, end of trade protection) are applied lazily before every
  // request, including the inventory routes, so a clock jump shows on the next read of any surface. O(1) unless
  // a deadline passed.
  app.addHook('onRequest', (req, _reply, next) => {
    try {
      offers.sweep();
    } catch (err) {
      req.log.error({ err }, 'offer sweep failed');
    }
    next();
  });
  app.addHook('onClose', (_instance, hookDone) => {
    offers.close();
    hookDone();
  });
  done();
};

// Not encapsulated (what fastify-plugin does): the onRequest sweep above must also run for other plugins' routes.
(offersPlugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
