import {
  bool,
  devOnly,
  int,
  loadSchema,
  oneOf,
  optionalStr,
  serviceGroups,
  str,
  url,
  type ConfigOf,
  type Env,
} from '@platform/config';

const steamUrl = (key: string, why: string) =>
  devOnly(url(key, 'http://127.0.0.1:3090', { protocols: ['http:', 'https:'] }), { why });

export const tradebotSchema = {
  ...serviceGroups(3100),
  steam: {
    communityUrl: steamUrl('STEAM_COMMUNITY_URL', 'the local Steam emulator; set https://steamcommunity.com'),
    webApiUrl: steamUrl('STEAM_WEB_API_URL', 'the local Steam emulator; set https://api.steampowered.com'),
    timeoutMs: int('STEAM_TIMEOUT_MS', 15_000, { min: 500, max: 120_000 }),
  },
  login: {
    /** How bots log in: the emulator's session surface, or steam-session (production). */
    mode: devOnly(oneOf('BOT_LOGIN', ['emulator', 'steam-session'] as const, 'emulator'), {
      why: 'the Steam emulator’s login; set steam-session',
      refused: ['emulator'],
    }),
    /** Where bot secrets come from: the emulator's control API, or a JSON file (production). */
    credentials: devOnly(oneOf('BOT_CREDENTIALS', ['emulator', 'file'] as const, 'emulator'), {
      why: 'the Steam emulator’s accounts; set file',
      refused: ['emulator'],
    }),
    credentialsFile: optionalStr('BOT_CREDENTIALS_FILE'),
    emulatorUrl: url('STEAM_EMULATOR_URL', 'http://127.0.0.1:3090', { protocols: ['http:', 'https:'] }),
    /** The address this process logs in from: the per-IP budget's key (one per proxy/egress IP). */
    ip: str('BOT_LOGIN_IP', 'local', { maxLength: 64 }),
    perIp: int('BOT_LOGIN_PER_IP', 20, { min: 1 }),
    global: int('BOT_LOGIN_GLOBAL', 60, { min: 1 }),
    windowMs: int('BOT_LOGIN_WINDOW_MS', 60_000, { min: 1_000 }),
    /** steam.md §5: after 84/87 wait ~30 min without retrying; doubles while refused. */
    backoffMs: int('BOT_LOGIN_BACKOFF_MS', 1_800_000, { min: 100 }),
    maxBackoffMs: int('BOT_LOGIN_MAX_BACKOFF_MS', 14_400_000, { min: 100 }),
  },
  backend: {
    /** The backend's settlement API (internal, INTERNAL_TOKEN). */
    url: url('BACKEND_URL', 'http://127.0.0.1:3000', { protocols: ['http:', 'https:'] }),
    timeoutMs: int('BACKEND_TIMEOUT_MS', 10_000, { min: 100 }),
  },
  fleet: {
    /** A bot's lease; a dead process's bots are taken over within this long. */
    leaseMs: int('TRADEBOT_LEASE_MS', 15_000, { min: 1_000 }),
    /** At most this many bots in one process. */
    maxBots: int('TRADEBOT_MAX_BOTS', 500, { min: 1 }),
    heartbeatMs: int('TRADEBOT_HEARTBEAT_MS', 5_000, { min: 100 }),
    /** Stable id of this process in leases and logs (default host:pid:random). */
    processId: optionalStr('TRADEBOT_PROCESS_ID'),
  },
  offers: {
    /** How often each bot's sent offers are polled (incremental, with the historical cutoff). */
    pollMs: int('TRADEBOT_POLL_MS', 10_000, { min: 50 }),
    /** While a bot has an offer sent in the last minute, it is polled this often. */
    hotPollMs: int('TRADEBOT_HOT_POLL_MS', 250, { min: 20 }),
    /** Every offer of every bot, whatever its state (TOM's pollFullUpdateInterval, steam.md §4.9). */
    fullSweepMs: int('TRADEBOT_FULL_SWEEP_MS', 120_000, { min: 100 }),
    /** How often the process looks for work (offers to send, cancel, report). */
    dispatchMs: int('TRADEBOT_DISPATCH_MS', 200, { min: 10 }),
    /** A send that may have happened (EResult 2/11/16, a timeout, a crash) is looked up this long before it is sent again. */
    sendGraceMs: int('TRADEBOT_SEND_GRACE_MS', 3_000, { min: 0 }),
    /** Completed trades are checked for a reversal this often while Steam may still reverse them. */
    reversalCheckMs: int('TRADEBOT_REVERSAL_CHECK_MS', 600_000, { min: 100 }),
    protectionDays: int('TRADE_PROTECTION_DAYS', 7, { min: 0, max: 30 }),
    workerConcurrency: int('TRADEBOT_WORKER_CONCURRENCY', 8, { min: 1, max: 256 }),
  },
  health: {
    /** The seed's tiers: under 850 of 1,000 very good, under 900 good, else bad (of a bot's capacity). */
    veryGoodBelow: int('TIER_VERY_GOOD_BELOW', 850, { min: 1 }),
    goodBelow: int('TIER_GOOD_BELOW', 900, { min: 1 }),
    of: int('TIER_OF', 1_000, { min: 1 }),
    /** Steam errors in this window make a bot unhealthy past `unhealthyErrors` (half of it: one tier down). */
    errorWindowMs: int('BOT_ERROR_WINDOW_MS', 300_000, { min: 1_000 }),
    unhealthyErrors: int('BOT_UNHEALTHY_ERRORS', 10, { min: 1 }),
  },
  partners: {
    /** Only partners on the allowed list get offers (a closed beta, a partner integration). */
    allowedOnly: bool('PARTNERS_ALLOWED_ONLY', false),
    /** Refuse partners whose trades Steam would hold (steam.md §4.8); allowed partners too. */
    refuseEscrow: bool('REFUSE_ESCROW', true),
  },
};

export type TradebotConfig = ConfigOf<typeof tradebotSchema>;

export function loadConfig(env: Env): TradebotConfig {
  return loadSchema('tradebot', tradebotSchema, env);
}
