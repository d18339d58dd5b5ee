import { sql, type Kysely, type Transaction } from 'kysely';
import { AppError, toMinor, type Minor } from '@platform/core';
import type { MainDatabase } from '@platform/db';

type Db = Kysely<MainDatabase> | Transaction<MainDatabase>;

export interface LedgerEntry {
  userId: string;
  /** Why, as a code: trade_hold, trade_credit, trade_release, reversal, adjustment, debt_repayment. */
  reason: string;
  refType: string;
  refId: string;
  /** Credit from items received: trade-protected until then. */
  protectedUntil?: Date | null;
  note?: string | null;
}

export interface BalanceRow {
  amount: Minor;
  debt: Minor;
}

/** A balance with its trade-protected part, as events and the API show it. */
export interface BalanceState extends BalanceRow {
  protected: Minor;
}

/**
 * The balance and its ledger (invariant 2): every change is a ledger row written in the same
 * transaction, with the balance after it. The balance never goes below zero, and that is
 * enforced by SQL: a debit is a conditional UPDATE (`… AND amount >= ?`), never a read followed
 * by a write; CHECK constraints on `balances.amount` and `ledger.balance_after` are the last net.
 * The ledger is unique per (user, reason, reference), so an operation retried or applied twice
 * cannot move money twice: the duplicate insert fails and rolls the whole transaction back.
 */
export class BalanceRepository {
  /** Creates the user's balance row if missing (a user signs in before owning anything). */
  async ensure(db: Db, userId: string): Promise<void> {
    await db
      .insertInto('balances')
      .values({ user_id: userId, amount: '0' })
      .onDuplicateKeyUpdate({ user_id: sql`user_id` })
      .execute();
  }

  async read(db: Db, userId: string): Promise<BalanceRow> {
    const row = await db
      .selectFrom('balances')
      .select(['amount', 'debt'])
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row ? { amount: toMinor(row.amount), debt: toMinor(row.debt) } : { amount: 0n, debt: 0n };
  }

  /**
   * The balance, its debt and its trade-protected part in one query: credit from items received
   * within Steam's protection window, as far as the balance still holds it. Spending takes
   * unprotected credit first, so protected = min(balance, protected credit in the window).
   */
  async state(db: Db, userId: string): Promise<BalanceState> {
    const row = await db
      .selectFrom('balances as b')
      .select([
        'b.amount',
        'b.debt',
        sql<
          string | null
        >`(SELECT SUM(l.delta) FROM ledger l WHERE l.user_id = b.user_id AND l.protected_until > CURRENT_TIMESTAMP(3))`.as(
          'window',
        ),
      ])
      .where('b.user_id', '=', userId)
      .executeTakeFirst();
    if (!row) return { amount: 0n, debt: 0n, protected: 0n };
    const amount = toMinor(row.amount);
    const inWindow = row.window ? toMinor(row.window) : 0n;
    return {
      amount,
      debt: toMinor(row.debt),
      protected: inWindow <= 0n ? 0n : inWindow < amount ? inWindow : amount,
    };
  }

  /**
   * Takes `amount` (> 0) from the balance, or throws INSUFFICIENT_BALANCE having changed nothing.
   * A missing balance row is a balance of zero: the conditional update finds nothing to take.
   * Returns the balance after.
   */
  async debit(trx: Transaction<MainDatabase>, amount: Minor, entry: LedgerEntry): Promise<BalanceState> {
    if (amount <= 0n) throw new RangeError('a debit is positive');
    const r = await trx
      .updateTable('balances')
      .set({ amount: sql`amount - ${amount}` })
      .where('user_id', '=', entry.userId)
      .where('amount', '>=', amount.toString())
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new AppError('INSUFFICIENT_BALANCE');
    const after = await this.state(trx, entry.userId);
    await this.#ledger(trx, -amount, after.amount, entry);
    return after;
  }

  /**
   * Adds `amount` (> 0). A balance that owes (debt) repays it first: the credit row, then a
   * debt_repayment row for what went to the debt. Returns the balance after both.
   */
  async credit(trx: Transaction<MainDatabase>, amount: Minor, entry: LedgerEntry): Promise<Minor> {
    if (amount <= 0n) throw new RangeError('a credit is positive');
    await this.ensure(trx, entry.userId);
    await trx
      .updateTable('balances')
      .set({ amount: sql`amount + ${amount}` })
      .where('user_id', '=', entry.userId)
      .execute();
    const credited = await this.read(trx, entry.userId);
    let after = credited.amount;
    const debt = credited.debt;
    await this.#ledger(trx, amount, after, entry);
    if (debt > 0n) {
      const repay = debt < amount ? debt : amount;
      // Assignments apply left to right: amount is reduced by what the debt was, then the debt.
      await trx
        .updateTable('balances')
        .set({ amount: sql`amount - ${repay}`, debt: sql`debt - ${repay}` })
        .where('user_id', '=', entry.userId)
        .where('debt', '>=', repay.toString())
        .where('amount', '>=', repay.toString())
        .execute();
      ({ amount: after } = await this.read(trx, entry.userId));
      await this.#ledger(trx, -repay, after, {
        ...entry,
        reason: 'debt_repayment',
        protectedUntil: null,
      });
    }
    return after;
  }

  /**
   * Takes back up to `amount` (a reversed deposit's credit): what the balance holds is taken,
   * the rest becomes debt. Returns what was taken and the debt added.
   */
  async takeBack(
    trx: Transaction<MainDatabase>,
    amount: Minor,
    entry: LedgerEntry,
  ): Promise<{ taken: Minor; debt: Minor }> {
    if (amount <= 0n) throw new RangeError('a take-back is positive');
    await this.ensure(trx, entry.userId);
    const before = await this.read(trx, entry.userId);
    // One statement: debt grows by what the balance lacks, the balance loses what it has. The
    // assignments apply left to right, so the debt is computed on the balance before.
    await trx
      .updateTable('balances')
      .set({
        debt: sql`debt + GREATEST(0, ${amount} - amount)`,
        amount: sql`amount - LEAST(amount, ${amount})`,
      })
      .where('user_id', '=', entry.userId)
      .execute();
    const after = await this.read(trx, entry.userId);
    const taken = before.amount - after.amount;
    if (taken > 0n) await this.#ledger(trx, -taken, after.amount, entry);
    return { taken, debt: after.debt - before.debt };
  }

  async #ledger(trx: Transaction<MainDatabase>, delta: Minor, after: Minor, e: LedgerEntry): Promise<void> {
    await trx
      .insertInto('ledger')
      .values({
        user_id: e.userId,
        delta,
        balance_after: after,
        reason: e.reason,
        ref_type: e.refType,
        ref_id: e.refId,
        protected_until: e.protectedUntil ?? null,
        note: e.note ?? null,
      })
      .execute();
  }
}
