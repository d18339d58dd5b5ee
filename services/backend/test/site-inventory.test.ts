// GET /api/v1/inventory/site on the backend, end to end: the emulator's world read by sinv into
// MySQL, prices imported, the backend's in-process index loaded from MySQL; a trade's
// reservation (through the outbox and the bus) takes its item out of the listing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { documentationProblems, eventually } from '@platform/testing';
import { createTrade, player, siteItems, startTrading, type Trading } from './trading.harness.ts';

let t: Trading;
before(async () => {
  t = await startTrading({ bots: 2, itemsPerBot: 60, users: 2 });
  await eventually(() => t.backend.search.ready(), 30_000);
});
after(() => t?.close());

interface Item {
  assetId: string;
  marketHashName: string;
  price: number;
  tradableAt: string | null;
  tradeLockDays: number;
}

async function list(query: string) {
  const res = await t.app.inject(`/api/v1/inventory/site${query}`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json<{ items: Item[]; nextCursor: string | null; currency: string; facets?: unknown }>();
}

test('the listing: every listed site item, priced at the withdrawal price, no bot ids', async () => {
  const all: Item[] = [];
  let cursor = '';
  for (;;) {
    const page = await list(`?limit=50&sort=price-asc${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(page.currency, 'USD');
    all.push(...page.items);
    if (!page.nextCursor) break;
    cursor = encodeURIComponent(page.nextCursor);
  }
  const tradableNow = await siteItems(t);
  const listed = new Map(all.map((i) => [i.assetId, i]));
  for (const s of tradableNow) {
    const item = listed.get(s.assetId);
    assert.ok(item, `${s.assetId} is listed`);
    assert.equal(BigInt(item.price), s.price);
  }
  for (const i of all) {
    assert.ok(!('botId' in i));
    if (i.tradableAt !== null) assert.ok(i.tradeLockDays >= 1);
  }
  const prices = all.map((i) => i.price);
  assert.deepEqual(
    prices,
    [...prices].sort((a, b) => a - b),
  );
  // Grouped, and facets.
  const groups = await list('?group=true&facets=true&limit=200');
  const total = (groups.items as unknown as Array<{ count: number }>).reduce((n, g) => n + g.count, 0);
  assert.equal(total, all.length);
  assert.ok(groups.facets);
});

test('a trade that reserves an item takes it out of the listing (outbox → bus → index)', async () => {
  const p = await player(t, 0, { balance: 10_000_000n });
  const [wanted] = await siteItems(t, 50);
  assert.ok(wanted);
  const before = await list(`?marketHashName=${encodeURIComponent(wanted.marketHashName)}&limit=200`);
  assert.ok(before.items.some((i) => i.assetId === wanted.assetId));
  const res = await createTrade(t, p, { receive: [wanted.assetId] });
  assert.equal(res.statusCode, 201, res.body);
  await eventually(async () => {
    const page = await list(`?marketHashName=${encodeURIComponent(wanted.marketHashName)}&limit=200`);
    return !page.items.some((i) => i.assetId === wanted.assetId);
  });
});

test('every bad parameter is a 400 naming it', async () => {
  const cases: Array<[string, string]> = [
    ['minPrice=-1', 'minPrice'],
    ['maxPrice=cheap', 'maxPrice'],
    ['exterior=brand-new', 'exterior'],
    ['minFloat=2', 'minFloat'],
    ['maxFloat=x', 'maxFloat'],
    ['paintSeed=-3', 'paintSeed'],
    ['phase=Phase%202', 'phase'],
    ['rarity=!', 'rarity'],
    ['type=Rifle', 'type'],
    ['weapon=', 'weapon'],
    ['statTrak=maybe', 'statTrak'],
    ['souvenir=2', 'souvenir'],
    ['sticker=', 'sticker'],
    ['tradable=soon', 'tradable'],
    ['maxTradeLockDays=99', 'maxTradeLockDays'],
    ['sort=cheapest', 'sort'],
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
    ['cursor=not-ours', 'cursor'],
    ['group=yes', 'group'],
    ['facets=please', 'facets'],
    ['marketHashName=', 'marketHashName'],
    [`q=${'a'.repeat(101)}`, 'q'],
    ['minPrice=500&maxPrice=100', 'minPrice'],
    ['minFloat=0.5&maxFloat=0.1', 'minFloat'],
    ['botId=1', 'botId'],
  ];
  for (const [query, field] of cases) {
    const res = await t.app.inject(`/api/v1/inventory/site?${query}`);
    assert.equal(res.statusCode, 400, `${query}: ${res.body}`);
    const body = res.json<{ error: { code: string; field: string; message: string } }>();
    assert.equal(body.error.code, 'VALIDATION_FAILED', query);
    assert.equal(body.error.field.split('/')[2], field, `${query} names ${body.error.field}`);
  }
  // A cursor of another sort is refused too.
  const page = await list('?limit=1&sort=newest');
  const res = await t.app.inject(`/api/v1/inventory/site?cursor=${encodeURIComponent(page.nextCursor!)}`);
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().error.field, '/querystring/cursor');
});

test('the route is documented (OpenAPI)', async () => {
  assert.deepEqual(
    (await documentationProblems(t.app)).filter((p) => p.includes('inventory/site')),
    [],
  );
});
