import { sql, type Kysely } from 'kysely';
import type { MainDatabase } from '@platform/db';

export interface BotRef {
  id: number;
  steamId: string;
  accountName: string;
}

export class BotsRepository {
  private readonly db: Kysely<MainDatabase>;
  constructor(db: Kysely<MainDatabase>) {
    this.db = db;
  }

  async listActive(): Promise<BotRef[]> {
    const rows = await this.db
      .selectFrom('bots')
      .select(['id', 'steam_id', 'account_name'])
      .where('status', '=', 'active')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ id: r.id, steamId: r.steam_id, accountName: r.account_name }));
  }

  async get(id: number): Promise<(BotRef & { status: string }) | undefined> {
    const r = await this.db
      .selectFrom('bots')
      .select(['id', 'steam_id', 'account_name', 'status'])
      .where('id', '=', id)
      .executeTakeFirst();
    return r && { id: r.id, steamId: r.steam_id, accountName: r.account_name, status: r.status };
  }

  /** Inserts bots that are missing (by steam id); existing rows keep their tier, status and counts. */
  async upsert(bots: Array<{ steamId: string; accountName: string; displayName: string }>): Promise<number> {
    if (bots.length === 0) return 0;
    const r = await this.db
      .insertInto('bots')
      .values(
        bots.map((b) => ({ steam_id: b.steamId, account_name: b.accountName, display_name: b.displayName })),
      )
      .onDuplicateKeyUpdate({ display_name: sql`VALUES(display_name)` })
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0);
  }

  async markFailed(id: number, failure: string): Promise<void> {
    await this.db
      .updateTable('bots')
      .set({
        inventory_failure: failure,
        inventory_failed_at: new Date(),
        inventory_failures: sql<number>`inventory_failures + 1`,
      })
      .where('id', '=', id)
      .execute();
  }
}
