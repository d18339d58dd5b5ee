import { isSouvenir, isStatTrak, itemTypeOf, phaseOf, slugOf } from '@platform/core';

/**
 * One site item as the indexes take it in: a row of the items table with its icon (from
 * item_classes) and its reservation. Loaded from MySQL (items.source.ts) or built by tests.
 */
export interface IndexRow {
  assetId: string;
  botId: number;
  marketHashName: string;
  /** Steam's display name of the asset (Doppler phases show here: "… | Doppler (Factory New)" has no phase, "Phase 2" is in the name). */
  name: string;
  /** Pricing category (packages/core ItemCategory), the price book's spread key. */
  category: string;
  typeTag: string | null;
  weapon: string | null;
  /** Steam's display rarity ("Mil-Spec Grade"); slugged for the API. */
  rarity: string;
  /** Steam's display exterior ("Field-Tested"), or null. */
  exterior: string | null;
  floatValue: number | null;
  paintSeed: number | null;
  stickers: string[];
  iconUrl: string;
  /** Steam says the item can be traded (now or after its lock). */
  tradable: boolean;
  /** When a trade lock ends, epoch ms; null when none. */
  tradableAfterMs: number | null;
  /** Storage units are never listed. */
  casket: boolean;
  /** When the site first saw it (sort `newest`), epoch ms. */
  firstSeenMs: number;
  /** The row's version (items.updated_at, epoch ms): reconciliation reloads a row whose version differs. */
  version: number;
  /** When the reservation by an active trade ends, epoch ms; null when not reserved. */
  reservedUntilMs: number | null;
}

/** What the API says about a market hash name (the same for every asset of it). */
export interface NameTraits {
  type: string;
  weapon: string | null;
  rarity: string | null;
  exterior: string | null;
  statTrak: boolean;
  souvenir: boolean;
}

export function traitsOf(row: IndexRow): NameTraits {
  return {
    type: itemTypeOf(row.typeTag),
    weapon: row.weapon,
    rarity: slugOf(row.rarity),
    exterior: slugOf(row.exterior),
    statTrak: isStatTrak(row.marketHashName),
    souvenir: isSouvenir(row.marketHashName),
  };
}

export function phaseOfRow(row: Pick<IndexRow, 'name'>): string | null {
  return phaseOf(row.name);
}

/**
 * Whether an item may be listed at all: storage units never are, nor items Steam will never let
 * be traded (not tradable and no lock end); a trade-locked item is listed with its days left.
 */
export function isListable(row: Pick<IndexRow, 'casket' | 'tradable' | 'tradableAfterMs'>): boolean {
  return !row.casket && (row.tradable || row.tradableAfterMs !== null);
}
