import { AppError } from '@platform/core';
import type { User } from '@platform/db';
import { accountIdFromSteamId64 } from '@platform/steam';
import { formatTradeUrl, parseTradeUrl } from './trade-url.ts';
import type { UserRepository } from './user.repository.ts';

export interface MeView {
  id: string;
  steamId: string;
  personaName: string;
  avatarUrl: string;
  tradeUrl: string | null;
  createdAt: string;
}

function view(user: User): MeView {
  return {
    id: user.id,
    steamId: user.steam_id,
    personaName: user.persona_name,
    avatarUrl: user.avatar_url,
    tradeUrl:
      user.trade_partner_id !== null && user.trade_token !== null
        ? formatTradeUrl({ partnerId: user.trade_partner_id, token: user.trade_token })
        : null,
    createdAt: user.created_at.toISOString(),
  };
}

/** The signed-in user's own profile and trade URL. */
export class MeService {
  readonly #users: UserRepository;
  constructor(users: UserRepository) {
    this.#users = users;
  }

  async get(userId: string): Promise<MeView> {
    return view(await this.#load(userId));
  }

  /** Stored as partner + token (users.trade_partner_id, users.trade_token), rebuilt on read. */
  async setTradeUrl(userId: string, tradeUrl: string): Promise<MeView> {
    const user = await this.#load(userId);
    const parts = parseTradeUrl(tradeUrl, accountIdFromSteamId64(user.steam_id));
    await this.#users.setTradeUrl(user.id, parts.partnerId, parts.token);
    return view({ ...user, trade_partner_id: parts.partnerId, trade_token: parts.token });
  }

  async #load(userId: string): Promise<User> {
    const user = await this.#users.findById(userId);
    // A session of a user that no longer exists (or is banned) is no sign-in.
    if (!user) throw new AppError('UNAUTHENTICATED', undefined, { reason: 'user_gone' });
    if (user.banned_at !== null) throw new AppError('UNAUTHENTICATED', undefined, { reason: 'user_banned' });
    return user;
  }
}
