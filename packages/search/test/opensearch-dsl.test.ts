// The OpenSearch adapter's requests, as DSL: what each parameter becomes, the sorts and cursors
// (search_after), the grouped view, facets, and the index mapping. No OpenSearch needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildSearch,
  encodeCursor,
  filterClauses,
  MAPPING,
  sortClause,
  toDoc,
  type IndexRow,
} from '../src/index.ts';

const NOW = 1_800_000_000_000;
const listed = { term: { listed: true } };
const notReserved = { range: { reservedUntil: { gt: NOW } } };

test('no filter: listed and not reserved, price-desc, one more than the page', () => {
  assert.deepEqual(buildSearch({}, NOW), {
    query: { bool: { filter: [listed], must_not: [notReserved] } },
    track_total_hits: false,
    size: 61,
    sort: [{ price: 'desc' }, { marketHashName: 'asc' }, { assetKey: 'asc' }],
  });
});

test('every filter becomes its clause', () => {
  const { filter, must_not } = filterClauses(
    {
      q: 'ak redline',
      minPrice: 100,
      maxPrice: 900,
      exterior: ['field-tested', 'minimal-wear'],
      minFloat: 0.1,
      maxFloat: 0.2,
      paintSeed: 661,
      phase: ['ruby'],
      rarity: ['covert'],
      type: ['rifle'],
      weapon: ['AK-47'],
      statTrak: true,
      souvenir: false,
      sticker: 'Kato*wice',
      tradable: 'now',
      maxTradeLockDays: 3,
      marketHashName: 'AK-47 | Redline (Field-Tested)',
    },
    NOW,
  );
  assert.deepEqual(filter, [
    listed,
    { match: { text: { query: 'ak redline', operator: 'and' } } },
    { range: { price: { gte: 100, lte: 900 } } },
    { terms: { exterior: ['field-tested', 'minimal-wear'] } },
    { range: { floatValue: { gte: 0.1, lte: 0.2 } } },
    { term: { paintSeed: 661 } },
    { terms: { phase: ['ruby'] } },
    { terms: { rarity: ['covert'] } },
    { terms: { type: ['rifle'] } },
    { terms: { weapon: ['ak-47'] } },
    { term: { statTrak: true } },
    { term: { souvenir: false } },
    { wildcard: { stickerNames: { value: '*kato\\*wice*' } } },
    { term: { marketHashName: 'AK-47 | Redline (Field-Tested)' } },
  ]);
  assert.deepEqual(must_not, [
    notReserved,
    { range: { tradableAfter: { gt: NOW } } },
    { range: { tradableAfter: { gt: NOW + 3 * 86_400_000 } } },
  ]);
  assert.deepEqual(filterClauses({ tradable: 'locked' }, NOW).filter.at(-1), {
    range: { tradableAfter: { gt: NOW } },
  });
});

test('sorts are total orders, and a cursor becomes search_after', () => {
  assert.deepEqual(sortClause('float-asc'), [{ floatAsc: 'asc' }, { assetKey: 'asc' }]);
  assert.deepEqual(sortClause('newest'), [{ firstSeen: 'desc' }, { assetKey: 'asc' }]);
  assert.deepEqual(sortClause('popular'), [
    { stock: 'desc' },
    { marketHashName: 'asc' },
    { assetKey: 'asc' },
  ]);
  const cursor = encodeCursor({
    s: 'price-asc',
    g: false,
    n: 450,
    m: 'AWP | Asiimov (Field-Tested)',
    a: '123',
  });
  const body = buildSearch({ sort: 'price-asc', limit: 20, cursor }, NOW);
  assert.equal(body.size, 21);
  assert.deepEqual(body.search_after, [450, 'AWP | Asiimov (Field-Tested)', '00000000000000000123']);
  // A missing float is past the end: the cursor of a sticker in float-desc.
  const f = encodeCursor({ s: 'float-desc', g: false, n: null, m: 'Sticker | Crown (Foil)', a: '9' });
  assert.deepEqual(buildSearch({ sort: 'float-desc', cursor: f }, NOW).search_after, [
    -1,
    '00000000000000000009',
  ]);
});

