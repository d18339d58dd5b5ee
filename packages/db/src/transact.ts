import type { Kysely, Transaction } from 'kysely';

const ER_LOCK_DEADLOCK = 1213;

/**
 * A transaction at READ COMMITTED, run again when InnoDB chose it as a deadlock victim (it was
 * rolled back whole, so running it again is safe). READ COMMITTED takes no gap locks: the
 * platform's correctness rests on unique keys, conditional updates and row locks taken with
 * FOR UPDATE, which work the same at that level, and its contended paths (reservations of the
 * same items, inserts of neighbouring asset ids) deadlocked far more under REPEATABLE READ's
 * next-key locks. Contended unique inserts can still deadlock (waiters on a key whose holder
 * rolls back); hence the retry. `fn` must do nothing outside the database it cannot repeat.
 */
export async function transact<DB, T>(
  db: Kysely<DB>,
  fn: (trx: Transaction<DB>) => Promise<T>,
  opts: { attempts?: number } = {},
): Promise<T> {
  const attempts = opts.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().setIsolationLevel('read committed').execute(fn);
    } catch (err) {
      if ((err as { errno?: number }).errno !== ER_LOCK_DEADLOCK || attempt >= attempts) throw err;
      // A short, growing pause with jitter, so the same transactions do not meet again at once.
      await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
    }
  }
}
