// Control API (/_emulator): accounts, clock, faults, prices, UI, reset.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { json, postJson, startEmulator } from './helpers.ts';
import type { Emulator } from './helpers.ts';

let emu: Emulator;
before(async () => {
  emu = await startEmulator();
});
after(() => emu.close());

test('lists accounts with secrets, tokens and trade URLs', async () => {
  const body = await json<{ accounts: Array<Record<string, unknown>> }>(
    await fetch(`${emu.base}/_emulator/accounts?kind=bot`),
  );
  assert.equal(body.accounts.length, 2);
  const bot = body.accounts[0]!;
  for (const k of [
    'steamid',
    'sharedSecret',
    'identitySecret',
    'accessToken',
    'refreshToken',
    'apiKey',
    'password',
    'tradeUrl',
    'steamLoginSecure',
  ]) {
    assert.ok(typeof bot[k] === 'string' && bot[k] !== '', k);
  }
  assert.match(
    bot['tradeUrl'] as string,
    /^https:\/\/steamcommunity\.com\/tradeoffer\/new\/\?partner=\d+&token=/,
  );
  const patched = await json(
    await postJson(`${emu.base}/_emulator/accounts/${bot['steamid'] as string}`, { escrowDays: 15 }, 'PATCH'),
  );
  assert.equal(patched['escrowDays'], 15);
  assert.equal(
    (
      await postJson(
        `${emu.base}/_emulator/accounts/${bot['steamid'] as string}`,
        { escrowDays: 'x' },
        'PATCH',
      )
    ).status,
    400,
  );
});

test('advances the world clock', async () => {
  const before = await json<{ now: number }>(await fetch(`${emu.base}/_emulator/clock`));
  const after = await json<{ now: number }>(
    await postJson(`${emu.base}/_emulator/clock/advance`, { seconds: 3600 }),
  );
  assert.ok(after.now - before.now >= 3600 && after.now - before.now < 3610);
  assert.equal(emu.world.clock.now(), after.now);
});

test('fault rules: set, latency, 5xx, outage, list and clear', async () => {
  const bot = emu.world.bots()[0]!.steamid;
  const inv = `${emu.base}/inventory/${bot}/730/2?count=1`;
  await postJson(`${emu.base}/_emulator/faults/inventory`, { latencyMs: 150 }, 'PUT');
  const t = performance.now();
  assert.equal((await fetch(inv)).status, 200);
  assert.ok(performance.now() - t >= 140);
  await postJson(`${emu.base}/_emulator/faults/inventory`, { status5xx: 502, count: 1 }, 'PUT');
  assert.equal((await fetch(inv)).status, 502);
  assert.equal((await fetch(inv)).status, 200);
  const now = emu.world.clock.now();
  await postJson(
    `${emu.base}/_emulator/faults/inventory`,
    { outage: { from: now - 1, until: now + 60 } },
    'PUT',
  );
  assert.equal((await fetch(inv)).status, 503);
  const listed = await json<{ faults: Record<string, unknown> }>(await fetch(`${emu.base}/_emulator/faults`));
  assert.ok(listed.faults['inventory']);
  await fetch(`${emu.base}/_emulator/faults/inventory`, { method: 'DELETE' });
  assert.equal((await fetch(inv)).status, 200);
});

test('price feed: deterministic integer cents, JSON and CSV', async () => {
  const rows = await json<Array<{ market_hash_name: string; price: number }>>(
    await fetch(`${emu.base}/_emulator/prices`),
  );
  assert.ok(rows.length > 50);
  for (const r of rows) assert.ok(Number.isInteger(r.price) && r.price > 0);
  const again = await json<typeof rows>(await fetch(`${emu.base}/_emulator/prices`));
  assert.deepEqual(again, rows);
  // Every marketable item in the world is priced.
  const names = new Set(rows.map((r) => r.market_hash_name));
  const bot = emu.world.bots()[0]!;
  for (const a of emu.world.inventory(bot.steamid, '2').list()) {
    const d = emu.world.description(a);
    if (d.marketable === 1) assert.ok(names.has(d.market_hash_name), d.market_hash_name);
  }
  const csv = await (await fetch(`${emu.base}/_emulator/prices?format=csv`)).text();
  assert.match(csv.split('\n')[0]!, /^market_hash_name,price,currency/);
  assert.equal(csv.trim().split('\n').length, rows.length + 1);
});

test('UI page renders an inventory and registered sections', async () => {
  emu.world.uiSections.push({ title: 'Extra', render: (a) => `<p id="extra">${a.steamid}</p>` });
  const user = emu.world.users()[0]!;
  const html = await (await fetch(`${emu.base}/_emulator/ui?steamid=${user.steamid}`)).text();
  assert.match(html, /<table/);
  assert.match(html, new RegExp(`<p id="extra">${user.steamid}</p>`));
  emu.world.uiSections.pop();
});

test('reset regenerates the world in place', async () => {
  const bot = emu.world.bots()[0]!;
  const first = emu.world.inventory(bot.steamid, '2').list()[0]!;
  emu.world.removeAsset(bot.steamid, first.assetid);
  const res = await json<{ accounts: number }>(await postJson(`${emu.base}/_emulator/reset`, {}));
  assert.equal(res.accounts, 5);
  assert.ok(emu.world.findAsset(bot.steamid, first.assetid));
});
