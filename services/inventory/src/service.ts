import type { ServiceDefinition } from '@platform/http';
import { buildCinvApp, buildSinvApp } from './app.ts';
import { loadConfig, type InventoryConfig } from './config.ts';
import { createInventoryMetrics } from './metrics.ts';
import {
  createCinv,
  createPricing,
  createSinv,
  seedBotsFromEmulator,
  type InventoryContext,
} from './runtime.ts';

/** `npm start` launches the emulator beside sinv: give it a minute to answer before seeding bots. */
async function seedBots(ctx: InventoryContext): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const n = await seedBotsFromEmulator(ctx);
      ctx.logger.info({ bots: n }, 'bots seeded from the emulator');
      return;
    } catch (err) {
      if (attempt >= 60) {
        ctx.logger.error(
          { err: (err as Error).message },
          'could not seed bots from the emulator; continuing without',
        );
        return;
      }
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

/**
 * The inventory service: sinv (bots' items, the site snapshot, the price import) and cinv (user
 * inventories), in one process or two (INVENTORY_ROLE), each on its own port.
 */
export const inventoryService: ServiceDefinition<InventoryConfig> = {
  name: 'inventory',
  loadConfig,
  logName: (config) => (config.service.role === 'all' ? 'inventory' : config.service.role),
  retries: (config) => ({
    'inventory-refresh/refresh-bot': {
      attempts: config.sinv.retryAttempts,
      backoff: { type: 'exponential', delay: config.sinv.retryBaseMs },
    },
  }),
  async start(ctx, { listen }) {
    const { role } = ctx.config.service;
    const sinvMetrics = role === 'cinv' ? undefined : createInventoryMetrics(ctx.metricsFor('sinv').registry);
    const pricing = createPricing(ctx, sinvMetrics ? { metrics: sinvMetrics } : {});
    await pricing.start();
    if (role !== 'cinv') {
      if (ctx.config.bots.seedFromEmulator) await seedBots(ctx);
      const sinv = createSinv(ctx, { pricing, ...(sinvMetrics ? { metrics: sinvMetrics } : {}) });
      sinv.jobs.startWorkers();
      // Not awaited: with Redis down at boot, the schedules are written when it returns.
      sinv.jobs
        .startSchedules()
        .catch((err: unknown) =>
          ctx.logger.error({ err }, 'could not schedule the refresh and the price import'),
        );
      await listen(
        await buildSinvApp(ctx, { enricher: pricing.enricher, ...sinv }),
        ctx.config.service.sinvPort,
      );
    }
    if (role !== 'sinv') {
      const metrics = createInventoryMetrics(ctx.metricsFor('cinv').registry);
      const cinv = createCinv(ctx, { metrics });
      await listen(
        await buildCinvApp(ctx, { enricher: pricing.enricher, ...cinv }),
        ctx.config.service.cinvPort,
      );
    }
  },
};
