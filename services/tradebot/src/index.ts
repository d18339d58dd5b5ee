// The tradebot's entry for other workspaces' tests and tools; services never import each other at run time.
export { createTradebot, type Tradebot, type TradebotOptions } from './app.ts';
export { loadConfig, type TradebotConfig } from './config.ts';
export { tradebotService } from './service.ts';
export { assess, pickDepositBot, canTakeWork, type BotCandidate } from './health/tiers.ts';
export { partnerRefusal, parseTradeUrl } from './health/partners.ts';
