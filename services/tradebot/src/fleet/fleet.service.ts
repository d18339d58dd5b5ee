import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Bus, RedisKeys } from '@platform/bus';
import type { Kysely } from 'kysely';
import type { MainDatabase, Redis } from '@platform/db';
import type { Logger } from '@platform/observability';
import {
  BotSession,
  LoginLimiter,
  type LimiterStore,
  type SteamAuthPort,
  type SteamTradePort,
} from '@platform/steam';
import type { TradebotConfig } from '../config.ts';
import type { BackendClient } from '../execution/backend.client.ts';
import { assess, type BotCandidate } from '../health/tiers.ts';
import type { TradebotMetrics } from '../metrics.ts';
import type { BotRecord, BotRepository } from './bot.repository.ts';
import { BotRuntime } from './bot.runtime.ts';
import type { CredentialsSource } from './credentials.ts';
import type { BotLeases } from './lease.ts';

export interface FleetDeps {
  config: TradebotConfig;
  db: Kysely<MainDatabase>;
  redis: Redis;
  keys: RedisKeys;
  repo: BotRepository;
  leases: BotLeases;
  processId: string;
  auth: SteamAuthPort;
  steam: SteamTradePort;
  credentials: CredentialsSource;
  limiterStore: LimiterStore;
  backend: BackendClient;
  bus: Bus;
  logger: Logger;
  metrics: TradebotMetrics;
}

export function newProcessId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** Login limiter counters in Redis, shared by every tradebot process (single-key commands). */
export class RedisLimiterStore implements LimiterStore {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  constructor(redis: Redis, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }
  async hit(key: string, windowMs: number): Promise<number> {
    const k = this.#keys.tradebot.login(key);
    const n = await this.#redis.incr(k);
    if (n === 1) await this.#redis.pexpire(k, windowMs);
    return n;
  }
  async blockedUntil(key: string): Promise<number> {
    return Number((await this.#redis.get(this.#keys.tradebot.login(`block:${key}`))) ?? 0);
  }
  async block(key: string, untilMs: number): Promise<void> {
    const ms = Math.max(1, untilMs - Date.now());
    await this.#redis.set(this.#keys.tradebot.login(`block:${key}`), String(untilMs), 'PX', ms);
  }
}

/**
 * The bots this process holds. Every few seconds it renews its leases, counts the live
 * processes and takes its share of the fleet (bots whose lease ran out, a dead process's among
 * them), giving back what is beyond its share so N processes split the fleet. Every dispatch tick
 * it reads the open offers of its bots in one query and hands each bot its own; every heartbeat
 * it marks its bots alive and writes their tier and health for routing.
 */
export class Fleet {
  readonly #d: FleetDeps;
  readonly runtimes = new Map<number, BotRuntime>();
  readonly #limiter: LoginLimiter;
  #timers: NodeJS.Timeout[] = [];
  #claiming: Promise<void> | undefined;
  #dispatching = false;
  #stopped = false;
  #lastHealth = new Map<number, string>();

  constructor(d: FleetDeps) {
    this.#d = d;
    const l = d.config.login;
    this.#limiter = new LoginLimiter(d.limiterStore, {
      perIp: l.perIp,
      global: l.global,
      windowMs: l.windowMs,
      backoffMs: l.backoffMs,
      maxBackoffMs: l.maxBackoffMs,
    });
  }

  get processId(): string {
    return this.#d.processId;
  }

  owns(botId: number): boolean {
    return this.runtimes.has(botId);
  }

  start(): void {
    const { fleet, offers } = this.#d.config;
    const every = (ms: number, what: string, fn: () => Promise<unknown>) => {
      const t = setInterval(() => {
        fn().catch((err: unknown) =>
          this.#d.logger.warn({ err: (err as Error).message, task: what }, `${what} failed`),
        );
      }, ms);
      t.unref();
      this.#timers.push(t);
    };
    every(Math.max(200, Math.floor(fleet.leaseMs / 3)), 'claim', () => this.claim());
    every(offers.dispatchMs, 'dispatch', () => this.dispatch());
    every(fleet.heartbeatMs, 'heartbeat', () => this.heartbeat());
    void this.claim().catch((err: unknown) =>
      this.#d.logger.warn({ err: (err as Error).message }, 'first claim failed'),
    );
  }

