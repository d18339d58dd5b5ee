import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { sql } from 'kysely';
import { parseCsvFeed, parseFeed, parseJsonFeed } from '../src/pricing/price-feed.ts';
import { createPricing } from '../src/runtime.ts';
import { uniquePrefix } from '@platform/testing';
import {
  inventoryContext,
  startEmulator,
  startHttp,
  startStores,
  type Emulator,
  type Stores,
} from './harness.ts';

let emu: Emulator;
let stores: Stores;
let feedServer: { url: string; close(): void };
let feedBody = '';
let feedType = 'application/json';
let feedUrl: string;

before(async () => {
  [emu, stores] = await Promise.all([startEmulator(), startStores()]);
  // A feed we control, to serve malformed rows.
  feedServer = await startHttp((_req, res) => {
    res.writeHead(200, { 'content-type': feedType });
    res.end(feedBody);
  });
  feedUrl = `${feedServer.url}feed`;
});
after(async () => {
  feedServer.close();
  await emu.close();
  await stores.close();
});

test('feed rows are validated one by one: bad rows are reported, never stored as zero', () => {
  const json = parseJsonFeed(
    JSON.stringify([
      { market_hash_name: 'AK-47 | Redline (Field-Tested)', price: 1234 },
      { market_hash_name: 'Zero', price: 0 },
      { market_hash_name: 'Negative', price: -5 },
      { market_hash_name: 'Float', price: 12.5 },
      { market_hash_name: '', price: 100 },
      { price: 100 },
      { market_hash_name: 'AK-47 | Redline (Field-Tested)', price: 99 },
      { market_hash_name: 'Text', price: '250' },
      'garbage',
    ]),
  );
  assert.deepEqual(
    json.rows.map((r) => [r.marketHashName, r.price]),
    [
      ['AK-47 | Redline (Field-Tested)', 1234n],
      ['Text', 250n],
    ],
  );
  assert.deepEqual(
    json.rejected.map((r) => r.row),
    [2, 3, 4, 5, 6, 7, 9],
  );
  assert.match(json.rejected.find((r) => r.row === 7)!.reason, /duplicate/);
  const csv = parseCsvFeed('market_hash_name,price\n"Sticker | Team, ""Quoted"" (Foil)",77\nBad,abc\n,5\n');
  assert.deepEqual(csv.rows, [{ marketHashName: 'Sticker | Team, "Quoted" (Foil)', price: 77n }]);
  assert.equal(csv.rejected.length, 2);
  assert.equal(parseFeed('market_hash_name,price\nA,1\n', 'auto').format, 'csv');
  assert.throws(() => parseCsvFeed('name,cost\nA,1\n'), /header/);
});

test('a feed that starts with a UTF-8 byte order mark (spreadsheet exports) still parses', () => {
  const csv = parseFeed('\uFEFFmarket_hash_name,price\r\nA,12\r\n', 'auto');
  assert.equal(csv.format, 'csv');
  assert.deepEqual(csv.rows, [{ marketHashName: 'A', price: 12n }]);
  const json = parseFeed('\uFEFF[{"market_hash_name":"B","price":34}]', 'auto', 'application/json');
  assert.deepEqual(json.rows, [{ marketHashName: 'B', price: 34n }]);
  assert.deepEqual(parseFeed('\uFEFFmarket_hash_name,price\nC,5\n', 'csv').rows, [
    { marketHashName: 'C', price: 5n },
  ]);
});

test("imports the emulator's feed, JSON and CSV, with history only on change", async (t) => {
  const shared = { REDIS_KEY_PREFIX: uniquePrefix() };
  const pricing = createPricing((await inventoryContext(t, emu, stores, shared)).ctx);
  // Another process's price book, listening for the import event.
  const listener = createPricing((await inventoryContext(t, emu, stores, shared)).ctx);
  await listener.start();
  assert.equal(listener.book.size, 0);
  const first = await pricing.importer.run();
  for (let i = 0; i < 500 && listener.book.size === 0; i++) await delay(10);
  assert.equal(listener.book.size, first.accepted, 'the prices.imported event reloaded the other book');
  assert.equal(first.status, 'ok');
  assert.ok(first.accepted > 50);
  assert.equal(first.changed, first.accepted);
  const count = await stores.dbs.pricing
    .selectFrom('prices')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  assert.equal(Number(count.n), first.accepted);
  const csv = await inventoryContext(t, emu, stores, {
    PRICE_FEED_URL: new URL('_emulator/prices?format=csv', emu.url).toString(),
  });
  const again = await createPricing(csv.ctx).importer.run();
  assert.equal(again.status, 'ok');
  assert.equal(again.accepted, first.accepted);
  assert.equal(again.changed, 0);
  const history = await stores.dbs.pricing
    .selectFrom('price_history')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  assert.equal(Number(history.n), first.accepted);
});

