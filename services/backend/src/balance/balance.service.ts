import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { AppError, minorToJson, toMinor, type Minor } from '@platform/core';
import { transact, type MainDatabase } from '@platform/db';
import { OutboxWriter } from '../outbox/outbox.ts';
import { balanceEvent } from '../trades/settlement.service.ts';
import type { BalanceRepository } from './balance.repository.ts';

/** A user's balance as api.md shows it. */
export interface BalanceView {
  amount: number;
  /** The part still inside Steam's 7-day trade-protection window (docs/decisions/0006-trading.md). */
  protected: number;
  /** What a reversed trade took back beyond the balance; withdrawals wait until it is settled. */
  debt: number;
  currency: 'USD';
  /** When the last of the protected credit leaves the window, or null. */
  protectedUntil: string | null;
}

export class BalanceService {
  readonly #db: Kysely<MainDatabase>;
  readonly #balances: BalanceRepository;
  readonly #onCommit: () => void;

  constructor(opts: { db: Kysely<MainDatabase>; balances: BalanceRepository; onCommit: () => void }) {
    this.#db = opts.db;
    this.#balances = opts.balances;
    this.#onCommit = opts.onCommit;
  }

  async view(userId: string): Promise<BalanceView> {
    const b = await this.#balances.state(this.#db, userId);
    const prot = b.protected;
    const until = await this.#db
      .selectFrom('ledger')
      .select(sql<Date | null>`MAX(protected_until)`.as('until'))
      .where('user_id', '=', userId)
      .where('protected_until', '>', sql<Date>`CURRENT_TIMESTAMP(3)`)
      .executeTakeFirst();
    return {
      amount: minorToJson(b.amount),
      protected: minorToJson(prot),
      debt: minorToJson(b.debt),
      currency: 'USD',
      protectedUntil: prot > 0n && until?.until ? until.until.toISOString() : null,
    };
  }

  async ledger(userId: string, limit: number, cursor: string | undefined) {
    let q = this.#db
      .selectFrom('ledger')
      .select([
        'id',
        'delta',
        'balance_after',
        'reason',
        'ref_type',
        'ref_id',
        'protected_until',
        'note',
        'created_at',
      ])
      .where('user_id', '=', userId);
    if (cursor !== undefined) q = q.where('id', '<', cursor);
    const rows = await q
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    // A ledger row refers to a trade directly, or to one of its offers.
    const offerIds = page.filter((r) => r.ref_type === 'offer').map((r) => r.ref_id);
    const offers = offerIds.length
      ? await this.#db.selectFrom('offers').select(['id', 'trade_id']).where('id', 'in', offerIds).execute()
      : [];
    const tradeOf = new Map(offers.map((o) => [o.id, o.trade_id]));
    return {
      items: page.map((r) => ({
        id: r.id,
        delta: minorToJson(toMinor(r.delta)),
        balanceAfter: minorToJson(toMinor(r.balance_after)),
        reason: r.reason,
        tradeId:
          r.ref_type === 'trade' ? r.ref_id : r.ref_type === 'offer' ? (tradeOf.get(r.ref_id) ?? null) : null,
        protectedUntil: r.protected_until?.toISOString() ?? null,
        note: r.note,
        createdAt: r.created_at.toISOString(),
      })),
      nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
    };
  }

  /**
   * An operator's adjustment (npm run ops -- balance:adjust), written to the ledger like every
   * other change, with the operator's reason as its note. A debit beyond the balance is refused.
   */
  async adjust(
    steamId: string,
    amount: Minor,
    note: string,
    operator: string,
  ): Promise<{ userId: string; balance: Minor }> {
    if (amount === 0n)
      throw new AppError('VALIDATION_FAILED', 'The amount is not zero.', { field: '--amount' });
    const user = await this.#db
      .selectFrom('users')
      .select('id')
      .where('steam_id', '=', steamId)
      .executeTakeFirst();
    if (!user) throw new AppError('NOT_FOUND', `No user has the Steam id ${steamId}.`);
    const balance = await transact(this.#db, async (trx) => {
      const out = new OutboxWriter();
      const entry = {
        userId: user.id,
        reason: 'adjustment',
        refType: 'ops',
        refId: randomUUID(),
        note: `${operator}: ${note}`.slice(0, 255),
      };
      if (amount > 0n) await this.#balances.credit(trx, amount, entry);
      else await this.#balances.debit(trx, -amount, entry);
      const after = await this.#balances.state(trx, user.id);
      out.event('balance.updated', `user:${user.id}`, balanceEvent(user.id, after, new Date()));
      await out.write(trx);
      return after.amount;
    });
    this.#onCommit();
    return { userId: user.id, balance };
  }
}
