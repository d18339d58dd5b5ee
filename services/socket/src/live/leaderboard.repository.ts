import { sql, type Kysely } from 'kysely';
import { minorToJson, toMinor } from '@platform/core';
import type { MainDatabase } from '@platform/db';

export interface LeaderboardEntry {
  rank: number;
  name: string;
  avatarUrl: string;
  /** What the trader's completed trades moved, both sides, in minor units. */
  volume: number;
  trades: number;
}

/**
 * Top traders by volume over a window, from the trades table (the source of truth: there is no
 * event for it). Completed trades only; a reversed one drops out. Served by the
 * (state, updated_at) index: a completed trade is last updated when it completes.
 */
export class LeaderboardRepository {
  readonly #db: Kysely<MainDatabase>;

  constructor(db: Kysely<MainDatabase>) {
    this.#db = db;
  }

  async top(windowHours: number, size: number): Promise<LeaderboardEntry[]> {
    const rows = await this.#db
      .selectFrom('trades')
      .innerJoin('users', 'users.id', 'trades.user_id')
      .select([
        'users.persona_name',
        'users.avatar_url',
        sql<string>`SUM(trades.user_gives_value + trades.user_receives_value)`.as('volume'),
        sql<number>`COUNT(*)`.as('trades'),
      ])
      .where('trades.state', '=', 'completed')
      .where(
        'trades.updated_at',
        '>=',
        sql<Date>`CURRENT_TIMESTAMP(3) - INTERVAL ${sql.lit(windowHours)} HOUR`,
      )
      .groupBy(['trades.user_id', 'users.persona_name', 'users.avatar_url'])
      .orderBy('volume', 'desc')
      .orderBy('trades.user_id')
      .limit(size)
      .execute();
    return rows.map((r, i) => ({
      rank: i + 1,
      name: r.persona_name,
      avatarUrl: r.avatar_url,
      volume: minorToJson(toMinor(String(r.volume))),
      trades: Number(r.trades),
    }));
  }
}
