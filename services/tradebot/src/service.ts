import type { ServiceDefinition } from '@platform/http';
import { createTradebot } from './app.ts';
import { loadConfig, type TradebotConfig } from './config.ts';

/** The tradebot's process: health, metrics and the bot API on its port, the fleet and the trade worker beside. */
export const tradebotService: ServiceDefinition<TradebotConfig> = {
  name: 'tradebot',
  loadConfig,
  async start(ctx, { listen }) {
    const tradebot = await createTradebot(ctx);
    await tradebot.start();
    await listen(tradebot.app, ctx.config.http.port);
  },
};
