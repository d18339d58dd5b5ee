import { sql, type Kysely, type Transaction } from 'kysely';
import { minorToJson, toMinor, type OfferState, type TradeState } from '@platform/core';
import type { MainDatabase, Statement } from '@platform/db';

type Db = Kysely<MainDatabase> | Transaction<MainDatabase>;

/** api.md's trade, as every route and event shows it. */
export interface TradeView {
  id: string;
  type: 'deposit' | 'withdraw' | 'swap';
  state: TradeState;
  give: Array<{ assetId: string; marketHashName: string; price: number }>;
  receive: Array<{ assetId: string; marketHashName: string; price: number }>;
  giveValue: number;
  receiveValue: number;
  /** What the balance changes by when every offer is accepted. */
  balanceDelta: number;
  /** Held from the balance while the trade runs (core settlement.ts). */
  hold: number;
  currency: 'USD';
  verificationCode: string;
  expiresAt: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  /** Why it ended when it did not complete, e.g. `user`, `expiry`, or an offer's reason. */
  reason: string | null;
  offers: Array<{
    id: string;
    steamOfferId: string | null;
    state: OfferState;
    give: string[];
    receive: string[];
  }>;
}

export interface TradeRow {
  id: string;
  user_id: string;
  kind: 'deposit' | 'withdraw' | 'swap';
  state: string;
  version: number;
  cancel_reason: 'user' | 'expiry' | null;
  expires_at: Date | null;
}

export interface OfferRow {
  id: string;
  trade_id: string;
  bot_id: number | null;
  state: OfferState;
  steam_offer_id: string | null;
  give_value: string;
  receive_value: string;
  hold_share: string;
}

export interface TradeItemRow {
  id: string;
  offer_id: string | null;
  side: 'user_gives' | 'user_receives';
  asset_id: string;
  context_id: number;
  market_hash_name: string;
  price: string;
  bot_id: number | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** SQL of trades, their items and offers, and the public view built from them. */
export class TradeRepository {
  /** The trade row locked for this transaction: every change of a trade is serialized on it. */
  async lock(trx: Transaction<MainDatabase>, tradeId: string): Promise<TradeRow | undefined> {
    return trx
      .selectFrom('trades')
      .select(['id', 'user_id', 'kind', 'state', 'version', 'cancel_reason', 'expires_at'])
      .where('id', '=', tradeId)
      .forUpdate()
      .executeTakeFirst();
  }

  async offers(db: Db, tradeId: string): Promise<OfferRow[]> {
    return db
      .selectFrom('offers')
      .select([
        'id',
        'trade_id',
        'bot_id',
        'state',
        'steam_offer_id',
        'give_value',
        'receive_value',
        'hold_share',
      ])
      .where('trade_id', '=', tradeId)
      .orderBy('id')
      .execute() as Promise<OfferRow[]>;
  }

  async items(db: Db, tradeId: string): Promise<TradeItemRow[]> {
    return db
      .selectFrom('trade_items')
      .select(['id', 'offer_id', 'side', 'asset_id', 'context_id', 'market_hash_name', 'price', 'bot_id'])
      .where('trade_id', '=', tradeId)
      .orderBy('id')
      .execute();
  }

  /** Sets the trade's state (and whatever else changes with it), bumping its version. */
  async setState(
    trx: Transaction<MainDatabase>,
    tradeId: string,
    state: TradeState,
    extra: { cancel_reason?: 'user' | 'expiry'; failure_code?: string | null; completed_at?: Date } = {},
  ): Promise<void> {
    await trx
      .updateTable('trades')
      .set({ state, version: sql`version + 1`, ...extra })
      .where('id', '=', tradeId)
      .execute();
  }

  async findIdByKey(
    db: Db,
    userId: string,
    key: string,
  ): Promise<{ id: string; request_hash: string } | undefined> {
    return db
      .selectFrom('trades')
      .select(['id', 'request_hash'])
      .where('user_id', '=', userId)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
  }

