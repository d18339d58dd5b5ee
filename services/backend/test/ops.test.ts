// npm run ops -- balance:adjust: an operator's adjustment, written to the ledger with who and why.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { factory, startStores, testEnv, type Stores } from '@platform/testing';

const cli = fileURLToPath(new URL('../src/cli/ops.ts', import.meta.url));
let stores: Stores;
before(async () => {
  stores = await startStores();
});
after(() => stores.close());

function ops(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...process.env, ...testEnv(stores), LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out, err })));
}

test('balance:adjust credits and debits through the ledger, names the operator, refuses going below zero', async () => {
  const user = await factory.user(stores.dbs.main);
  const credit = await ops([
    'balance:adjust',
    '--steam-id',
    user.steamId,
    '--amount',
    '1500',
    '--reason',
    'goodwill, ticket 42',
    '--operator',
    'ops-ann',
  ]);
  assert.equal(credit.code, 0, credit.err);
  assert.match(credit.out, /balance now 1500 cents/);
  const debit = await ops([
    'balance:adjust',
    '--steam-id',
    user.steamId,
    '--amount',
    '-500',
    '--reason',
    'correction',
  ]);
  assert.equal(debit.code, 0, debit.err);
  const refused = await ops([
    'balance:adjust',
    '--steam-id',
    user.steamId,
    '--amount',
    '-5000',
    '--reason',
    'too much',
  ]);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /INSUFFICIENT_BALANCE/);
  assert.equal(
    (await ops(['balance:adjust', '--steam-id', 'x', '--amount', '1', '--reason', 'bad id'])).code,
    2,
  );
  assert.equal((await ops(['nope'])).code, 2);
  const ledger = await stores.dbs.main
    .selectFrom('ledger')
    .select(['delta', 'balance_after', 'reason', 'note'])
    .where('user_id', '=', user.id)
    .orderBy('id')
    .execute();
  assert.deepEqual(
    ledger.map((l) => [l.delta, l.balance_after, l.reason, l.note]),
    [
      ['1500', '1500', 'adjustment', 'ops-ann: goodwill, ticket 42'],
      [
        '-500',
        '1000',
        'adjustment',
        `${process.env.USER ?? (await import('node:os')).userInfo().username}: correction`,
      ],
    ],
  );
  const outbox = await stores.dbs.main.selectFrom('outbox').select('topic').execute();
  assert.equal(outbox.filter((o) => o.topic === 'event:balance.updated').length, 2, 'each change announced');
});
