import type { Kysely } from 'kysely';
import type { MainDatabase } from '@platform/db';

export interface SteamProfile {
  personaName: string;
  avatarUrl: string;
}

export class UserRepository {
  readonly #db: Kysely<MainDatabase>;
  constructor(db: Kysely<MainDatabase>) {
    this.#db = db;
  }

  /** The user of this SteamID64, created on first sign-in; the profile is refreshed when known. */
  async upsertBySteamId(
    steamId: string,
    profile: SteamProfile | undefined,
  ): Promise<{ id: string; bannedAt: Date | null }> {
    const values = profile
      ? { steam_id: steamId, persona_name: profile.personaName, avatar_url: profile.avatarUrl }
      : { steam_id: steamId };
    await this.#db
      .insertInto('users')
      .values(values)
      .onDuplicateKeyUpdate(
        profile
          ? { persona_name: profile.personaName, avatar_url: profile.avatarUrl }
          : { steam_id: steamId },
      )
      .execute();
    const row = await this.#db
      .selectFrom('users')
      .select(['id', 'banned_at'])
      .where('steam_id', '=', steamId)
      .executeTakeFirstOrThrow();
    return { id: row.id, bannedAt: row.banned_at };
  }
}
