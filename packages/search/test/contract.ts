// The contract suite every search adapter passes (api.md "Site inventory"): every filter and
// sort against an independent filter over the same rows, cursor pagination while items are added
// and reserved, reserved exclusion, text rules, the grouped view, a group's items and facets.
// An adapter plugs in through a ContractWorld: the rows are in MySQL, the adapter is told of
// changes the way it is in production (the live index by bus events).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { itemTypeOf, phaseOf, slugOf } from '@platform/core';
import {
  type GroupCard,
  type SearchQuery,
  type SiteItem,
  type SiteSearch,
  type SortName,
} from '../src/index.ts';
import type { IndexRow } from '../src/index.ts';
import { refFacets, refFilter, refGroups, refSort, type Ref } from './reference.ts';

export const NOW = Date.now();
const DAY = 86_400_000;

export interface ContractWorld {
  search: SiteSearch;
  /** Rows now in MySQL that the adapter must learn of (as production tells it). */
  added(rows: IndexRow[]): Promise<void>;
  reserved(assetIds: string[], untilMs: number): Promise<void>;
  released(assetIds: string[]): Promise<void>;
  removed(assetIds: string[]): Promise<void>;
}

/** Withdrawal price per name, the one both sides use (the live index gets it as its priceOf). */
export function priceOf(mhn: string): number | null {
  if (mhn.includes('Unpriced')) return null;
  let h = 7;
  for (const c of mhn) h = (h * 31 + c.charCodeAt(0)) % 100_003;
  // A few names share a price, so ties by name are exercised.
  return 100 + (h % 40) * 25;
}

const SKINS: Array<{ base: string; typeTag: string; weapon: string; rarity: string; float: boolean }> = [
  { base: 'AK-47 | Redline', typeTag: 'CSGO_Type_Rifle', weapon: 'AK-47', rarity: 'Classified', float: true },
  { base: 'AK-47 | Slate', typeTag: 'CSGO_Type_Rifle', weapon: 'AK-47', rarity: 'Restricted', float: true },
  { base: 'M4A4 | Howl', typeTag: 'CSGO_Type_Rifle', weapon: 'M4A4', rarity: 'Contraband', float: true },
  { base: 'AWP | Asiimov', typeTag: 'CSGO_Type_SniperRifle', weapon: 'AWP', rarity: 'Covert', float: true },
  {
    base: 'Glock-18 | Fade',
    typeTag: 'CSGO_Type_Pistol',
    weapon: 'Glock-18',
    rarity: 'Restricted',
    float: true,
  },
  {
    base: '★ Karambit | Doppler',
    typeTag: 'CSGO_Type_Knife',
    weapon: 'Karambit',
    rarity: 'Covert',
    float: true,
  },
  { base: '★ Sport Gloves | Vice', typeTag: 'Type_Hands', weapon: '', rarity: 'Extraordinary', float: true },
  {
    base: 'Sticker | Crown (Foil)',
    typeTag: 'CSGO_Tool_Sticker',
    weapon: '',
    rarity: 'Exotic',
    float: false,
  },
  { base: 'Recoil Case', typeTag: 'CSGO_Type_WeaponCase', weapon: '', rarity: 'Base Grade', float: false },
  { base: 'Unpriced Case', typeTag: 'CSGO_Type_WeaponCase', weapon: '', rarity: 'Base Grade', float: false },
];
const WEARS = ['Factory New', 'Minimal Wear', 'Field-Tested', 'Well-Worn', 'Battle-Scarred'];
const PHASE_NAMES = ['Phase 1', 'Phase 2', 'Phase 3', 'Phase 4', 'Ruby', 'Sapphire'];
const STICKERS = ['Crown (Foil)', 'Titan | Katowice 2014', 'iBUYPOWER | Katowice 2014', 'Natus Vincere'];

let nextAsset = 5_000_000_000;

