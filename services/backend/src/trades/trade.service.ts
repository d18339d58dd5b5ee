import { createHash, randomInt, randomUUID } from 'node:crypto';
import type { Compilable, InferResult, Kysely } from 'kysely';
import { sql } from 'kysely';
import {
  AppError,
  minorToJson,
  planTrade,
  toMinor,
  type ItemCategory,
  type ReceiveItem,
  type TradePlan,
} from '@platform/core';
import { IdGenerator, type Databases, type MainDatabase, type PricingDatabase } from '@platform/db';
import type { PriceBook } from '@platform/pricing';
import type { BalanceRepository } from '../balance/balance.repository.ts';
import type { GivenItem, UserItemsService } from '../inventory/user-items.service.ts';
import { OutboxWriter } from '../outbox/outbox.ts';
import type { SettlementService } from './settlement.service.ts';
import { newTradeScript, type TradeRepository, type TradeView } from './trade.repository.ts';

export interface TradeRules {
  reservationSeconds: number;
  maxItemsPerSide: number;
}

export interface TradeServiceDeps {
  db: Kysely<MainDatabase>;
  /** For the creation's one-round-trip transaction (Databases.script). */
  dbs: Pick<Databases<MainDatabase, PricingDatabase>, 'script' | 'reads'>;
  trades: TradeRepository;
  balances: BalanceRepository;
  settlement: SettlementService;
  userItems: UserItemsService;
  prices: PriceBook;
  rules: TradeRules;
  onCommit: () => void;
  now?: () => Date;
}

export interface TradeRequest {
  give: string[];
  receive: string[];
}

const ASSET_ID = /^[1-9]\d{0,19}$/;
/** No 0/O, 1/I/L: a code a person reads from a Steam offer's message and compares by eye. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

function verificationCode(): string {
  let code = '';
  for (let i = 0; i < 6; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

/** Same items in any order is the same request: a retry sends what it sent before. */
function requestHash(req: TradeRequest): string {
  const canonical = JSON.stringify({ give: [...req.give].sort(), receive: [...req.receive].sort() });
  return createHash('sha256').update(canonical).digest('base64url');
}

function duplicateAssetOf(err: unknown): string | undefined {
  const e = err as { code?: string; sqlMessage?: string; message?: string };
  if (e.code !== 'ER_DUP_ENTRY') return undefined;
  const text = e.sqlMessage ?? e.message ?? '';
  if (!/uq_reservations_active/.test(text)) return undefined;
  return /Duplicate entry '(\d+)'/.exec(text)?.[1] ?? '';
}

function isDeadlock(err: unknown): boolean {
  return (err as { errno?: number }).errno === 1213;
}

/** The balance's CHECK (amount >= 0) refused the hold: MariaDB 4025, MySQL 8 3819. */
function isBalanceCheck(err: unknown): boolean {
  const e = err as { errno?: number; sqlMessage?: string; message?: string };
  return (
    (e.errno === 4025 || e.errno === 3819) && /ck_balances_non_negative/.test(e.sqlMessage ?? e.message ?? '')
  );
}

function isDuplicateKey(err: unknown, key: string): boolean {
  const e = err as { code?: string; sqlMessage?: string; message?: string };
  return e.code === 'ER_DUP_ENTRY' && (e.sqlMessage ?? e.message ?? '').includes(key);
}

/**
 * Creating, reading and canceling a user's trades. Nothing the client sends about value is
 * used: both sides are priced here from the pricing database (invariant 6), what the user gives
 * is checked against their Steam inventory, and the reservation, the balance hold, the trade and
 * its outbox rows are written in one transaction (invariants 1, 2 and 4).
 */
export class TradeService {
  readonly #d: TradeServiceDeps;
  readonly #ids = new IdGenerator();
  constructor(deps: TradeServiceDeps) {
    this.#d = deps;
  }

