import type { Kysely } from 'kysely';
import type { MainDatabase } from './schema.ts';

/** Site-wide settings: one JSON value per name. */
export class SettingsRepository {
  readonly #db: Kysely<MainDatabase>;
  constructor(db: Kysely<MainDatabase>) {
    this.#db = db;
  }

  async get<T>(name: string): Promise<T | undefined> {
    const row = await this.#db
      .selectFrom('settings')
      .select('value')
      .where('name', '=', name)
      .executeTakeFirst();
    if (!row) return undefined;
    // mysql2 returns MariaDB's JSON (a LONGTEXT) as a string.
    return (typeof row.value === 'string' ? JSON.parse(row.value) : row.value) as T;
  }

  async set(name: string, value: unknown, updatedBy: string | null): Promise<void> {
    const json = JSON.stringify(value);
    await this.#db
      .insertInto('settings')
      .values({ name, value: json, updated_by: updatedBy })
      .onDuplicateKeyUpdate({ value: json, updated_by: updatedBy })
      .execute();
  }
}
