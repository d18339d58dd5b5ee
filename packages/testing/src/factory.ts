// Builders for the rows tests need, with realistic defaults and unique ids, instead of fixture
// dumps: `await factory.user(db, { personaName: 'Alice' })`.
import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { BotStatus, BotTier, MainDatabase } from '@platform/db';

let seq = 0;
const next = () => ++seq;
/** A SteamID64 of an individual account with a random account id (steam.md §2.1). */
export function steamId64(accountId = randomInt(1, 2 ** 31)): string {
  return (76561197960265728n + BigInt(accountId)).toString();
}

export interface UserRow {
  id: string;
  steamId: string;
}

export interface BotRow {
  id: number;
  steamId: string;
}

export interface ItemRow {
  id: string;
  assetId: string;
  botId: number;
  marketHashName: string;
}

export const factory = {
  async user(
    db: Kysely<MainDatabase>,
    o: {
      steamId?: string;
      personaName?: string;
      tradeUrl?: { partnerId: number; token: string };
      bannedAt?: Date;
    } = {},
  ): Promise<UserRow> {
    const steamId = o.steamId ?? steamId64();
    const r = await db
      .insertInto('users')
      .values({
        steam_id: steamId,
        persona_name: o.personaName ?? `User ${next()}`,
        trade_partner_id: o.tradeUrl?.partnerId ?? null,
        trade_token: o.tradeUrl?.token ?? null,
        banned_at: o.bannedAt ?? null,
      })
      .executeTakeFirstOrThrow();
    return { id: String(r.insertId), steamId };
  },

  async bot(
    db: Kysely<MainDatabase>,
    o: { steamId?: string; accountName?: string; status?: BotStatus; tier?: BotTier; capacity?: number } = {},
  ): Promise<BotRow> {
    const n = next();
    const steamId = o.steamId ?? steamId64();
    const r = await db
      .insertInto('bots')
      .values({
        steam_id: steamId,
        account_name: o.accountName ?? `bot${n}_${steamId.slice(-6)}`,
        display_name: `Bot ${n}`,
        ...(o.status ? { status: o.status } : {}),
        ...(o.tier ? { tier: o.tier } : {}),
        ...(o.capacity ? { capacity: o.capacity } : {}),
      })
      .executeTakeFirstOrThrow();
    return { id: Number(r.insertId), steamId };
  },

  async item(
    db: Kysely<MainDatabase>,
    o: {
      botId: number;
      assetId?: string;
      marketHashName?: string;
      category?: string;
      floatValue?: number | null;
      paintSeed?: number | null;
      tradableAfter?: Date | null;
    },
  ): Promise<ItemRow> {
    const n = next();
    const assetId = o.assetId ?? String(40_000_000_000 + n * 7 + randomInt(0, 7));
    const marketHashName = o.marketHashName ?? 'AK-47 | Redline (Field-Tested)';
    const r = await db
      .insertInto('items')
      .values({
        asset_id: assetId,
        bot_id: o.botId,
        class_id: '310776560',
        instance_id: '188530139',
        market_hash_name: marketHashName,
        name: marketHashName.replace(/ \([^)]*\)$/, ''),
        ...(o.category ? { category: o.category } : {}),
        float_value: o.floatValue ?? null,
        paint_seed: o.paintSeed ?? null,
        tradable_after: o.tradableAfter ?? null,
      })
      .executeTakeFirstOrThrow();
    return { id: String(r.insertId), assetId, botId: o.botId, marketHashName };
  },
};