  #now(): Date {
    return this.#d.now?.() ?? new Date();
  }

  /**
   * Creates the trade, or answers the one this key created before (`replayed`). The hot path of
   * the platform: two reads before the transaction (the user with their balance and this key's
   * trade; the site items with their reservations), then one transaction of single statements,
   * and the answer built from what was written rather than read back.
   */
  async create(
    user: { userId: string; steamId: string },
    req: TradeRequest,
    idempotencyKey: string | undefined,
  ): Promise<{ trade: TradeView; replayed: boolean }> {
    if (!idempotencyKey)
      throw new AppError('IDEMPOTENCY_KEY_REQUIRED', undefined, { field: '/headers/idempotency-key' });
    this.#validate(req);
    const hash = requestHash(req);
    const { db, dbs } = this.#d;
    // Both reads in one round trip.
    const ownerQuery = db
      .selectFrom('users as u')
      .leftJoin('balances as b', 'b.user_id', 'u.id')
      .leftJoin('trades as t', (j) =>
        j.onRef('t.user_id', '=', 'u.id').on('t.idempotency_key', '=', idempotencyKey),
      )
      .select(['u.trade_partner_id', 'u.trade_token', 'b.debt', 't.id as existing', 't.request_hash'])
      .where('u.id', '=', user.userId);
    const itemsQuery = siteItemsQuery(db, req.receive);
    const [ownerRows, itemRows] = await dbs.reads([
      compiled(ownerQuery),
      ...(req.receive.length > 0 ? [compiled(itemsQuery)] : []),
    ]);
    const owner = ownerRows?.[0] as InferResult<typeof ownerQuery>[number] | undefined;
    if (owner?.existing)
      return { trade: await this.#replayed(owner.existing, owner.request_hash, hash), replayed: true };
    if (!owner?.trade_partner_id || !owner.trade_token) throw new AppError('TRADE_URL_REQUIRED');
    if (req.receive.length > 0 && owner.debt && toMinor(owner.debt) > 0n)
      throw new AppError('ACCOUNT_IN_DEBT', undefined, { debt: minorToJson(toMinor(owner.debt)) });

    const now = this.#now();
    const receive = this.#pricedSiteItems(req.receive, (itemRows ?? []) as SiteItemRow[], now);
    const give = await this.#d.userItems.givable(user, req.give);
    const plan = planTrade(give, receive);
    // No balance row is a balance of zero (a row is never deleted, so this cannot change).
    if (plan.hold > 0n && owner.debt === null) throw new AppError('INSUFFICIENT_BALANCE');
    await this.#checkCapacity(plan.offers, give.length, receive);

    const expiresAt = new Date(now.getTime() + this.#d.rules.reservationSeconds * 1000);
    // Reserved in asset order: two trades wanting the same items lock them in the same order, so
    // they queue instead of deadlocking; the unique key on active reservations decides who gets
    // each (invariant 1).
    const reserve = [...req.receive].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    for (let attempt = 1; ; attempt++) {
      const id = this.#ids.next();
      const offers = plan.offers.map((o) => ({ ...o, id: this.#ids.next() }));
      const view = tradeView({
        id,
        plan,
        code: verificationCode(),
        now,
        expiresAt,
        give,
        receive,
        offers: offers.map((o) => ({
          id: o.id,
          steamOfferId: null,
          state: 'planned',
          give: o.give,
          receive: o.receive,
        })),
      });
      const out = new OutboxWriter();
      if (reserve.length > 0)
        out.event('site-items.reserved', `trade:${id}`, {
          v: 1,
          type: 'site-items.reserved',
          tradeId: id,
          assetIds: reserve,
          reservedUntil: expiresAt.toISOString(),
          at: now.toISOString(),
        });
      out.event('trade.updated', `trade:${id}`, {
        v: 1,
        type: 'trade.updated',
        tradeId: id,
        userId: user.userId,
        version: 0,
        trade: view as unknown as Record<string, unknown>,
        at: now.toISOString(),
      });
      out.job('trade-execution', 'execute-trade', `trade:${id}`, { v: 1, tradeId: id });
      const script = newTradeScript({
        id,
        userId: user.userId,
        kind: plan.kind,
        verificationCode: view.verificationCode,
        idempotencyKey,
        requestHash: hash,
        giveValue: plan.giveValue,
        receiveValue: plan.receiveValue,
        hold: plan.hold,
        balanceDelta: plan.balanceDelta,
        expiresAt,
        createdAt: now,
        reserve,
        offers: offers.map((o) => ({
          id: o.id,
          botId: o.botId,
          giveValue: o.giveValue,
          receiveValue: o.receiveValue,
          holdShare: o.holdShare,
        })),
        items: offers.flatMap((o) => [
          ...give
            .filter((g) => o.give.includes(g.assetId))
            .map((g) => ({ offerId: o.id, side: 'user_gives' as const, ...g, botId: o.botId })),
          ...receive
            .filter((r) => o.receive.includes(r.assetId))
            .map((r) => ({ offerId: o.id, side: 'user_receives' as const, ...r })),
        ]),
        outbox: out.rows,
        ...(plan.hold > 0n ? { balanceEvent: { eventId: randomUUID(), at: now } } : {}),
      });
      try {
        await dbs.script(script);
      } catch (err) {
        const asset = duplicateAssetOf(err);
        if (asset !== undefined) {
          const index = req.receive.indexOf(asset);
          throw new AppError('ITEM_UNAVAILABLE', 'An item you want was just taken by another trade.', {
            ...(index >= 0 ? { field: `/body/receive/${index}` } : {}),
            assetId: asset,
            reason: 'reserved',
          });
        }
        if (isBalanceCheck(err)) throw new AppError('INSUFFICIENT_BALANCE');
        // The same key sent twice at once: the other request created the trade.
        if (isDuplicateKey(err, 'uq_trades_idempotency')) {
          const existing = await this.#d.trades.findIdByKey(db, user.userId, idempotencyKey);
          if (existing)
            return { trade: await this.#replayed(existing.id, existing.request_hash, hash), replayed: true };
        }
        // A deadlock victim was rolled back whole; an id that met another process's is new next time.
        if ((isDeadlock(err) || isDuplicateKey(err, 'PRIMARY')) && attempt < 5) continue;
        throw err;
      }
      this.#d.onCommit();
      return { trade: view, replayed: false };
    }
  }

  async #replayed(tradeId: string, storedHash: string | null, hash: string): Promise<TradeView> {
    if (storedHash !== hash)
      throw new AppError('IDEMPOTENCY_KEY_REUSED', undefined, { field: '/headers/idempotency-key' });
    const [view] = await this.#d.trades.views(this.#d.db, [tradeId]);
    if (!view) throw new AppError('NOT_FOUND', 'There is no such trade.');
    return view;
  }

  async get(userId: string, tradeId: string): Promise<TradeView> {
    const owner = await this.#d.db
      .selectFrom('trades')
      .select('user_id')
      .where('id', '=', tradeId)
      .executeTakeFirst();
    // Another user's trade is answered like a missing one: ids tell nothing.
    if (!owner || owner.user_id !== userId) throw new AppError('NOT_FOUND', 'There is no such trade.');
    const [view] = await this.#d.trades.views(this.#d.db, [tradeId]);
    if (!view) throw new AppError('NOT_FOUND', 'There is no such trade.');
    return view;
  }

  async list(userId: string, limit: number, cursor: string | undefined) {
    const ids = await this.#d.trades.listIds(this.#d.db, userId, limit + 1, cursor);
    const page = ids.slice(0, limit);
    return {
      items: await this.#d.trades.views(this.#d.db, page),
      nextCursor: ids.length > limit ? (page.at(-1) ?? null) : null,
    };
  }

  async cancel(userId: string, tradeId: string): Promise<TradeView> {
    await this.#d.settlement.requestCancel(tradeId, 'user', userId);
    return this.get(userId, tradeId);
  }

  #validate(req: TradeRequest): void {
    if (req.give.length === 0 && req.receive.length === 0) throw new AppError('EMPTY_TRADE');
    const max = this.#d.rules.maxItemsPerSide;
    for (const side of ['give', 'receive'] as const) {
      if (req[side].length > max)
        throw new AppError(
          'TOO_MANY_ITEMS',
          `A trade carries at most ${max} items on each side; split it into several trades.`,
          {
            field: `/body/${side}`,
            max,
          },
        );
    }
    const seen = new Set<string>();
    for (const side of ['give', 'receive'] as const) {
      req[side].forEach((assetId, i) => {
        if (!ASSET_ID.test(assetId))
          throw new AppError('VALIDATION_FAILED', 'An asset id is a number (as a string).', {
            field: `/body/${side}/${i}`,
          });
        if (seen.has(assetId))
          throw new AppError('VALIDATION_FAILED', 'An item appears twice in this trade.', {
            field: `/body/${side}/${i}`,
          });
        seen.add(assetId);
      });
    }
  }

  /**
   * The site items a user asks for, priced at the withdrawal price: each must be on an active
   * bot, tradable now, priced, and not reserved by another trade (the database decides that last
   * point for good when the reservation is written; this check only gives a clear answer early).
   */
  #pricedSiteItems(
    assetIds: string[],
    rows: SiteItemRow[],
    now: Date,
  ): Array<ReceiveItem & { marketHashName: string; contextId: number }> {
    const byId = new Map(rows.map((r) => [r.asset_id, r]));
    return assetIds.map((assetId, index) => {
      const row = byId.get(assetId);
      const refuse = (reason: string, message?: string) =>
        new AppError('ITEM_UNAVAILABLE', message, { field: `/body/receive/${index}`, assetId, reason });
      if (!row || row.status !== 'active') throw refuse('gone');
      if (row.reservation !== null) throw refuse('reserved');
      if (row.tradable !== 1 || (row.tradable_after !== null && row.tradable_after.getTime() > now.getTime()))
        throw refuse('trade_locked', 'An item you want cannot be traded yet.');
      const price = this.#d.prices.priceOf(row.market_hash_name, row.category as ItemCategory, now);
      if (!price) throw refuse('no_price', 'An item you want has no price right now.');
      return {
        assetId,
        botId: row.bot_id,
        price: price.withdraw,
        marketHashName: row.market_hash_name,
        contextId: row.context_id,
      };
    });
  }

  /**
   * Room for what the user gives: a deposit needs an active bot with room for it (the tradebot
   * picks which); a swap's items go to the bot of its main offer, which must have room for them
   * beyond what it sends away.
   */
  async #checkCapacity(
    offers: ReturnType<typeof planTrade>['offers'],
    giving: number,
    receive: ReadonlyArray<ReceiveItem>,
  ): Promise<void> {
    if (giving === 0) return;
    const main = offers.find((o) => o.give.length > 0);
    if (!main) return;
    if (main.botId === null) {
      const bot = await this.#d.db
        .selectFrom('bots')
        .select('id')
        .where('status', '=', 'active')
        .where(sql<boolean>`item_count + ${giving} <= capacity`)
        .executeTakeFirst();
      if (!bot) throw new AppError('NO_BOT_AVAILABLE', undefined, { reason: 'no_room' });
      return;
    }
    const leaving = receive.filter((r) => r.botId === main.botId).length;
    const bot = await this.#d.db
      .selectFrom('bots')
      .select(['item_count', 'capacity'])
      .where('id', '=', main.botId)
      .executeTakeFirst();
    if (!bot || bot.item_count - leaving + giving > bot.capacity)
      throw new AppError(
        'NO_BOT_AVAILABLE',
        'The bot holding these items has no room for yours; trade them separately.',
        {
          reason: 'no_room',
        },
      );
  }
}

/** The view of a trade just created, from what was written (TradeRepository.views reads the same). */
function tradeView(t: {
  id: string;
  plan: TradePlan;
  code: string;
  now: Date;
  expiresAt: Date;
  give: GivenItem[];
  receive: Array<{ assetId: string; marketHashName: string; price: bigint }>;
  offers: TradeView['offers'];
}): TradeView {
  const side = (xs: Array<{ assetId: string; marketHashName: string; price: bigint }>) =>
    xs.map((x) => ({ assetId: x.assetId, marketHashName: x.marketHashName, price: minorToJson(x.price) }));
  return {
    id: t.id,
    type: t.plan.kind,
    state: 'pending',
    give: side(t.give),
    receive: side(t.receive),
    giveValue: minorToJson(t.plan.giveValue),
    receiveValue: minorToJson(t.plan.receiveValue),
    balanceDelta: minorToJson(t.plan.balanceDelta),
    hold: minorToJson(t.plan.hold),
    currency: 'USD',
    verificationCode: t.code,
    expiresAt: t.expiresAt.toISOString(),
    createdAt: t.now.toISOString(),
    updatedAt: t.now.toISOString(),
    completedAt: null,
    reason: null,
    offers: t.offers,
  };
}

/** A Kysely query as a statement for Databases.reads/script. */
function compiled(q: Compilable): { sql: string; values: unknown[] } {
  const c = q.compile();
  return { sql: c.sql, values: [...c.parameters] };
}

/** The site items a user asks for, with their bot's status and any active reservation. */
function siteItemsQuery(db: Kysely<MainDatabase>, assetIds: string[]) {
  return db
    .selectFrom('items as i')
    .innerJoin('bots as b', 'b.id', 'i.bot_id')
    .leftJoin('reservations as r', 'r.active_asset_id', 'i.asset_id')
    .select([
      'i.asset_id',
      'i.bot_id',
      'i.market_hash_name',
      'i.category',
      'i.context_id',
      'i.tradable',
      'i.tradable_after',
      'b.status',
      'r.id as reservation',
    ])
    .where('i.asset_id', 'in', assetIds.length > 0 ? assetIds : ['0']);
}

type SiteItemRow = InferResult<ReturnType<typeof siteItemsQuery>>[number];