  /** The views of these trades (any order in, their order out), or fewer when some do not exist. */
  async views(db: Db, tradeIds: string[]): Promise<TradeView[]> {
    if (tradeIds.length === 0) return [];
    const [trades, items, offers] = await Promise.all([
      db.selectFrom('trades').selectAll().where('id', 'in', tradeIds).execute(),
      db
        .selectFrom('trade_items')
        .select(['trade_id', 'offer_id', 'side', 'asset_id', 'market_hash_name', 'price'])
        .where('trade_id', 'in', tradeIds)
        .orderBy('id')
        .execute(),
      db
        .selectFrom('offers')
        .select(['id', 'trade_id', 'steam_offer_id', 'state', 'end_reason'])
        .where('trade_id', 'in', tradeIds)
        .orderBy('id')
        .execute(),
    ]);
    const byId = new Map(trades.map((t) => [t.id, t]));
    return tradeIds.flatMap((id) => {
      const t = byId.get(id);
      if (!t) return [];
      const mine = items.filter((i) => i.trade_id === id);
      const side = (s: 'user_gives' | 'user_receives') =>
        mine
          .filter((i) => i.side === s)
          .map((i) => ({
            assetId: i.asset_id,
            marketHashName: i.market_hash_name,
            price: minorToJson(toMinor(i.price)),
          }));
      const tradeOffers = offers.filter((o) => o.trade_id === id);
      const endReason = tradeOffers.find((o) => o.end_reason)?.end_reason ?? null;
      return [
        {
          id: t.id,
          type: t.kind,
          state: t.state as TradeState,
          give: side('user_gives'),
          receive: side('user_receives'),
          giveValue: minorToJson(toMinor(t.user_gives_value)),
          receiveValue: minorToJson(toMinor(t.user_receives_value)),
          balanceDelta: minorToJson(toMinor(t.balance_delta)),
          hold: minorToJson(toMinor(t.balance_hold)),
          currency: 'USD' as const,
          verificationCode: t.verification_code,
          expiresAt: iso(t.expires_at),
          createdAt: t.created_at.toISOString(),
          updatedAt: t.updated_at.toISOString(),
          completedAt: iso(t.completed_at),
          reason: t.cancel_reason ?? t.failure_code ?? (t.state === 'completed' ? null : endReason),
          offers: tradeOffers.map((o) => ({
            id: o.id,
            steamOfferId: o.steam_offer_id,
            state: o.state as OfferState,
            give: mine.filter((i) => i.offer_id === o.id && i.side === 'user_gives').map((i) => i.asset_id),
            receive: mine
              .filter((i) => i.offer_id === o.id && i.side === 'user_receives')
              .map((i) => i.asset_id),
          })),
        },
      ];
    });
  }

  /** The user's trades, newest first, a page of ids after the cursor (a trade id). */
  async listIds(db: Db, userId: string, limit: number, before: string | undefined): Promise<string[]> {
    let q = db.selectFrom('trades').select('id').where('user_id', '=', userId);
    if (before !== undefined) q = q.where('id', '<', before);
    const rows = await q.orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => r.id);
  }

  /**
   * When the user's latest trades that moved items (completed or reversed) last changed, among
   * their 20 newest trades (an index range on (user_id, id), not a scan of their history).
   */
  async itemsMovedAt(db: Db, userId: string): Promise<Date | null> {
    const recent = db
      .selectFrom('trades')
      .select(['updated_at', 'state'])
      .where('user_id', '=', userId)
      .orderBy('id', 'desc')
      .limit(20)
      .as('recent');
    const row = await db
      .selectFrom(recent)
      .select((eb) => eb.fn.max('recent.updated_at').as('at'))
      .where('recent.state', 'in', ['completed', 'reversed'])
      .executeTakeFirst();
    return row?.at ? new Date(row.at) : null;
  }
}

/** The rows of a new trade, ids chosen by the caller (packages/db IdGenerator). */
export interface NewTrade {
  id: string;
  userId: string;
  kind: 'deposit' | 'withdraw' | 'swap';
  verificationCode: string;
  idempotencyKey: string;
  requestHash: string;
  giveValue: bigint;
  receiveValue: bigint;
  hold: bigint;
  balanceDelta: bigint;
  expiresAt: Date;
  createdAt: Date;
  /** Asset ids to reserve, in the order the locks are taken. */
  reserve: string[];
  offers: Array<{
    id: string;
    botId: number | null;
    giveValue: bigint;
    receiveValue: bigint;
    holdShare: bigint;
  }>;
  items: Array<{
    offerId: string;
    side: 'user_gives' | 'user_receives';
    assetId: string;
    contextId: number;
    marketHashName: string;
    price: bigint;
    botId: number | null;
  }>;
  /** Outbox rows written as given. */
  outbox: ReadonlyArray<{ event_id: string; topic: string; aggregate_id: string; payload: string }>;
  /** With a hold: the balance.updated event, its payload computed in SQL from the balance after. */
  balanceEvent?: { eventId: string; at: Date };
}

