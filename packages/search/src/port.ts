/**
 * The site-inventory search port (api.md "Site inventory"): a query in; a page of items or of
 * groups, facet counts and an opaque cursor out. Parameter and field names are the contract's.
 * Two adapters implement it (memory-index.ts, the default; opensearch.ts beyond one machine) and
 * pass one contract suite (test/contract.ts).
 */

export const EXTERIORS = [
  'factory-new',
  'minimal-wear',
  'field-tested',
  'well-worn',
  'battle-scarred',
] as const;
export const SORTS = ['price-desc', 'price-asc', 'float-asc', 'float-desc', 'newest', 'popular'] as const;
export const TRADABLE = ['now', 'locked', 'any'] as const;

export type SortName = (typeof SORTS)[number];
export type Tradable = (typeof TRADABLE)[number];

export interface SearchQuery {
  /** Text on the item name: every token must start a word of it, in any case. */
  q?: string;
  minPrice?: number;
  maxPrice?: number;
  exterior?: string[];
  minFloat?: number;
  maxFloat?: number;
  paintSeed?: number;
  phase?: string[];
  rarity?: string[];
  type?: string[];
  weapon?: string[];
  statTrak?: boolean;
  souvenir?: boolean;
  /** A sticker whose name contains this (any case). */
  sticker?: string;
  tradable?: Tradable;
  maxTradeLockDays?: number;
  sort?: SortName;
  limit?: number;
  cursor?: string;
  group?: boolean;
  marketHashName?: string;
  facets?: boolean;
}

/** A listed item as the public answer shows it (bot ids and tiers never appear). */
export interface SiteItem {
  assetId: string;
  marketHashName: string;
  name: string;
  /** What the site charges on a withdrawal, minor units. */
  price: number;
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
  /** null when tradable now. */
  tradableAt: string | null;
  /** Days left until tradable (rounded up); 0 when tradable now. */
  tradeLockDays: number;
}

export interface GroupCard {
  marketHashName: string;
  count: number;
  minPrice: number;
  maxPrice: number;
  iconUrl: string;
}

export type FacetCounts = Record<string, number>;

export interface Facets {
  exterior: FacetCounts;
  type: FacetCounts;
  rarity: FacetCounts;
  weapon: FacetCounts;
  phase: FacetCounts;
  statTrak: FacetCounts;
  souvenir: FacetCounts;
  tradable: FacetCounts;
}

export interface SearchPage<T = SiteItem | GroupCard> {
  items: T[];
  nextCursor: string | null;
  currency: 'USD';
  facets?: Facets;
}

export interface SiteSearch {
  search(query: SearchQuery): Promise<SearchPage>;
  /**
   * The same answer as JSON text, when the adapter can write it faster than JSON.stringify of
   * `search`'s answer (the in-process index); the route sends it as it is.
   */
  searchJson?(query: SearchQuery): Promise<string>;
  /**
   * A counter that grows with every change an answer could show, when the adapter has one (the
   * in-process index): an answer cached under one value is current while it stays.
   */
  readonly changes?: number;
}

export const DEFAULT_LIMIT = 60;
export const MAX_LIMIT = 200;

/** A query that does not make sense as a whole (each parameter alone was valid). */
export class SearchQueryError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

/** Checks across parameters, the same for every adapter. */
export function checkQuery(q: SearchQuery): void {
  if (q.minPrice !== undefined && q.maxPrice !== undefined && q.minPrice > q.maxPrice)
    throw new SearchQueryError('minPrice', 'minPrice is greater than maxPrice.');
  if (q.minFloat !== undefined && q.maxFloat !== undefined && q.minFloat > q.maxFloat)
    throw new SearchQueryError('minFloat', 'minFloat is greater than maxFloat.');
  if (q.limit !== undefined && (q.limit < 1 || q.limit > MAX_LIMIT))
    throw new SearchQueryError('limit', `limit must be between 1 and ${MAX_LIMIT}.`);
  if (q.group && q.marketHashName !== undefined)
    throw new SearchQueryError('group', 'group=true lists groups; marketHashName lists the items of one.');
}

/**
 * The cursor: where the last page ended, as (sort, key of the last row). Opaque to clients
 * (base64url JSON); a page starts strictly after that key, so rows added or removed meanwhile
 * never repeat or shift a page. The sort and the view are in it, so a cursor used with another
 * sort is refused rather than misread.
 */
export interface CursorKey {
  s: SortName;
  g: boolean;
  /** The numeric key (price, float, time, count); null for a missing float. */
  n: number | null;
  /** marketHashName (the tie-break by name, and the group's key). */
  m: string;
  /** assetId, the last tie-break (absent for groups). */
  a?: string;
}

export function encodeCursor(k: CursorKey): string {
  return Buffer.from(JSON.stringify(k)).toString('base64url');
}

export function decodeCursor(text: string, sort: SortName, group: boolean): CursorKey {
  let k: unknown;
  try {
    k = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new SearchQueryError('cursor', 'The cursor is not one this API gave.');
  }
  const o = k as Partial<CursorKey> | null;
  if (
    !o ||
    typeof o !== 'object' ||
    !SORTS.includes(o.s as SortName) ||
    typeof o.m !== 'string' ||
    !(o.n === null || (typeof o.n === 'number' && Number.isFinite(o.n))) ||
    (o.a !== undefined && (typeof o.a !== 'string' || !/^\d{1,20}$/.test(o.a))) ||
    typeof o.g !== 'boolean'
  )
    throw new SearchQueryError('cursor', 'The cursor is not one this API gave.');
  if (o.s !== sort || o.g !== group)
    throw new SearchQueryError(
      'cursor',
      'The cursor belongs to another sort or view; start again without it.',
    );
  return o as CursorKey;
}

/** Asset ids as decimal strings compare as numbers: shorter first, then by digits. */
export function compareAssetIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Text rules: words are runs of letters and digits, in lower case ("AK-47 | Redline" → ak, 47, redline). */
export function tokensOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

const DAY_MS = 86_400_000;

export function lockDaysLeft(tradableAtMs: number, nowMs: number): number {
  return tradableAtMs > nowMs ? Math.ceil((tradableAtMs - nowMs) / DAY_MS) : 0;
}
