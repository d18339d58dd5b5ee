import { after, before, test } from 'node:test';
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { migrateAll, SettingsRepository } from '@platform/db';
import { createTestDatabases, type TestDatabases } from '@platform/db/testing';

let dbs: TestDatabases;
before(async () => {
  dbs = await createTestDatabases();
});
after(async () => {
  await dbs.drop();
});

test('migrations apply from empty and create both schemas', async () => {
  const tables = await sql<{ TABLE_NAME: string }>`
    SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${dbs.settings.database} ORDER BY 1`.execute(
    dbs.main,
  );
  const names = tables.rows.map((r) => r.TABLE_NAME);
  for (const t of [
    'users',
    'balances',
    'ledger',
    'bots',
    'items',
    'reservations',
    'trades',
    'trade_items',
    'offers',
    'outbox',
    'settings',
    'allowed_partners',
  ]) {
    assert.ok(names.includes(t), `missing table ${t}`);
  }
  const pricing = await sql<{ TABLE_NAME: string }>`
    SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${dbs.settings.pricingDatabase} ORDER BY 1`.execute(
    dbs.main,
  );
  assert.deepEqual(
    pricing.rows
      .map((r) => r.TABLE_NAME)
      .filter((n) => !n.startsWith('kysely_'))
      .sort(),
    ['price_blocklist', 'price_history', 'price_imports', 'price_overrides', 'prices'],
  );
});

test('re-applying migrations is a no-op', async () => {
  const reports = await migrateAll(dbs.settings);
  assert.deepEqual(
    reports.map((r) => r.applied),
    [[], []],
  );
});

test('64-bit ids and money come back as exact decimal strings', async () => {
  const steamId = '76561198000000001';
  await dbs.main.insertInto('users').values({ steam_id: steamId }).execute();
  const user = await dbs.main
    .selectFrom('users')
    .selectAll()
    .where('steam_id', '=', steamId)
    .executeTakeFirstOrThrow();
  assert.equal(user.steam_id, steamId);
  const big = '9007199254740993'; // 2^53 + 1: a double would round it
  await dbs.main.insertInto('balances').values({ user_id: user.id, amount: big }).execute();
  const bal = await dbs.main
    .selectFrom('balances')
    .select('amount')
    .where('user_id', '=', user.id)
    .executeTakeFirstOrThrow();
  assert.equal(bal.amount, big);
});

test('the database refuses a negative balance', async () => {
  await dbs.main.insertInto('users').values({ steam_id: '76561198000000002' }).execute();
  const user = await dbs.main
    .selectFrom('users')
    .select('id')
    .where('steam_id', '=', '76561198000000002')
    .executeTakeFirstOrThrow();
  await assert.rejects(
    dbs.main.insertInto('balances').values({ user_id: user.id, amount: '-1' }).execute(),
    /ck_balances_non_negative|CONSTRAINT/,
  );
});

test('an asset has at most one active reservation; a released one frees it', async () => {
  await dbs.main.insertInto('users').values({ steam_id: '76561198000000003' }).execute();
  const user = await dbs.main
    .selectFrom('users')
    .select('id')
    .where('steam_id', '=', '76561198000000003')
    .executeTakeFirstOrThrow();
  const newTrade = async (key: string) => {
    const r = await dbs.main
      .insertInto('trades')
      .values({
        user_id: user.id,
        kind: 'withdraw',
        state: 'pending',
        idempotency_key: key,
        user_gives_value: '0',
        user_receives_value: '0',
        balance_hold: '0',
      })
      .executeTakeFirstOrThrow();
    return String(r.insertId);
  };
  const t1 = await newTrade('a');
  const t2 = await newTrade('b');
  await dbs.main
    .insertInto('reservations')
    .values({ asset_id: '123', trade_id: t1, reserved_until: new Date(Date.now() + 600_000) })
    .execute();
  await assert.rejects(
    dbs.main
      .insertInto('reservations')
      .values({ asset_id: '123', trade_id: t2, reserved_until: new Date(Date.now() + 600_000) })
      .execute(),
    /Duplicate entry/,
  );
  await dbs.main
    .updateTable('reservations')
    .set({ released_at: new Date() })
    .where('trade_id', '=', t1)
    .execute();
  await dbs.main
    .insertInto('reservations')
    .values({ asset_id: '123', trade_id: t2, reserved_until: new Date(Date.now() + 600_000) })
    .execute();
});

test('pricing database is reachable through its own schema', async () => {
  await dbs.pricing
    .insertInto('prices')
    .values({ market_hash_name: 'AK-47 | Redline (Field-Tested)', price: '1234', source: 'test' })
    .execute();
  const row = await dbs.pricing.selectFrom('prices').selectAll().executeTakeFirstOrThrow();
  assert.equal(row.price, '1234');
  await assert.rejects(
    dbs.pricing
      .insertInto('prices')
      .values({ market_hash_name: 'Zero', price: '0', source: 'test' })
      .execute(),
    /CONSTRAINT|ck_prices_positive/,
  );
});

test('settings round-trip JSON values', async () => {
  const repo = new SettingsRepository(dbs.main);
  assert.equal(await repo.get('site.disabled'), undefined);
  await repo.set('site.disabled', true, 'test');
  assert.equal(await repo.get('site.disabled'), true);
  await repo.set('site.disabled', false, 'test');
  assert.equal(await repo.get('site.disabled'), false);
  // A string that reads as JSON itself must come back as that string (read exactly once).
  await repo.set('motd', '123', 'test');
  assert.equal(await repo.get('motd'), '123');
});

test('after a pricing transaction, close() ends every connection: the process exits by itself', async () => {
  // A leaked connection keeps a process alive; the child would then never exit and be killed.
  const script = `
    import { createDatabases } from '@platform/db';
    const own = createDatabases({ ...${JSON.stringify(dbs.settings)}, url: new URL(${JSON.stringify(dbs.settings.url.toString())}) });
    await own.pricing.transaction().execute(async (trx) => {
      await trx.insertInto('price_history').values({ market_hash_name: 'Tx', price: '5', source: 'test' }).execute();
    });
    await own.close();
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' });
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code, signal] = await new Promise<[number | null, string | null]>((r) =>
    child.once('exit', (c, s) => r([c, s])),
  );
  clearTimeout(killer);
  assert.equal(signal, null, 'the process had to be killed: a connection stayed open');
  assert.equal(code, 0);
  const rows = await dbs.pricing
    .selectFrom('price_history')
    .select('price')
    .where('market_hash_name', '=', 'Tx')
    .execute();
  assert.deepEqual(rows, [{ price: '5' }]);
});

test('npm run db:migrate with a bad setting lists the problems and exits 2, without a stack trace', async () => {
  const cli = new URL('../src/cli/migrate.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, [cli], {
    env: { ...process.env, MYSQL_POOL_SIZE: '0', MYSQL_URL: 'http://root@127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  assert.equal(code, 2, stderr);
  assert.match(stderr, /- MYSQL_POOL_SIZE /);
  assert.match(stderr, /- MYSQL_URL /);
  assert.doesNotMatch(stderr, /\n\s+at /);
});
