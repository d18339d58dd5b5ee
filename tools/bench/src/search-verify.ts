// The search bench's --verify: every filter, sort and view of api.md "Site inventory" asked of
// the backend's route over the whole bench world (400k items and more) and compared with the
// independent reference (packages/search/test/reference.ts) over the rows MySQL holds. Each
// filter × sort: the first pages by cursor (all of them when the answer is small); the grouped
// view; a group's items; the facet counts.
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { MainDatabase } from '@platform/db';
import {
  ItemsSource,
  type GroupCard,
  type IndexRow,
  type SearchQuery,
  type SiteItem,
  type SortName,
} from '@platform/search';
import { refFacets, refFilter, refGroups, refSort, type Ref } from '@platform/search/reference';

const SORTS: SortName[] = ['price-desc', 'price-asc', 'float-asc', 'float-desc', 'newest', 'popular'];
const PAGE = 60;
/** Pages compared per filter and sort (all of them when the reference has at most WALK_ALL rows). */
const PAGES = 3;
const WALK_ALL = 600;

interface Answer {
  items: Array<SiteItem | GroupCard>;
  nextCursor: string | null;
  facets?: Record<string, Record<string, number>>;
}

function urlOf(
  q: SearchQuery & { limit?: number; cursor?: string; group?: boolean; facets?: boolean },
): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) p.append(k, String(x));
    else p.append(k, String(v));
  }
  return `/api/v1/inventory/site?${p.toString()}`;
}

export interface VerifyReport {
  rows: number;
  queries: number;
  requests: number;
  comparedItems: number;
  seconds: number;
}

/**
 * Asserts the route's answers equal the reference's; throws at the first difference, naming the
 * query. `priceOf` is the price book the index prices by (the source of truth for prices).
 */
