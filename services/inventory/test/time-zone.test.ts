// Times are written from JS as UTC and compared with the server's clock (CURRENT_TIMESTAMP), so
// every connection must run in UTC whatever the server's own zone. This file runs a private
// MariaDB whose default zone is +09:00 (the shared server is on UTC and must stay untouched).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestDatabases, type TestDatabases } from '@platform/db/testing';
import { startPrivateMariadb, type PrivateMariadb } from '@platform/testing';
import { PriceBook, PriceReader } from '@platform/pricing';
import { PricingRepository } from '../src/pricing/pricing.repository.ts';

let server: PrivateMariadb;
let dbs: TestDatabases;

before(async () => {
  server = await startPrivateMariadb(['--default-time-zone=+09:00']);
  dbs = await createTestDatabases({ url: server.url });
});
after(async () => {
  await dbs?.drop();
  await server?.close();
});

test('the private server really runs in another zone (what this file relies on)', async () => {
  const r = await sql<{ tz: string }>`SELECT @@GLOBAL.time_zone AS tz`.execute(dbs.main);
  assert.equal(r.rows[0]?.tz, '+09:00');
});

test('an override expiring in an hour applies on a server whose zone is not UTC', async () => {
  const repo = new PricingRepository(dbs.pricing);
  const book = new PriceBook(new PriceReader(dbs), { default: { buyBps: 10_000, sellBps: 10_000 } });
  const name = 'AWP | Asiimov (Field-Tested)';
  await dbs.pricing
    .insertInto('prices')
    .values({ market_hash_name: name, price: '5000', source: 'test' })
    .execute();
  await repo.addOverride({
    marketHashName: name,
    price: 4000n,
    reason: 'test',
    expiresAt: new Date(Date.now() + 3_600_000),
    createdBy: 'test',
  });
  await repo.addOverride({
    marketHashName: 'Expired',
    price: 7n,
    reason: 'test',
    expiresAt: new Date(Date.now() - 3_600_000),
    createdBy: 'test',
  });
  await book.reload();
  const now = new Date();
  assert.deepEqual(
    [book.priceOf(name, 'weapon', now)?.price, book.priceOf(name, 'weapon', now)?.source],
    [4000n, 'override'],
  );
  assert.equal(book.priceOf('Expired', 'weapon', now), null);
});

test('times the server fills in (DEFAULT CURRENT_TIMESTAMP) read back as the real instant', async () => {
  await dbs.pricing
    .insertInto('prices')
    .values({ market_hash_name: 'Clock', price: '1', source: 'test' })
    .execute();
  const row = await dbs.pricing
    .selectFrom('prices')
    .select('updated_at')
    .where('market_hash_name', '=', 'Clock')
    .executeTakeFirstOrThrow();
  // Hours off would be a zone error; the clocks of this machine's processes agree to well under a minute.
  assert.ok(
    Math.abs(row.updated_at.getTime() - Date.now()) < 60_000,
    `updated_at ${row.updated_at.toISOString()} is not now`,
  );
});
