import { Counter, Gauge, type Registry } from 'prom-client';

/** The fleet's series on the service's /metrics (alert on time since the last completed trade). */
export function createTradebotMetrics(registry: Registry) {
  const registers = [registry];
  return {
    bots: new Gauge({
      name: 'tradebot_bots',
      help: 'Bots held by this process, by status, health and tier',
      labelNames: ['status', 'health', 'tier'] as const,
      registers,
    }),
    offers: new Gauge({
      name: 'tradebot_offers',
      help: 'Offers recorded by the fleet, by state (every process sees the same numbers)',
      labelNames: ['state'] as const,
      registers,
    }),
    offersSent: new Counter({ name: 'tradebot_offers_sent_total', help: 'Offers Steam took', registers }),
    offerOutcomes: new Counter({
      name: 'tradebot_offer_outcomes_total',
      help: 'Offers that ended, by how',
      labelNames: ['state', 'reason'] as const,
      registers,
    }),
    steamErrors: new Counter({
      name: 'tradebot_steam_errors_total',
      help: 'Steam call failures, by action and EResult (or kind)',
      labelNames: ['action', 'eresult'] as const,
      registers,
    }),
    logins: new Counter({
      name: 'tradebot_logins_total',
      help: 'Bot logins, by how (login, refresh) and result',
      labelNames: ['how', 'result'] as const,
      registers,
    }),
    sinceLastCompleted: new Gauge({
      name: 'tradebot_seconds_since_last_completed_trade',
      help: 'Seconds since an offer of the fleet was last accepted (alert when trades stop completing)',
      registers,
    }),
    reversals: new Counter({
      name: 'tradebot_reversals_total',
      help: 'Trade reversals found and reported',
      registers,
    }),
  };
}

export type TradebotMetrics = ReturnType<typeof createTradebotMetrics>;