test('the grouped view: a terms aggregation ordered by the sort key, the cursor as a filter', () => {
  const cursor = encodeCursor({ s: 'price-desc', g: true, n: 500, m: 'M4A4 | Howl (Minimal Wear)' });
  const body = buildSearch({ group: true, limit: 10, cursor }, NOW);
  assert.equal(body.size, 0);
  assert.deepEqual((body.query as { bool: { filter: unknown[] } }).bool.filter.at(-1), {
    bool: {
      should: [
        { range: { price: { lt: 500 } } },
        {
          bool: {
            filter: [
              { term: { price: 500 } },
              { range: { marketHashName: { gt: 'M4A4 | Howl (Minimal Wear)' } } },
            ],
          },
        },
      ],
      minimum_should_match: 1,
    },
  });
  assert.deepEqual(body.aggs, {
    groups: {
      terms: { field: 'marketHashName', size: 11, order: [{ sortKey: 'desc' }, { _key: 'asc' }] },
      aggs: {
        sortKey: { min: { field: 'price' } },
        minPrice: { min: { field: 'price' } },
        maxPrice: { max: { field: 'price' } },
        icon: { top_hits: { size: 1, _source: ['iconUrl'] } },
      },
    },
  });
});

test('facets: one terms aggregation per field and the locked count', () => {
  const aggs = buildSearch({ facets: true, limit: 1 }, NOW).aggs as Record<string, unknown>;
  assert.deepEqual(Object.keys(aggs).sort(), [
    'exterior',
    'locked',
    'phase',
    'rarity',
    'souvenir',
    'statTrak',
    'type',
    'weapon',
  ]);
  assert.deepEqual(aggs.locked, { filter: { range: { tradableAfter: { gt: NOW } } } });
  assert.deepEqual(aggs.exterior, { terms: { field: 'exterior', size: 200 } });
});

test('documents: traits as the API names them, the padded asset key, the listed flag', () => {
  const row: IndexRow = {
    assetId: '42',
    botId: 3,
    marketHashName: '★ StatTrak™ Karambit | Doppler (Factory New)',
    name: '★ StatTrak™ Karambit | Doppler Ruby (Factory New)',
    category: 'knife',
    typeTag: 'CSGO_Type_Knife',
    weapon: 'Karambit',
    rarity: 'Covert',
    exterior: 'Factory New',
    floatValue: null,
    paintSeed: 12,
    stickers: [],
    iconUrl: 'i',
    tradable: true,
    tradableAfterMs: null,
    casket: false,
    firstSeenMs: 5,
    version: 1,
    reservedUntilMs: null,
  };
  const d = toDoc(row, 150_000, 2, true);
  assert.equal(d.assetKey, '00000000000000000042');
  assert.equal(d.phase, 'ruby');
  assert.equal(d.type, 'knife');
  assert.equal(d.exterior, 'factory-new');
  assert.equal(d.statTrak, true);
  assert.equal(d.floatAsc, 2);
  assert.equal(d.floatDesc, -1);
  assert.equal(d.listed, true);
  assert.equal(toDoc(row, null, 2, true).listed, false, 'unpriced');
  assert.equal(toDoc(row, 1, 2, false).listed, false, 'inactive bot');
  // Every field of a document is in the strict mapping.
  assert.deepEqual(Object.keys(d).sort(), Object.keys(MAPPING.mappings.properties).sort());
});

test('a cursor of another sort is refused before any request', () => {
  const cursor = encodeCursor({ s: 'newest', g: false, n: 1, m: 'x', a: '1' });
  assert.throws(() => buildSearch({ sort: 'price-asc', cursor }, NOW), { field: 'cursor' });
});
