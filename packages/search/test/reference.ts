// The independent reference the search adapters are checked against (api.md "Site inventory"):
// plain filters and sorts over the rows, written from the contract, sharing nothing with the
// adapters but the tokenizer that defines the text rules and the slugs of packages/core. The
// contract suite uses it over a few hundred rows; the search bench's --verify uses it over the
// whole bench world (400k items and more).
import { isSouvenir, isStatTrak, itemTypeOf, phaseOf, slugOf } from '@platform/core';
import {
  compareAssetIds,
  compareStrings,
  tokensOf,
  type FacetCounts,
  type SearchQuery,
  type SortName,
} from '../src/index.ts';
import type { IndexRow } from '../src/index.ts';

const DAY = 86_400_000;

/** What the reference knows: the rows as MySQL holds them, what is reserved and paused, prices. */
export interface Ref {
  rows: Map<string, IndexRow>;
  reserved: Set<string>;
  inactiveBots: Set<number>;
  /** The withdrawal price of a name, or null when it has none (then it is not listed). */
  priceOf: (marketHashName: string) => number | null;
  /** The moment trade locks are judged at, epoch ms. */
  now: number;
}

function listed(ref: Ref, r: IndexRow): boolean {
  return (
    !ref.reserved.has(r.assetId) &&
    !ref.inactiveBots.has(r.botId) &&
    ref.priceOf(r.marketHashName) !== null &&
    !r.casket &&
    (r.tradable || r.tradableAfterMs !== null)
  );
}

function textMatches(q: string, name: string): boolean {
  const words = tokensOf(name);
  return tokensOf(q).every((t) => words.some((w) => w.startsWith(t)));
}

export function refFilter(ref: Ref, q: SearchQuery): IndexRow[] {
  const now = ref.now;
  return [...ref.rows.values()].filter((r) => {
    if (!listed(ref, r)) return false;
    const price = ref.priceOf(r.marketHashName)!;
    const lock = r.tradableAfterMs !== null && r.tradableAfterMs > now;
    if (q.q && !textMatches(q.q, r.marketHashName)) return false;
    if (q.minPrice !== undefined && price < q.minPrice) return false;
    if (q.maxPrice !== undefined && price > q.maxPrice) return false;
    if (q.exterior && !q.exterior.includes(slugOf(r.exterior) ?? '')) return false;
    if (q.minFloat !== undefined && !(r.floatValue !== null && r.floatValue >= q.minFloat)) return false;
    if (q.maxFloat !== undefined && !(r.floatValue !== null && r.floatValue <= q.maxFloat)) return false;
    if (q.paintSeed !== undefined && r.paintSeed !== q.paintSeed) return false;
    if (q.phase && !q.phase.includes(phaseOf(r.name) ?? '')) return false;
    if (q.rarity && !q.rarity.includes(slugOf(r.rarity) ?? '')) return false;
    if (q.type && !q.type.includes(itemTypeOf(r.typeTag))) return false;
    if (q.weapon && !q.weapon.some((w) => w.toLowerCase() === (r.weapon ?? '').toLowerCase())) return false;
    if (q.statTrak !== undefined && isStatTrak(r.marketHashName) !== q.statTrak) return false;
    if (q.souvenir !== undefined && isSouvenir(r.marketHashName) !== q.souvenir) return false;
    if (q.sticker && !r.stickers.some((s) => s.toLowerCase().includes(q.sticker!.toLowerCase())))
      return false;
    if (q.tradable === 'now' && lock) return false;
    if (q.tradable === 'locked' && !lock) return false;
    if (q.maxTradeLockDays !== undefined && lock && r.tradableAfterMs! > now + q.maxTradeLockDays * DAY)
      return false;
    if (q.marketHashName !== undefined && r.marketHashName !== q.marketHashName) return false;
    return true;
  });
}

/** How many of each name the site holds (on active bots, listable; reserved ones too): `popular`. */
function stock(ref: Ref): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of ref.rows.values())
    if (!ref.inactiveBots.has(r.botId) && !r.casket && (r.tradable || r.tradableAfterMs !== null))
      m.set(r.marketHashName, (m.get(r.marketHashName) ?? 0) + 1);
  return m;
}

