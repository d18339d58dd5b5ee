import type { Kysely } from 'kysely';
import { categoryOf, minorToJson, type ItemCategory } from '@platform/core';
import type { MainDatabase } from '@platform/db';
import type { PriceBook } from '@platform/pricing';

/**
 * Items added to the site inventory, in the shape of the site inventory's items (api.md): read
 * from MySQL when a batch is sent, priced at what the site charges on a withdrawal. An item
 * gone by then is left out (its removal follows).
 */
export class SiteItemsRepository {
  readonly #db: Kysely<MainDatabase>;
  readonly #book: PriceBook;

  constructor(db: Kysely<MainDatabase>, book: PriceBook) {
    this.#db = db;
    this.#book = book;
  }

  async read(assetIds: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
    const out = new Map<string, Record<string, unknown>>();
    if (assetIds.length === 0) return out;
    const rows = await this.#db
      .selectFrom('items')
      .leftJoin('item_classes', 'item_classes.class_id', 'items.class_id')
      .select([
        'items.asset_id',
        'items.market_hash_name',
        'items.name',
        'items.type',
        'items.rarity',
        'items.category',
        'items.exterior',
        'items.float_value',
        'items.paint_seed',
        'items.stickers',
        'items.attributes',
        'items.tradable_after',
        'item_classes.icon_url',
      ])
      .where('items.asset_id', 'in', [...assetIds])
      .where('items.stale', '=', 0)
      // Items in a bot's storage unit stay site items (the tradebot takes them out to send them).
      .execute();
    const now = new Date();
    for (const r of rows) {
      const attributes = parseJson(r.attributes) as { weapon?: string; typeTag?: string } | null;
      const price = this.#book.priceOf(
        r.market_hash_name,
        (r.category as ItemCategory | '') || categoryOf(attributes?.typeTag ?? null),
        now,
      );
      const name = r.market_hash_name;
      out.set(String(r.asset_id), {
        assetId: String(r.asset_id),
        marketHashName: name,
        name: r.name || name,
        price: price ? minorToJson(price.withdraw) : null,
        currency: 'USD',
        floatValue: r.float_value,
        paintSeed: r.paint_seed,
        phase:
          /\((Phase \d|Ruby|Sapphire|Black Pearl|Emerald)\)/i
            .exec(name)?.[1]
            ?.toLowerCase()
            .replace(' ', '-') ?? null,
        exterior: r.exterior,
        rarity: r.rarity || null,
        type: r.type || null,
        weapon: attributes?.weapon ?? null,
        statTrak: name.includes('StatTrak™'),
        souvenir: name.startsWith('Souvenir '),
        stickers: parseJson(r.stickers) ?? [],
        iconUrl: r.icon_url ?? null,
        tradableAt:
          r.tradable_after && r.tradable_after.getTime() > now.getTime()
            ? r.tradable_after.toISOString()
            : null,
      });
    }
    return out;
  }
}

function parseJson(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return null;
  }
}
