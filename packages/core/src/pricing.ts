/**
 * Pricing rules, pure: which price applies (an admin override until it expires, else the feed),
 * what the site pays on a deposit and charges on a withdrawal (a spread per category, as
 * CS.MONEY publishes per category), and whether the site accepts an item, with the reason.
 */
import { applyBasisPoints, type Minor } from './money.ts';

export const ITEM_CATEGORIES = [
  'knife',
  'glove',
  'weapon',
  'sticker',
  'case',
  'agent',
  'charm',
  'other',
] as const;
export type ItemCategory = (typeof ITEM_CATEGORIES)[number];

/** The category of an item from its Steam Type tag (steam.md §3.2: CSGO_Type_Knife, Type_Hands, ...). */
export function categoryOf(typeTag: string | null | undefined): ItemCategory {
  switch (typeTag) {
    case 'CSGO_Type_Knife':
      return 'knife';
    case 'Type_Hands':
      return 'glove';
    case 'CSGO_Type_Pistol':
    case 'CSGO_Type_SMG':
    case 'CSGO_Type_Rifle':
    case 'CSGO_Type_SniperRifle':
    case 'CSGO_Type_Shotgun':
    case 'CSGO_Type_Machinegun':
      return 'weapon';
    case 'CSGO_Tool_Sticker':
      return 'sticker';
    case 'CSGO_Type_WeaponCase':
      return 'case';
    case 'Type_CustomPlayer':
      return 'agent';
    case 'CSGO_Type_Charm':
      return 'charm';
    default:
      return 'other';
  }
}

/** Basis points of the market price: `buy` is what the site pays on a deposit, `sell` what it charges on a withdrawal. */
export interface Spread {
  buyBps: number;
  sellBps: number;
}

export type SpreadTable = Readonly<Partial<Record<ItemCategory, Spread>>> & { readonly default: Spread };

/**
 * What the site pays on a deposit: rounded toward -∞ (down for a positive price, away from zero
 * for a negative one), so the rounding cent never goes against the site.
 */
export function depositPrice(price: Minor, spread: Spread): Minor {
  return applyBasisPoints(price, spread.buyBps, 'floor');
}

/** What the site charges on a withdrawal: rounded toward +∞, for the same reason. */
export function withdrawPrice(price: Minor, spread: Spread): Minor {
  return applyBasisPoints(price, spread.sellBps, 'ceil');
}

export function spreadFor(table: SpreadTable, category: ItemCategory): Spread {
  return table[category] ?? table.default;
}

export interface PriceOverride {
  price: Minor;
  expiresAt: Date | null;
  createdAt: Date;
}

/** The override in force at `now` (the newest unexpired one), else the feed price, else none. */
export function effectivePrice(
  feed: Minor | null,
  overrides: readonly PriceOverride[],
  now: Date,
): { price: Minor; source: 'override' | 'feed' } | null {
  let best: PriceOverride | undefined;
  for (const o of overrides) {
    if (o.expiresAt !== null && o.expiresAt.getTime() <= now.getTime()) continue;
    if (!best || o.createdAt.getTime() > best.createdAt.getTime()) best = o;
  }
  if (best) return { price: best.price, source: 'override' };
  return feed === null ? null : { price: feed, source: 'feed' };
}

export const REFUSAL_REASONS = [
  'BLOCKLISTED',
  'NO_PRICE',
  'BELOW_MIN_PRICE',
  'OVERSTOCKED',
  'TRADE_HOLD',
  'NOT_TRADABLE',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export interface AcceptanceRules {
  minPrice: Minor;
  /** Most items of one market_hash_name the site holds before it stops taking more. */
  overstockCap: number;
}

export interface AcceptanceInput {
  price: Minor | null;
  tradable: boolean;
  tradableAfter: Date | null;
  blocklisted: boolean;
  /** How many of this market_hash_name the site already holds. */
  siteCount: number;
}

/**
 * Whether the site takes an item on a deposit. Checked in order of permanence: a blocklisted
 * or unpriced item is refused whatever else holds; a trade hold only delays.
 */
export function acceptance(
  input: AcceptanceInput,
  rules: AcceptanceRules,
  now: Date,
): { accepted: true } | { accepted: false; reason: RefusalReason } {
  if (input.blocklisted) return { accepted: false, reason: 'BLOCKLISTED' };
  if (input.price === null) return { accepted: false, reason: 'NO_PRICE' };
  if (input.price < rules.minPrice) return { accepted: false, reason: 'BELOW_MIN_PRICE' };
  if (input.siteCount >= rules.overstockCap) return { accepted: false, reason: 'OVERSTOCKED' };
  if (input.tradableAfter !== null && input.tradableAfter.getTime() > now.getTime())
    return { accepted: false, reason: 'TRADE_HOLD' };
  if (!input.tradable) return { accepted: false, reason: 'NOT_TRADABLE' };
  return { accepted: true };
}
