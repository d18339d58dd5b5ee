// kill -9 of tradebot processes at random points while trades run, and restarts: every trade
// still completes, no offer is sent twice, no item or cent is lost.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { eventually, stopProcess } from '@platform/testing';
import { startFleet, type Fleet } from './fleet.harness.ts';
import { assertItems, assertMoney, assertNoDuplicateOffers } from './checks.ts';

let f: Fleet;
before(async () => {
  f = await startFleet({ bots: 3, itemsPerBot: 40, users: 10 });
});
after(() => f.close());

const TRADES = Number(process.env.KILL_TEST_TRADES ?? 50);
const KILLS = 8;

test(`SIGKILL of tradebots during ${TRADES} trades, then restarts: no duplicate offer, no lost item or cent`, async () => {
  let procs: ChildProcess[] = [f.spawnTradebot(), f.spawnTradebot()];
  await eventually(async () => {
    const rows = await f.db.selectFrom('bots').select('lease_owner').execute();
    return rows.every((r) => r.lease_owner !== null);
  }, 20_000);

  // Users with an authenticator (every fifth has none: its trades would be held) accept a little later.
  const indexes = [0, 1, 2, 3, 5, 6, 7, 8];
  const users: Array<{ userId: string; funded: bigint; headers: Record<string, string> }> = [];
  for (const i of indexes) {
    const p = await f.player(i, 200_000n);
    await f.autoAccept(p.steamId, 'accept', 150 + i * 40);
    users.push({ userId: p.userId, funded: 200_000n, headers: p.headers });
  }
  const site = await f.siteItems();
  const tradeIds: string[] = [];
  let killed = 0;
  let stop = false;
  const killer = (async () => {
    for (let round = 0; round < KILLS && !stop; round++) {
      await new Promise((r) => setTimeout(r, 400 + Math.floor(Math.random() * 800)));
      if (stop) break;
      const victim = procs[Math.floor(Math.random() * procs.length)]!;
      await stopProcess(victim, 'SIGKILL');
      killed++;
      procs = procs.filter((p) => p !== victim);
      procs.push(f.spawnTradebot());
    }
  })();
  const given = new Set<string>();
  try {
    for (let i = 0; i < TRADES; i++) {
      const u = users[i % users.length]!;
      if (i % 4 === 3) {
        const give = (await f.givable(u)).find((g) => !given.has(g.assetId));
        if (give) {
          given.add(give.assetId);
          tradeIds.push((await f.createTrade(u, { give: [give.assetId] })).id);
          continue;
        }
      }
      const item = site.shift()!;
      tradeIds.push((await f.createTrade(u, { receive: [item.assetId] })).id);
      await new Promise((r) => setTimeout(r, 40));
    }
  } finally {
    if (tradeIds.length < TRADES) stop = true;
    await killer;
  }
  const states = await Promise.all(tradeIds.map((id) => f.waitFinal(id, 120_000)));
  for (const p of procs) await stopProcess(p, 'SIGTERM');
  assert.equal(killed, KILLS);
  assert.deepEqual(
    states.filter((s) => s !== 'completed'),
    [],
    'every trade completes: its user accepts',
  );
  const sent = await assertNoDuplicateOffers(f);
  assert.equal(sent, tradeIds.length);
  await assertMoney(f, users);
  await assertItems(f, tradeIds);
});