  /** Renews, claims its share, gives back the rest. */
  claim(): Promise<void> {
    this.#claiming ??= this.#claim().finally(() => {
      this.#claiming = undefined;
    });
    return this.#claiming;
  }

  async #claim(): Promise<void> {
    if (this.#stopped) return;
    const { leases, repo, config, logger } = this.#d;
    for (const id of [...this.runtimes.keys()]) {
      if (!(await leases.renew(id))) {
        logger.warn({ bot: id }, 'lost the lease of a bot; letting it go');
        await this.#drop(id, false);
      }
    }
    const live = await leases.heartbeat(config.fleet.leaseMs);
    const bots = await repo.bots();
    const share = Math.min(config.fleet.maxBots, Math.ceil(bots.length / live));
    // Beyond its share (another process joined): give back bots with nothing in flight first.
    if (this.runtimes.size > share) {
      const open = new Set((await repo.openOffers([...this.runtimes.keys()])).map((r) => r.bot_id));
      const extra = [...this.runtimes.keys()].sort((a, b) => Number(open.has(a)) - Number(open.has(b)));
      for (const id of extra.slice(0, this.runtimes.size - share)) await this.#drop(id, true);
    }
    const free = bots.filter((b) => !this.runtimes.has(b.id));
    // Shuffled: processes starting together do not all race for the same bots.
    for (let i = free.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [free[i], free[j]] = [free[j]!, free[i]!];
    }
    for (const bot of free) {
      if (this.runtimes.size >= share || this.#stopped) break;
      if (await leases.acquire(bot.id)) await this.#adopt(bot);
    }
  }

  async #adopt(bot: BotRecord): Promise<void> {
    const d = this.#d;
    const creds = await d.credentials.get(bot).catch(async (err: unknown) => {
      d.logger.error(
        { bot: bot.id, err: (err as Error).message },
        'no credentials for a bot; not holding it',
      );
      await d.leases.release(bot.id);
      return undefined;
    });
    if (!creds) return;
    const session = new BotSession({
      creds,
      auth: d.auth,
      limiter: this.#limiter,
      ip: d.config.login.ip,
      onSession: async (s, how) => {
        d.metrics.logins.inc({ how, result: 'ok' });
        // sinv reads the bot's inventory with this cookie (owner view, packages/bus keys).
        const ttl = Math.max(60_000, s.accessTokenExpiresAt - Date.now());
        await d.redis.set(d.keys.botSession(bot.steamId), s.steamLoginSecure, 'PX', ttl);
        await d.repo.markLogin(bot.id, new Date());
      },
      onLoginFailure: (err) => d.metrics.logins.inc({ how: 'login', result: err.label }),
    });
    const rt = new BotRuntime({
      bot,
      session,
      steam: d.steam,
      repo: d.repo,
      backend: d.backend,
      bus: d.bus,
      logger: d.logger,
      metrics: d.metrics,
      config: d.config,
      knownAssetIds: async (botId) =>
        new Set(
          (await d.db.selectFrom('items').select('asset_id').where('bot_id', '=', botId).execute()).map(
            (r) => r.asset_id,
          ),
        ),
    });
    this.runtimes.set(bot.id, rt);
    await d.repo.heartbeat([bot.id], d.processId, new Date());
    d.logger.info({ bot: bot.id, steamId: bot.steamId }, 'holding a bot');
  }

  async #drop(id: number, release: boolean): Promise<void> {
    const rt = this.runtimes.get(id);
    this.runtimes.delete(id);
    await rt?.stop();
    if (release) await this.#d.leases.release(id);
    await this.#d.repo.released(id, this.#d.processId);
  }

  /** One query for every held bot's open offers; each bot gets its own. */
  async dispatch(): Promise<void> {
    if (this.#dispatching || this.#stopped || this.runtimes.size === 0) return;
    this.#dispatching = true;
    try {
      const rows = await this.#d.repo.openOffers([...this.runtimes.keys()]);
      const byBot = new Map<number, typeof rows>();
      for (const r of rows) byBot.set(r.bot_id, [...(byBot.get(r.bot_id) ?? []), r]);
      for (const [id, rt] of this.runtimes) rt.tick(byBot.get(id) ?? []);
    } finally {
      this.#dispatching = false;
    }
  }

  kick(botId: number): void {
    this.runtimes.get(botId)?.kick();
    void this.dispatch().catch(() => undefined);
  }

  /** Liveness and health: held bots marked alive; tier and health recomputed and written when they change. */
  async heartbeat(): Promise<void> {
    const { repo, config, metrics, processId } = this.#d;
    const ids = [...this.runtimes.keys()];
    const now = Date.now();
    await repo.heartbeat(ids, processId, new Date(now));
    metrics.bots.reset();
    for (const b of await repo.bots(ids)) {
      const rt = this.runtimes.get(b.id);
      if (!rt) continue;
      rt.bot = { ...rt.bot, status: b.status, itemCount: b.itemCount, capacity: b.capacity };
      const errors = rt.errors.count(now);
      const h = assess(b.itemCount, b.capacity, errors, config.health);
      const key = `${h.tier}/${h.health}/${errors}`;
      if (this.#lastHealth.get(b.id) !== key || b.tier !== h.tier || b.health !== h.health) {
        await repo.setHealth(b.id, { tier: h.tier, health: h.health, steamErrors: errors });
        this.#lastHealth.set(b.id, key);
      }
      metrics.bots.inc({ status: b.status, health: h.health, tier: h.tier });
    }
  }

  /** Every bot that may take a deposit, fleet-wide (other processes' bots too), with what is on its way. */
  async candidates(): Promise<BotCandidate[]> {
    const { repo, config } = this.#d;
    const [bots, incoming] = await Promise.all([repo.bots(), repo.incoming()]);
    const fresh = Date.now() - Math.max(3 * config.fleet.heartbeatMs, config.fleet.leaseMs);
    return bots.map((b) => ({
      id: b.id,
      status: b.status,
      health: b.health,
      tier: b.tier,
      itemCount: b.itemCount,
      capacity: b.capacity,
      incoming: incoming.get(b.id) ?? 0,
      live: (b.heartbeatAt?.getTime() ?? 0) >= fresh,
    }));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearInterval(t);
    await this.#claiming;
    for (const id of [...this.runtimes.keys()]) await this.#drop(id, true);
    await this.#d.leases.leave();
  }
}