const rows = (n: number, width: number) =>
  Array.from({ length: n }, () => `(${Array(width).fill('?').join(', ')})`).join(', ');

/**
 * A new trade in one transaction and one round trip (Databases.script): the trade; its
 * reservations (the unique key on active reservations refuses an item reserved by another
 * trade: invariant 1); the balance hold, refused by the balance's CHECK constraint when it would
 * go below zero (invariant 2, enforced in SQL without a read); its ledger row with the balance
 * after, read in the same statement; the planned offers, the items, and the outbox rows
 * (invariant 4).
 */
export function newTradeScript(t: NewTrade): Statement[] {
  const s: Statement[] = [
    {
      sql: `INSERT INTO trades (id, user_id, kind, state, verification_code, idempotency_key, request_hash,
        user_gives_value, user_receives_value, balance_hold, balance_delta, expires_at, created_at, updated_at)
        VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      values: [
        t.id,
        t.userId,
        t.kind,
        t.verificationCode,
        t.idempotencyKey,
        t.requestHash,
        t.giveValue,
        t.receiveValue,
        t.hold,
        t.balanceDelta,
        t.expiresAt,
        t.createdAt,
        t.createdAt,
      ],
    },
  ];
  if (t.reserve.length > 0)
    s.push({
      sql: `INSERT INTO reservations (asset_id, trade_id, reserved_until) VALUES ${rows(t.reserve.length, 3)}`,
      values: t.reserve.flatMap((a) => [a, t.id, t.expiresAt]),
    });
  if (t.hold > 0n)
    s.push(
      {
        // The row exists (checked before; balances are never deleted). Its CHECK refuses a
        // hold that would take it below zero, and the error rolls the whole script back.
        sql: `UPDATE balances SET amount = amount - ? WHERE user_id = ?`,
        values: [t.hold, t.userId],
      },
      {
        sql: `INSERT INTO ledger (user_id, delta, balance_after, reason, ref_type, ref_id)
          SELECT user_id, ?, amount, 'trade_hold', 'trade', ? FROM balances WHERE user_id = ?`,
        values: [-t.hold, t.id, t.userId],
      },
    );
  s.push({
    sql: `INSERT INTO offers (id, trade_id, bot_id, state, give_value, receive_value, hold_share) VALUES ${rows(t.offers.length, 7)}`,
    values: t.offers.flatMap((o) => [
      o.id,
      t.id,
      o.botId,
      'planned',
      o.giveValue,
      o.receiveValue,
      o.holdShare,
    ]),
  });
  s.push({
    sql: `INSERT INTO trade_items (trade_id, offer_id, side, asset_id, context_id, market_hash_name, price, bot_id)
      VALUES ${rows(t.items.length, 8)}`,
    values: t.items.flatMap((i) => [
      t.id,
      i.offerId,
      i.side,
      i.assetId,
      i.contextId,
      i.marketHashName,
      i.price,
      i.botId,
    ]),
  });
  s.push({
    sql: `INSERT INTO outbox (event_id, topic, aggregate_id, payload) VALUES ${rows(t.outbox.length, 4)}`,
    values: t.outbox.flatMap((o) => [o.event_id, o.topic, o.aggregate_id, o.payload]),
  });
  if (t.balanceEvent)
    s.push({
      sql: `INSERT INTO outbox (event_id, topic, aggregate_id, payload)
        SELECT ?, 'event:balance.updated', ?, JSON_OBJECT(
          'v', 1, 'type', 'balance.updated', 'eventId', ?, 'userId', ?,
          'amount', b.amount,
          'protected', CAST(LEAST(b.amount, GREATEST(0, COALESCE((SELECT SUM(l.delta) FROM ledger l
            WHERE l.user_id = b.user_id AND l.protected_until > CURRENT_TIMESTAMP(3)), 0))) AS SIGNED),
          'debt', b.debt, 'currency', 'USD', 'at', ?)
        FROM balances b WHERE b.user_id = ?`,
      values: [
        t.balanceEvent.eventId,
        `user:${t.userId}`,
        t.balanceEvent.eventId,
        t.userId,
        t.balanceEvent.at.toISOString(),
        t.userId,
      ],
    });
  return s;
}