/** Deterministic varied rows: names, wears, StatTrak/Souvenir, phases, stickers, locks, null floats. */
export function makeRows(n: number, botIds: number[], seed = 1): IndexRow[] {
  let x = seed;
  const rand = () => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return x / 2_147_483_648;
  };
  const rows: IndexRow[] = [];
  for (let i = 0; i < n; i++) {
    const skin = SKINS[Math.floor(rand() * SKINS.length)]!;
    const wear = skin.float ? WEARS[Math.floor(rand() * WEARS.length)]! : null;
    const st = skin.float && rand() < 0.2;
    const sv = skin.float && !st && rand() < 0.1;
    const prefix = `${st ? (skin.base.startsWith('★') ? '★ StatTrak™ ' : 'StatTrak™ ') : ''}${sv ? 'Souvenir ' : ''}`;
    const base = st && skin.base.startsWith('★') ? skin.base.slice(2) : skin.base;
    const mhn = `${prefix}${base}${wear ? ` (${wear})` : ''}`;
    const phase = skin.base.includes('Doppler')
      ? PHASE_NAMES[Math.floor(rand() * PHASE_NAMES.length)]!
      : null;
    const lockRoll = rand();
    const tradableAfterMs =
      lockRoll < 0.15 ? NOW + Math.ceil(rand() * 7) * DAY - 3_600_000 : lockRoll < 0.2 ? NOW - DAY : null;
    const stickerCount = skin.typeTag === 'CSGO_Type_Rifle' && rand() < 0.3 ? 1 + Math.floor(rand() * 3) : 0;
    rows.push({
      assetId: String(nextAsset++ * 3 + Math.floor(rand() * 3)),
      botId: botIds[Math.floor(rand() * botIds.length)]!,
      marketHashName: mhn,
      name: phase ? mhn.replace(' (', ` ${phase} (`) : mhn,
      category: 'weapon',
      typeTag: skin.typeTag,
      weapon: skin.weapon || null,
      rarity: skin.rarity,
      exterior: wear,
      floatValue: skin.float ? (rand() < 0.05 ? null : Math.round(rand() * 1e6) / 1e6) : null,
      paintSeed: skin.float ? Math.floor(rand() * 20) : null,
      stickers: Array.from({ length: stickerCount }, () => STICKERS[Math.floor(rand() * STICKERS.length)]!),
      iconUrl: `icon/${skin.base.length}`,
      tradable: tradableAfterMs === null || tradableAfterMs <= NOW,
      tradableAfterMs,
      casket: false,
      firstSeenMs: NOW - Math.floor(rand() * 1000) * 60_000,
      version: 0,
      reservedUntilMs: null,
    });
  }
  return rows;
}

async function all(search: SiteSearch, q: SearchQuery, limit = 7): Promise<Array<SiteItem | GroupCard>> {
  const out: Array<SiteItem | GroupCard> = [];
  let cursor: string | undefined;
  for (let i = 0; i < 10_000; i++) {
    const page = await search.search({ ...q, limit, ...(cursor ? { cursor } : {}) });
    assert.ok(page.items.length <= limit);
    out.push(...page.items);
    if (!page.nextCursor) return out;
    cursor = page.nextCursor;
  }
  throw new Error('pagination did not end');
}

const SORTS: SortName[] = ['price-desc', 'price-asc', 'float-asc', 'float-desc', 'newest', 'popular'];

const FILTERS: Array<[string, SearchQuery]> = [
  ['no filter', {}],
  ['text "ak redline"', { q: 'ak redline' }],
  ['text prefix, any case "KARAM dop"', { q: 'KARAM dop' }],
  ['text that matches nothing', { q: 'redline howl' }],
  ['text + price range', { q: 'ak', minPrice: 300, maxPrice: 800 }],
  ['minPrice', { minPrice: 700 }],
  ['maxPrice', { maxPrice: 400 }],
  ['exterior (two)', { exterior: ['factory-new', 'battle-scarred'] }],
  ['float range', { minFloat: 0.1, maxFloat: 0.3 }],
  ['paintSeed', { paintSeed: 7 }],
  ['phase', { phase: ['ruby', 'phase-2'] }],
  ['rarity', { rarity: ['covert'] }],
  ['type knife', { type: ['knife'] }],
  ['type + exterior + float', { type: ['rifle'], exterior: ['field-tested'], maxFloat: 0.3 }],
  ['weapon', { weapon: ['AK-47'] }],
  ['statTrak=true', { statTrak: true }],
  ['statTrak=false', { statTrak: false }],
  ['souvenir=true', { souvenir: true }],
  ['sticker contains', { sticker: 'katowice' }],
  ['tradable=now', { tradable: 'now' }],
  ['tradable=locked', { tradable: 'locked' }],
  ['maxTradeLockDays', { maxTradeLockDays: 3 }],
];

