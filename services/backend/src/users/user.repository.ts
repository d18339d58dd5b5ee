import type { Kysely } from 'kysely';
import type { MainDatabase, User } from '@platform/db';

export class UserRepository {
  readonly #db: Kysely<MainDatabase>;
  constructor(db: Kysely<MainDatabase>) {
    this.#db = db;
  }

  async findById(id: string): Promise<User | undefined> {
    return this.#db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async setTradeUrl(id: string, partnerId: number, token: string): Promise<void> {
    await this.#db
      .updateTable('users')
      .set({ trade_partner_id: partnerId, trade_token: token })
      .where('id', '=', id)
      .execute();
  }
}