export function refSort(ref: Ref, rows: IndexRow[], sort: SortName): IndexRow[] {
  const byName = (a: IndexRow, b: IndexRow) => compareStrings(a.marketHashName, b.marketHashName);
  const byAsset = (a: IndexRow, b: IndexRow) => compareAssetIds(a.assetId, b.assetId);
  const p = (r: IndexRow) => ref.priceOf(r.marketHashName)!;
  const nullsLast = (a: IndexRow, b: IndexRow) =>
    (a.floatValue === null ? 1 : 0) - (b.floatValue === null ? 1 : 0);
  const counts = sort === 'popular' ? stock(ref) : new Map<string, number>();
  const cmp: Record<SortName, (a: IndexRow, b: IndexRow) => number> = {
    'price-asc': (a, b) => p(a) - p(b) || byName(a, b) || byAsset(a, b),
    'price-desc': (a, b) => p(b) - p(a) || byName(a, b) || byAsset(a, b),
    popular: (a, b) =>
      counts.get(b.marketHashName)! - counts.get(a.marketHashName)! || byName(a, b) || byAsset(a, b),
    'float-asc': (a, b) => nullsLast(a, b) || (a.floatValue ?? 0) - (b.floatValue ?? 0) || byAsset(a, b),
    'float-desc': (a, b) => nullsLast(a, b) || (b.floatValue ?? 0) - (a.floatValue ?? 0) || byAsset(a, b),
    newest: (a, b) => b.firstSeenMs - a.firstSeenMs || byAsset(a, b),
  };
  return rows.sort(cmp[sort]);
}

/** The grouped view: one card per name with its count, in the sort's order of the groups' keys. */
export function refGroups(
  ref: Ref,
  q: SearchQuery,
  sort: SortName,
  matched: IndexRow[] = refFilter(ref, q),
): Array<{ mhn: string; count: number }> {
  const groups = new Map<string, IndexRow[]>();
  for (const r of matched) {
    let g = groups.get(r.marketHashName);
    if (!g) groups.set(r.marketHashName, (g = []));
    g.push(r);
  }
  const counts = sort === 'popular' ? stock(ref) : new Map<string, number>();
  const key = (rows: IndexRow[]): number => {
    const floats = rows.map((r) => r.floatValue).filter((f): f is number => f !== null);
    switch (sort) {
      case 'price-asc':
      case 'price-desc':
        return ref.priceOf(rows[0]!.marketHashName)!;
      case 'popular':
        return counts.get(rows[0]!.marketHashName)!;
      case 'float-asc':
        return floats.reduce((a, b) => Math.min(a, b), Infinity);
      case 'float-desc':
        return floats.reduce((a, b) => Math.max(a, b), -Infinity);
      case 'newest':
        return rows.reduce((a, r) => Math.max(a, r.firstSeenMs), -Infinity);
    }
  };
  const desc = sort === 'price-desc' || sort === 'popular' || sort === 'float-desc' || sort === 'newest';
  const list = [...groups].map(([mhn, rows]) => ({ mhn, count: rows.length, key: key(rows) }));
  list.sort((a, b) => {
    const ma = !Number.isFinite(a.key);
    const mb = !Number.isFinite(b.key);
    if (ma !== mb) return ma ? 1 : -1;
    return (a.key === b.key ? 0 : desc ? b.key - a.key : a.key - b.key) || compareStrings(a.mhn, b.mhn);
  });
  return list.map(({ mhn, count }) => ({ mhn, count }));
}

/** The facet counts of the matched rows (api.md: counts per value of each filter). */
export function refFacets(ref: Ref, matched: IndexRow[]): Record<string, FacetCounts> {
  const count = (key: (r: IndexRow) => string | null): FacetCounts => {
    const c: FacetCounts = {};
    for (const r of matched) {
      const k = key(r);
      if (k !== null) c[k] = (c[k] ?? 0) + 1;
    }
    return c;
  };
  const locked = matched.filter((r) => r.tradableAfterMs !== null && r.tradableAfterMs > ref.now).length;
  return {
    exterior: count((r) => slugOf(r.exterior)),
    type: count((r) => itemTypeOf(r.typeTag)),
    rarity: count((r) => slugOf(r.rarity)),
    weapon: count((r) => r.weapon),
    phase: count((r) => phaseOf(r.name)),
    statTrak: count((r) => String(isStatTrak(r.marketHashName))),
    souvenir: count((r) => String(isSouvenir(r.marketHashName))),
    tradable: { now: matched.length - locked, locked },
  };
}