export async function verifySearch(o: {
  db: Kysely<MainDatabase>;
  app: FastifyInstance;
  priceOf: (marketHashName: string, category: string) => number | null;
  progress: (line: string) => void;
}): Promise<VerifyReport> {
  const t0 = performance.now();
  const source = new ItemsSource(o.db);
  const rows = new Map<string, IndexRow>();
  for await (const page of source.pages(10_000)) for (const r of page) rows.set(r.assetId, r);
  const now = Date.now();
  const reserved = new Set(
    [...(await source.activeReservations())].filter(([, until]) => until > now).map(([a]) => a),
  );
  const prices = new Map<string, number | null>();
  for (const r of rows.values())
    if (!prices.has(r.marketHashName)) prices.set(r.marketHashName, o.priceOf(r.marketHashName, r.category));
  const ref: Ref = {
    rows,
    reserved,
    inactiveBots: new Set(await source.inactiveBots()),
    priceOf: (mhn) => prices.get(mhn) ?? null,
    now,
  };

  // Filters over the world's own values: its commonest name, weapon, sticker and paint seed.
  const count = <K>(key: (r: IndexRow) => K | null) => {
    const m = new Map<K, number>();
    for (const r of rows.values()) {
      const k = key(r);
      if (k !== null) m.set(k, (m.get(k) ?? 0) + 1);
    }
    return [...m].sort((a, b) => b[1] - a[1]).map(([k]) => k);
  };
  const names = count((r) => (r.floatValue !== null ? r.marketHashName : null));
  const weapons = count((r) => r.weapon);
  const stickers = count((r) => r.stickers[0]?.split(' | ')[0] ?? null);
  const seeds = count((r) => r.paintSeed);
  const common = names[0]!;
  const words = common
    .replace(/[★|()™]/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
  const filters: Array<[string, SearchQuery]> = [
    ['no filter', {}],
    [`text "${words.slice(0, 2).join(' ')}"`, { q: words.slice(0, 2).join(' ') }],
    [
      `text prefix, any case "${words[0]!.slice(0, 3).toUpperCase()}"`,
      { q: words[0]!.slice(0, 3).toUpperCase() },
    ],
    ['text that matches nothing', { q: 'zzqx nothing' }],
    ['text "ak" + price range', { q: 'ak', minPrice: 500, maxPrice: 5_000 }],
    ['minPrice', { minPrice: 20_000 }],
    ['maxPrice', { maxPrice: 300 }],
    ['exterior (two)', { exterior: ['factory-new', 'battle-scarred'] }],
    ['float range', { minFloat: 0.1, maxFloat: 0.11 }],
    [`paintSeed ${seeds[5]}`, { paintSeed: seeds[5]! }],
    ['phase', { phase: ['ruby', 'phase-2'] }],
    ['rarity covert', { rarity: ['covert'] }],
    ['type knife', { type: ['knife'] }],
    [
      'type + exterior + float',
      { type: ['rifle'], exterior: ['field-tested'], minFloat: 0.2, maxFloat: 0.25 },
    ],
    [`weapon ${weapons[0]}`, { weapon: [weapons[0]!] }],
    ['statTrak=true', { statTrak: true }],
    ['souvenir=true', { souvenir: true }],
    [`sticker contains "${stickers[0]}"`, { sticker: stickers[0]!.toLowerCase() }],
    ['tradable=now', { tradable: 'now' }],
    ['tradable=locked', { tradable: 'locked' }],
    ['maxTradeLockDays 2', { maxTradeLockDays: 2 }],
    [`a group's items: ${common}`, { marketHashName: common }],
  ];

  let requests = 0;
  let compared = 0;
  const ask = async (q: Parameters<typeof urlOf>[0]): Promise<Answer> => {
    const url = urlOf(q);
    const res = await o.app.inject({ method: 'GET', url });
    requests++;
    assert.equal(res.statusCode, 200, `${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    return res.json<Answer>();
  };

  for (const [i, [label, q]] of filters.entries()) {
    const matched = refFilter(ref, q);
    o.progress(`verify ${i + 1}/${filters.length}: ${label} (${matched.length} items)`);
    for (const sort of SORTS) {
      const want = refSort(ref, matched.slice(), sort);
      const walkAll = want.length <= WALK_ALL;
      const got: SiteItem[] = [];
      let cursor: string | undefined;
      for (let p = 0; walkAll || p < PAGES; p++) {
        const page = await ask({ ...q, sort, limit: PAGE, ...(cursor ? { cursor } : {}) });
        got.push(...(page.items as SiteItem[]));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      const n = walkAll ? want.length : Math.min(want.length, PAGES * PAGE);
      assert.deepEqual(
        got.map((x) => `${x.assetId} ${x.price}`),
        want.slice(0, n).map((r) => `${r.assetId} ${ref.priceOf(r.marketHashName)}`),
        `${label}, sort ${sort}: the route's items differ from the reference's`,
      );
      compared += got.length;
    }
    // The grouped view (first two pages) and the facets of the same filter.
    if (q.marketHashName === undefined)
      for (const sort of SORTS) {
        const want = refGroups(ref, q, sort, matched);
        const got: GroupCard[] = [];
        let cursor: string | undefined;
        for (let p = 0; p < 2; p++) {
          const page = await ask({ ...q, sort, group: true, limit: PAGE, ...(cursor ? { cursor } : {}) });
          got.push(...(page.items as GroupCard[]));
          if (!page.nextCursor) break;
          cursor = page.nextCursor;
        }
        assert.deepEqual(
          got.map((g) => `${g.marketHashName} ×${g.count}`),
          want.slice(0, Math.min(want.length, 2 * PAGE)).map((g) => `${g.mhn} ×${g.count}`),
          `${label}, grouped, sort ${sort}: the route's groups differ from the reference's`,
        );
        compared += got.length;
      }
    const facets = (await ask({ ...q, facets: true, limit: 1 })).facets!;
    const want = refFacets(ref, matched);
    for (const k of Object.keys(want)) assert.deepEqual(facets[k], want[k], `${label}: facet ${k}`);
  }
  return {
    rows: rows.size,
    queries: filters.length,
    requests,
    comparedItems: compared,
    seconds: (performance.now() - t0) / 1000,
  };
}