/**
 * Registers the suite. `start` builds a world over `rows` (in MySQL before it is called), with
 * `reserved` reserved and `inactiveBots` paused.
 */
export function contractSuite(
  name: string,
  opts: {
    skip?: string;
    start: () => Promise<{
      world: ContractWorld;
      rows: IndexRow[];
      reserved: string[];
      inactiveBots: number[];
      newRows: (n: number) => Promise<IndexRow[]>;
      close: () => Promise<void>;
    }>;
  },
): void {
  test(`search contract: ${name}`, { skip: opts.skip ?? false }, async (t) => {
    const { world, rows, reserved, inactiveBots, newRows, close } = await opts.start();
    t.after(close);
    const ref: Ref = {
      rows: new Map(rows.map((r) => [r.assetId, r])),
      reserved: new Set(reserved),
      inactiveBots: new Set(inactiveBots),
      priceOf,
      now: NOW,
    };

    await t.test('every filter with every sort equals an independent filter, across pages', async () => {
      for (const [label, q] of FILTERS)
        for (const sort of SORTS) {
          const got = (await all(world.search, { ...q, sort })) as SiteItem[];
          // An adapter that writes JSON itself writes the same answer.
          if (world.search.searchJson)
            for (const extra of [{}, { facets: true }, { group: true }, { group: true, facets: true }]) {
              const ask = { ...q, sort, limit: 40, ...extra };
              assert.deepEqual(
                JSON.parse(await world.search.searchJson(ask)),
                JSON.parse(JSON.stringify(await world.search.search(ask))),
                `${label}, sort ${sort}, ${JSON.stringify(extra)}: searchJson`,
              );
            }
          const want = refSort(ref, refFilter(ref, q), sort);
          assert.deepEqual(
            got.map((i) => i.assetId),
            want.map((r) => r.assetId),
            `${label}, sort ${sort}`,
          );
        }
    });

    await t.test('an item shows the contract fields, priced, with its days left when locked', async () => {
      const page = await world.search.search({ limit: 200, tradable: 'locked' });
      assert.ok(page.items.length > 0);
      assert.equal(page.currency, 'USD');
      for (const item of page.items as SiteItem[]) {
        const r = ref.rows.get(item.assetId)!;
        assert.equal(item.marketHashName, r.marketHashName);
        assert.equal(item.name, r.name);
        assert.equal(item.price, priceOf(r.marketHashName));
        assert.equal(item.floatValue, r.floatValue);
        assert.equal(item.paintSeed, r.paintSeed);
        assert.equal(item.phase, phaseOf(r.name));
        assert.equal(item.exterior, slugOf(r.exterior));
        assert.equal(item.type, itemTypeOf(r.typeTag));
        assert.deepEqual(
          item.stickers,
          r.stickers.map((n, slot) => ({ name: n, slot })),
        );
        assert.equal(item.tradableAt, new Date(r.tradableAfterMs!).toISOString());
        assert.equal(item.tradeLockDays, Math.ceil((r.tradableAfterMs! - NOW) / DAY));
        assert.ok(!('botId' in item), 'bot ids never appear');
      }
      const now = (await world.search.search({ limit: 50, tradable: 'now' })).items as SiteItem[];
      for (const item of now) assert.equal(item.tradableAt, null);
    });

    await t.test('reserved items, unpriced names and paused bots are never listed', async () => {
      const listedIds = new Set((await all(world.search, {}, 200)).map((i) => (i as SiteItem).assetId));
      for (const a of reserved) assert.ok(!listedIds.has(a), `reserved ${a} is listed`);
      for (const r of rows) {
        if (priceOf(r.marketHashName) === null) assert.ok(!listedIds.has(r.assetId));
        if (ref.inactiveBots.has(r.botId)) assert.ok(!listedIds.has(r.assetId));
      }
    });

    await t.test('the grouped view and the items of one group', async () => {
      for (const sort of SORTS) {
        for (const q of [{}, { type: ['rifle'] }, { maxFloat: 0.5 }, { q: 'case' }] as SearchQuery[]) {
          const got = (await all(world.search, { ...q, sort, group: true }, 3)) as GroupCard[];
          const want = refGroups(ref, q, sort);
          assert.deepEqual(
            got.map((g) => ({ mhn: g.marketHashName, count: g.count })),
            want,
            `grouped ${JSON.stringify(q)} ${sort}`,
          );
          for (const g of got) {
            assert.equal(g.minPrice, priceOf(g.marketHashName));
            assert.equal(g.maxPrice, priceOf(g.marketHashName));
          }
        }
      }
      const first = ((await world.search.search({ group: true, limit: 1 })).items as GroupCard[])[0]!;
      const items = (await all(world.search, { marketHashName: first.marketHashName })) as SiteItem[];
      assert.equal(items.length, first.count);
      assert.ok(items.every((i) => i.marketHashName === first.marketHashName));
    });

    await t.test('facet counts', async () => {
      for (const q of [{}, { type: ['rifle'] }, { q: 'ak', maxFloat: 0.4 }] as SearchQuery[]) {
        const page = await world.search.search({ ...q, facets: true, limit: 1 });
        const matched = refFilter(ref, q);
        const want = refFacets(ref, matched);
        const f = page.facets!;
        for (const k of [
          'exterior',
          'type',
          'rarity',
          'weapon',
          'phase',
          'statTrak',
          'souvenir',
          'tradable',
        ] as const)
          assert.deepEqual(f[k], want[k], k);
      }
    });

    await t.test('pagination stays stable while items are added and reserved', async () => {
      for (const sort of SORTS) {
        const seen: string[] = [];
        let cursor: string | undefined;
        const before = refSort(ref, refFilter(ref, {}), sort).map((r) => r.assetId);
        let step = 0;
        const reservedNow = new Set<string>();
        for (;;) {
          const page = await world.search.search({ sort, limit: 25, ...(cursor ? { cursor } : {}) });
          for (const i of page.items as SiteItem[]) {
            assert.ok(!reservedNow.has(i.assetId), `a reserved item ${i.assetId} was listed`);
            seen.push(i.assetId);
          }
          if (!page.nextCursor) break;
          cursor = page.nextCursor;
          step++;
          if (step === 1) {
            // Changes mid-walk: new items, and a reservation of items still ahead.
            const added = await newRows(5);
            for (const r of added) ref.rows.set(r.assetId, r);
            await world.added(added);
            const ahead = before.filter((a) => !seen.includes(a)).slice(3, 6);
            for (const a of ahead) {
              reservedNow.add(a);
              ref.reserved.add(a);
            }
            await world.reserved(ahead, NOW + 600_000);
          }
        }
        assert.equal(new Set(seen).size, seen.length, `${sort}: no item twice`);
        // Everything listed before and never reserved is still reached.
        for (const a of before)
          if (!reservedNow.has(a)) assert.ok(seen.includes(a), `${sort}: ${a} was skipped`);
        // Released again: listed again.
        await world.released([...reservedNow]);
        for (const a of reservedNow) ref.reserved.delete(a);
        const after = (await all(world.search, { sort }, 200)).map((i) => (i as SiteItem).assetId);
        assert.deepEqual(
          after,
          refSort(ref, refFilter(ref, {}), sort).map((r) => r.assetId),
        );
      }
    });

    await t.test('removed items leave at once', async () => {
      const victims = refSort(ref, refFilter(ref, {}), 'price-desc')
        .slice(0, 3)
        .map((r) => r.assetId);
      await world.removed(victims);
      for (const a of victims) ref.rows.delete(a);
      const page = (await world.search.search({ limit: 10 })).items as SiteItem[];
      for (const a of victims) assert.ok(!page.some((i) => i.assetId === a));
    });

    await t.test('a cursor of another sort or a forged one is refused, naming the cursor', async () => {
      const page = await world.search.search({ sort: 'price-asc', limit: 2 });
      await assert.rejects(world.search.search({ sort: 'newest', cursor: page.nextCursor! }), {
        field: 'cursor',
      });
      await assert.rejects(world.search.search({ cursor: 'not-a-cursor' }), { field: 'cursor' });
      await assert.rejects(world.search.search({ minPrice: 5, maxPrice: 1 }), { field: 'minPrice' });
    });
  });
}
