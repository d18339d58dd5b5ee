// A saturated pool fails fast with DEPENDENCY_UNAVAILABLE instead of queueing a query for as
// long as the connections stay busy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { sql } from 'kysely';
import { AppError } from '@platform/core';
import { createDatabases, type MainDatabase, type PricingDatabase } from '@platform/db';
import { createTestDatabases } from '@platform/db/testing';

test('waiting for a free connection is bounded: DEPENDENCY_UNAVAILABLE, and the pool recovers', async (t) => {
  const base = await createTestDatabases();
  t.after(() => base.drop());
  const dbs = createDatabases<MainDatabase, PricingDatabase>({
    ...base.settings,
    poolSize: 1,
    acquireTimeoutMs: 200,
  });
  t.after(() => dbs.close());

  // The only connection, held by a transaction until we let it go.
  let release: (() => void) | undefined;
  const holder = dbs.main.transaction().execute(async (trx) => {
    await sql`SELECT 1`.execute(trx);
    await new Promise<void>((r) => (release = r));
  });
  while (release === undefined) await delay(10);
  // Without a bound the query would wait for the holder; the holder gives up after 5 s so that
  // an unbounded pool shows up as this query succeeding, not as a test that hangs.
  const letGo = setTimeout(() => release?.(), 5_000);
  const outcome = await sql`SELECT 1 AS one`.execute(dbs.main).then(
    () => 'ran after waiting for the holder',
    (err: unknown) => err,
  );
  clearTimeout(letGo);
  assert.ok(outcome instanceof AppError, String(outcome));
  assert.equal(outcome.code, 'DEPENDENCY_UNAVAILABLE');
  assert.match(outcome.message, /MySQL/);

  release?.();
  await holder;
  // The connection the abandoned wait would have got went back to the pool.
  const r = await sql<{ one: number }>`SELECT 1 AS one`.execute(dbs.main);
  assert.equal(Number(r.rows[0]?.one), 1);
  const again = await sql<{ one: number }>`SELECT 1 AS one`.execute(dbs.main);
  assert.equal(Number(again.rows[0]?.one), 1);
});

test('MYSQL_URL with ?socket= connects through the unix socket', async (t) => {
  const base = await createTestDatabases();
  t.after(() => base.drop());
  const tcp = createDatabases<MainDatabase, PricingDatabase>(base.settings);
  t.after(() => tcp.close());
  const where = async (dbs: typeof tcp) =>
    (
      await sql<{ socket: string; host: string }>`
        SELECT @@socket AS socket, HOST AS host FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()`.execute(
        dbs.main,
      )
    ).rows[0]!;
  const overTcp = await where(tcp);
  assert.match(overTcp.host, /:\d+$/, 'a TCP client shows as host:port');
  if (!existsSync(overTcp.socket)) {
    t.skip(`the server's socket ${overTcp.socket} is not on this machine`);
    return;
  }
  const url = new URL(base.settings.url);
  url.searchParams.set('socket', overTcp.socket);
  const local = createDatabases<MainDatabase, PricingDatabase>({ ...base.settings, url });
  t.after(() => local.close());
  assert.equal((await where(local)).host, 'localhost', 'a unix-socket client shows as localhost');
});
