import {
  AppError,
  categoryOf,
  isSouvenir,
  isStatTrak,
  itemTypeOf,
  phaseOf,
  slugOf,
  toMinor,
  type Minor,
  type RefusalReason,
} from '@platform/core';
import type { Enricher } from '@platform/pricing';
import type { CinvClient, CinvItem } from './cinv.client.ts';

const REFUSAL_MESSAGES: Record<RefusalReason, string> = {
  BLOCKLISTED: 'The site does not take this item.',
  NO_PRICE: 'The site has no price for this item yet.',
  BELOW_MIN_PRICE: 'This item is worth less than the smallest deposit the site takes.',
  OVERSTOCKED: 'The site already holds enough of this item.',
  TRADE_HOLD: 'Steam does not let this item be traded yet.',
  NOT_TRADABLE: 'Steam does not allow trading this item.',
};

/** api.md's item of "The user's inventory": `price` is what the site pays on a deposit. */
export interface UserItemView {
  assetId: string;
  marketHashName: string;
  name: string;
  price: number | null;
  floatValue: number | null;
  paintSeed: number | null;
  phase: string | null;
  exterior: string | null;
  rarity: string | null;
  type: string;
  weapon: string | null;
  statTrak: boolean;
  souvenir: boolean;
  stickers: Array<{ name: string; slot: number }>;
  iconUrl: string;
  tradableAt: string | null;
  accepted: boolean;
  refusal: { code: RefusalReason; message: string } | null;
}

export interface GivenItem {
  assetId: string;
  marketHashName: string;
  contextId: number;
  /** What the site pays for it (deposit price), minor units. */
  price: Minor;
}

/** The signed-in user's inventory, priced by this process's price book (invariant 6). */
export class UserItemsService {
  readonly #cinv: CinvClient;
  readonly #enricher: Enricher;
  readonly #maxAgeMs: number;
  readonly #now: () => Date;

  readonly #itemsMovedAt: ((userId: string) => Promise<Date | null>) | undefined;

  constructor(opts: {
    cinv: CinvClient;
    enricher: Enricher;
    maxAgeMs: number;
    now?: () => Date;
    /**
     * When items last moved in or out of this user's Steam inventory through the site (a trade
     * completed or reversed): a cached read older than that is read again, so the inventory a
     * person sees after a trade is the one Steam now holds.
     */
    itemsMovedAt?: (userId: string) => Promise<Date | null>;
  }) {
    this.#cinv = opts.cinv;
    this.#itemsMovedAt = opts.itemsMovedAt;
    this.#enricher = opts.enricher;
    this.#maxAgeMs = opts.maxAgeMs;
    this.#now = opts.now ?? (() => new Date());
  }

  async inventory(user: { userId: string; steamId: string }, fresh: boolean) {
    const newerThan = fresh ? undefined : await this.#sinceMoved(user.userId);
    const inv = await this.#cinv.inventory(user.steamId, {
      fresh,
      requester: user.userId,
      ...(newerThan === undefined ? {} : { maxAgeMs: newerThan }),
    });
    const now = this.#now();
    return {
      items: inv.items.map((i) => this.#view(i, now)),
      currency: 'USD' as const,
      fetchedAt: inv.fetchedAt,
      stale: inv.stale,
    };
  }

  /** How old a read may be to postdate the user's last trade that moved items (ms), if any. */
  async #sinceMoved(userId: string): Promise<number | undefined> {
    const moved = await this.#itemsMovedAt?.(userId);
    if (!moved) return undefined;
    const age = this.#now().getTime() - moved.getTime();
    // Long ago: any cached read is newer; the cache's own freshness rules apply.
    return age > 86_400_000 ? undefined : Math.max(0, age);
  }

  /**
   * The items a user gives in a trade, checked against their inventory read from Steam at most
   * TRADE_INVENTORY_MAX_AGE_MS ago: each must be there (ITEM_NOT_OWNED) and accepted by the site
   * (ITEM_NOT_ACCEPTED, with the reason), priced at the deposit price.
   */
  async givable(
    user: { userId: string; steamId: string },
    assetIds: readonly string[],
  ): Promise<GivenItem[]> {
    if (assetIds.length === 0) return [];
    const sinceMoved = await this.#sinceMoved(user.userId);
    const inv = await this.#cinv.inventory(user.steamId, {
      maxAgeMs: Math.min(this.#maxAgeMs, sinceMoved ?? Infinity),
      requester: user.userId,
    });
    const byId = new Map(inv.items.map((i) => [i.assetId, i]));
    const now = this.#now();
    return assetIds.map((assetId, index) => {
      const item = byId.get(assetId);
      if (!item) throw new AppError('ITEM_NOT_OWNED', undefined, { field: `/body/give/${index}`, assetId });
      const view = this.#view(item, now);
      if (!view.accepted || view.price === null)
        throw new AppError(
          'ITEM_NOT_ACCEPTED',
          `${item.marketHashName}: ${view.refusal?.message ?? 'not accepted'}`,
          { field: `/body/give/${index}`, assetId, refusal: view.refusal?.code ?? 'NO_PRICE' },
        );
      return {
        assetId,
        marketHashName: item.marketHashName,
        contextId: Number(item.contextId),
        price: toMinor(view.price),
      };
    });
  }

  #view(i: CinvItem, now: Date): UserItemView {
    const tradableAfter = i.tradableAfter ? new Date(i.tradableAfter) : null;
    const e = this.#enricher.enrich(
      {
        marketHashName: i.marketHashName,
        typeTag: i.typeTag,
        category: categoryOf(i.typeTag),
        tradable: i.tradable,
        tradableAfter,
      },
      now,
    );
    return {
      assetId: i.assetId,
      marketHashName: i.marketHashName,
      name: i.name,
      price: e.depositPrice,
      floatValue: i.floatValue,
      paintSeed: i.paintSeed,
      phase: phaseOf(i.name),
      exterior: slugOf(i.exterior),
      rarity: slugOf(i.rarity),
      type: itemTypeOf(i.typeTag),
      weapon: i.weapon,
      statTrak: isStatTrak(i.marketHashName),
      souvenir: isSouvenir(i.marketHashName),
      stickers: i.stickers.map((name, slot) => ({ name, slot })),
      iconUrl: i.iconUrl,
      tradableAt: e.tradeHoldUntil,
      accepted: e.accepted,
      refusal: e.refusal ? { code: e.refusal, message: REFUSAL_MESSAGES[e.refusal] } : null,
    };
  }
}
