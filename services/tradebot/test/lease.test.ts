// Leases: two processes split the fleet; when one dies (SIGKILL) the other takes its bots within
// a lease period; a process that stops gives its bots back at once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, stopProcess } from '@platform/testing';
import { startFleet, type Fleet } from './fleet.harness.ts';

let f: Fleet;
before(async () => {
  f = await startFleet({ bots: 4, itemsPerBot: 10, users: 1 });
});
after(() => f.close());

const owners = async () =>
  (await f.db.selectFrom('bots').select(['id', 'lease_owner']).orderBy('id').execute()).map(
    (r) => r.lease_owner,
  );

test('split, takeover after a SIGKILL, release on shutdown', async () => {
  const a = f.spawnTradebot({ TRADEBOT_PROCESS_ID: 'proc-a' });
  await eventually(async () => (await owners()).every((o) => o === 'proc-a'), 20_000);

  const b = await f.startTradebot({}, 'proc-b');
  // The newcomer takes its share: the first process gives back what is beyond half.
  await eventually(async () => (await owners()).filter((o) => o === 'proc-b').length === 2, 15_000);
  assert.equal(b.fleet.runtimes.size, 2);

  await stopProcess(a, 'SIGKILL');
  // TRADEBOT_LEASE_MS is 2 s here: the dead process's bots are taken within a few lease periods.
  await eventually(() => b.fleet.runtimes.size === 4, 10_000);
  assert.deepEqual(await owners(), ['proc-b', 'proc-b', 'proc-b', 'proc-b']);

  await f.stopTradebot(b);
  const keys = await Promise.all([1, 2, 3, 4].map((id) => f.stores.redis.get(`${f.prefix}lease:bot:${id}`)));
  assert.deepEqual(keys, [null, null, null, null], 'leases given back on shutdown');
});