test('a malformed feed: its bad rows are rejected and recorded, a mostly bad feed is refused whole', async (t) => {
  const { ctx } = await inventoryContext(t, emu, stores, {
    PRICE_FEED_URL: feedUrl,
    PRICE_FEED_SOURCE: 'test-feed',
  });
  const pricing = createPricing(ctx);
  feedType = 'text/csv';
  feedBody = 'market_hash_name,price\nGood One,500\nZero One,0\nWords,twelve\nGood Two,700\n';
  const partial = await pricing.importer.run();
  assert.deepEqual([partial.status, partial.accepted, partial.rejected], ['partial', 2, 2]);
  const zero = await stores.dbs.pricing
    .selectFrom('prices')
    .selectAll()
    .where('market_hash_name', 'in', ['Zero One', 'Words'])
    .execute();
  assert.deepEqual(zero, []);
  const run = await stores.dbs.pricing
    .selectFrom('price_imports')
    .selectAll()
    .where('id', '=', partial.importId)
    .executeTakeFirstOrThrow();
  assert.equal(run.status, 'partial');
  assert.equal(run.rows_rejected, 2);
  const errors = (typeof run.errors === 'string' ? JSON.parse(run.errors) : run.errors) as {
    rejected: Array<{ row: number; reason: string }>;
  };
  assert.deepEqual(
    errors.rejected.map((r) => r.row),
    [2, 3],
  );

  feedBody = 'market_hash_name,price\nGood One,1\nA,0\nB,0\nC,x\n';
  const refused = await pricing.importer.run();
  assert.equal(refused.status, 'refused');
  const kept = await stores.dbs.pricing
    .selectFrom('prices')
    .select('price')
    .where('market_hash_name', '=', 'Good One')
    .executeTakeFirstOrThrow();
  assert.equal(kept.price, '500');

  feedType = 'application/json';
  feedBody = '{"not":"a feed"}';
  await assert.rejects(pricing.importer.run(), /array of rows/);
});

test('a database failure while storing a feed records the import as failed and keeps the prices in force', async (t) => {
  const { ctx } = await inventoryContext(t, emu, stores, {
    PRICE_FEED_URL: feedUrl,
    PRICE_FEED_SOURCE: 'test-feed',
  });
  const pricing = createPricing(ctx);
  feedType = 'text/csv';
  feedBody = 'market_hash_name,price\nFault One,500\n';
  await pricing.importer.run();
  // A real fault: the history table disappears under the import (renamed back afterwards).
  const db = stores.dbs.settings.pricingDatabase;
  await sql
    .raw(`RENAME TABLE \`${db}\`.price_history TO \`${db}\`.price_history_off`)
    .execute(stores.dbs.main);
  t.after(() =>
    sql.raw(`RENAME TABLE \`${db}\`.price_history_off TO \`${db}\`.price_history`).execute(stores.dbs.main),
  );
  feedBody = 'market_hash_name,price\nFault One,900\n';
  await assert.rejects(pricing.importer.run());
  const run = await stores.dbs.pricing
    .selectFrom('price_imports')
    .select(['status', 'errors'])
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  assert.equal(run.status, 'failed');
  const kept = await stores.dbs.pricing
    .selectFrom('prices')
    .select('price')
    .where('market_hash_name', '=', 'Fault One')
    .executeTakeFirstOrThrow();
  assert.equal(kept.price, '500');
});

test('prices apply with spreads; an override wins, then expires', async (t) => {
  const { ctx } = await inventoryContext(t, emu, stores, {
    PRICE_FEED_URL: feedUrl,
    PRICE_SPREADS: 'default:90/105,knife:95/102',
  });
  const pricing = createPricing(ctx);
  feedType = 'application/json';
  feedBody = JSON.stringify([
    { market_hash_name: '★ Karambit | Fade (Factory New)', price: 100_000 },
    { market_hash_name: 'P250 | Sand Dune (Field-Tested)', price: 3 },
  ]);
  await pricing.importer.run();
  const now = new Date();
  await pricing.repo.addOverride({
    marketHashName: '★ Karambit | Fade (Factory New)',
    price: 80_000n,
    reason: 'feed spike',
    expiresAt: new Date(now.getTime() + 3_600_000),
    createdBy: 'test',
  });
  await pricing.book.reload();
  assert.deepEqual(pricing.book.priceOf('★ Karambit | Fade (Factory New)', 'knife', now), {
    price: 80_000n,
    source: 'override',
    deposit: 76_000n,
    withdraw: 81_600n,
  });
  // An hour and a second later the override has expired: the feed price applies again.
  const later = new Date(now.getTime() + 3_601_000);
  assert.deepEqual(pricing.book.priceOf('★ Karambit | Fade (Factory New)', 'knife', later), {
    price: 100_000n,
    source: 'feed',
    deposit: 95_000n,
    withdraw: 102_000n,
  });
  assert.equal(pricing.book.priceOf('P250 | Sand Dune (Field-Tested)', 'weapon', now)?.withdraw, 4n);
  assert.equal(pricing.book.priceOf('Unknown', 'weapon', now), null);
});
