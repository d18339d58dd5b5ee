import { createHash, randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { AppError, minorToJson, planTrade, type ItemCategory, type ReceiveItem } from '@platform/core';
import { transact, type MainDatabase } from '@platform/db';
import type { PriceBook } from '@platform/pricing';
import type { BalanceRepository } from '../balance/balance.repository.ts';
import type { UserItemsService } from '../inventory/user-items.service.ts';
import { OutboxWriter } from '../outbox/outbox.ts';
import type { SettlementService } from './settlement.service.ts';
import type { TradeRepository, TradeRow, TradeView } from './trade.repository.ts';

export interface TradeRules {
  reservationSeconds: number;
  maxItemsPerSide: number;
}

export interface TradeServiceDeps {
  db: Kysely<MainDatabase>;
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
  constructor(deps: TradeServiceDeps) {
    this.#d = deps;
  }

  #now(): Date {
    return this.#d.now?.() ?? new Date();
  }

  /** Creates the trade, or answers the one this key created before (`replayed`). */
  async create(
    user: { userId: string; steamId: string },
    req: TradeRequest,
    idempotencyKey: string | undefined,
  ): Promise<{ trade: TradeView; replayed: boolean }> {
    if (!idempotencyKey)
      throw new AppError('IDEMPOTENCY_KEY_REQUIRED', undefined, { field: '/headers/idempotency-key' });
    this.#validate(req);
    const hash = requestHash(req);
    const replay = await this.#replay(user.userId, idempotencyKey, hash);
    if (replay) return { trade: replay, replayed: true };

    const { db } = this.#d;
    const owner = await db
      .selectFrom('users')
      .select(['trade_partner_id', 'trade_token'])
      .where('id', '=', user.userId)
      .executeTakeFirst();
    if (!owner?.trade_partner_id || !owner.trade_token) throw new AppError('TRADE_URL_REQUIRED');
    if (req.receive.length > 0) {
      const { debt } = await this.#d.balances.read(db, user.userId);
      if (debt > 0n) throw new AppError('ACCOUNT_IN_DEBT', undefined, { debt: minorToJson(debt) });
    }

    const now = this.#now();
    const receive = await this.#siteItems(req.receive, now);
    const give = await this.#d.userItems.givable(user, req.give);
    const plan = planTrade(give, receive);
    await this.#checkCapacity(plan.offers, give.length, receive);

    const expiresAt = new Date(now.getTime() + this.#d.rules.reservationSeconds * 1000);
    let tradeId: string;
    try {
      tradeId = await transact(db, async (trx) => {
        const out = new OutboxWriter();
        const t = await trx
          .insertInto('trades')
          .values({
            user_id: user.userId,
            kind: plan.kind,
            state: 'pending',
            verification_code: verificationCode(),
            idempotency_key: idempotencyKey,
            request_hash: hash,
            user_gives_value: plan.giveValue,
            user_receives_value: plan.receiveValue,
            balance_hold: plan.hold,
            balance_delta: plan.balanceDelta,
            expires_at: expiresAt,
          })
          .executeTakeFirstOrThrow();
        const id = String(t.insertId);
        // Reserved first and in asset order: two trades wanting the same items lock them in
        // the same order, so they queue instead of deadlocking; the unique key on active
        // reservations decides who gets each (invariant 1).
        const reserved = [...req.receive].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
        if (reserved.length > 0)
          await trx
            .insertInto('reservations')
            .values(
              reserved.map((assetId) => ({ asset_id: assetId, trade_id: id, reserved_until: expiresAt })),
            )
            .execute();
        if (plan.hold > 0n)
          await this.#d.balances.debit(trx, plan.hold, {
            userId: user.userId,
            reason: 'trade_hold',
            refType: 'trade',
            refId: id,
          });
        for (const o of plan.offers) {
          const offer = await trx
            .insertInto('offers')
            .values({
              trade_id: id,
              bot_id: o.botId,
              state: 'planned',
              give_value: o.giveValue,
              receive_value: o.receiveValue,
              hold_share: o.holdShare,
            })
            .executeTakeFirstOrThrow();
          const offerId = String(offer.insertId);
          const rows = [
            ...give
              .filter((g) => o.give.includes(g.assetId))
              .map((g) => ({
                trade_id: id,
                offer_id: offerId,
                side: 'user_gives' as const,
                asset_id: g.assetId,
                context_id: g.contextId,
                market_hash_name: g.marketHashName,
                price: g.price,
                bot_id: o.botId,
              })),
            ...receive
              .filter((r) => o.receive.includes(r.assetId))
              .map((r) => ({
                trade_id: id,
                offer_id: offerId,
                side: 'user_receives' as const,
                asset_id: r.assetId,
                context_id: r.contextId,
                market_hash_name: r.marketHashName,
                price: r.price,
                bot_id: r.botId,
              })),
          ];
          if (rows.length > 0) await trx.insertInto('trade_items').values(rows).execute();
        }
        const row: TradeRow = {
          id,
          user_id: user.userId,
          kind: plan.kind,
          state: 'pending',
          version: 0,
          cancel_reason: null,
          expires_at: expiresAt,
        };
        if (reserved.length > 0)
          out.event('site-items.reserved', `trade:${id}`, {
            v: 1,
            type: 'site-items.reserved',
            tradeId: id,
            assetIds: reserved,
            reservedUntil: expiresAt.toISOString(),
            at: now.toISOString(),
          });
        await this.#d.settlement.announce(trx, out, row, plan.hold > 0n);
        out.job('trade-execution', 'execute-trade', `trade:${id}`, { v: 1, tradeId: id });
        await out.write(trx);
        return id;
      });
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
      // The same key sent twice at once: the other request created the trade.
      if (isDuplicateKey(err, 'uq_trades_idempotency')) {
        const replayed = await this.#replay(user.userId, idempotencyKey, hash);
        if (replayed) return { trade: replayed, replayed: true };
      }
      throw err;
    }
    this.#d.onCommit();
    const [view] = await this.#d.trades.views(db, [tradeId]);
    if (!view) throw new Error(`trade ${tradeId} vanished after its commit`);
    return { trade: view, replayed: false };
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

  async #replay(userId: string, key: string, hash: string): Promise<TradeView | undefined> {
    const existing = await this.#d.trades.findIdByKey(this.#d.db, userId, key);
    if (!existing) return undefined;
    if (existing.request_hash !== hash)
      throw new AppError('IDEMPOTENCY_KEY_REUSED', undefined, { field: '/headers/idempotency-key' });
    const [view] = await this.#d.trades.views(this.#d.db, [existing.id]);
    return view;
  }

  /**
   * The site items a user asks for, priced at the withdrawal price: each must be on an active
   * bot, tradable now, priced, and not reserved by another trade (the database decides that last
   * point for good when the reservation is written; this check only gives a clear answer early).
   */
  async #siteItems(
    assetIds: string[],
    now: Date,
  ): Promise<Array<ReceiveItem & { marketHashName: string; contextId: number }>> {
    if (assetIds.length === 0) return [];
    const rows = await this.#d.db
      .selectFrom('items as i')
      .innerJoin('bots as b', 'b.id', 'i.bot_id')
      .select([
        'i.asset_id',
        'i.bot_id',
        'i.market_hash_name',
        'i.category',
        'i.context_id',
        'i.tradable',
        'i.tradable_after',
        'b.status',
      ])
      .where('i.asset_id', 'in', assetIds)
      .execute();
    const reserved = new Set(
      (
        await this.#d.db
          .selectFrom('reservations')
          .select('asset_id')
          .where('active_asset_id', 'in', assetIds)
          .execute()
      ).map((r) => r.asset_id),
    );
    const byId = new Map(rows.map((r) => [r.asset_id, r]));
    return assetIds.map((assetId, index) => {
      const row = byId.get(assetId);
      const refuse = (reason: string, message?: string) =>
        new AppError('ITEM_UNAVAILABLE', message, { field: `/body/receive/${index}`, assetId, reason });
      if (!row || row.status !== 'active') throw refuse('gone');
      if (reserved.has(assetId)) throw refuse('reserved');
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
