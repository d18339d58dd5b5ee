// The world survives a restart: params + changed state on disk, regenerate + overlay on load.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { generateWorld } from '../src/world/generate.ts';
import { readSnapshot, restoreWorld, saveWorld, snapshotPath } from '../src/world/persistence.ts';
import { postJson, smallParams, startEmulator } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'steam-emulator-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('state changed over HTTP and in the world is restored after a restart', async () => {
  const world = generateWorld(smallParams({ seed: 3 }));
  let slice = { counter: 0 };
  world.persistence.register({
    name: 'test-slice',
    dump: () => slice,
    load: (d) => (slice = (d as typeof slice) ?? { counter: 0 }),
  });
  const emu = await startEmulator({ world, dataDir: dir });
  const [bot, user] = [world.bots()[0]!, world.users()[0]!];
  const moved = world.moveAssets(
    user.steamid,
    bot.steamid,
    [world.inventory(user.steamid, '2').list()[0]!.assetid],
    {
      toContext: '16',
      tradableAfter: world.clock.now() + 7 * 86400,
    },
  );
  slice.counter = 42;
  await postJson(`${emu.base}/_emulator/clock/advance`, { seconds: 1000 });
  await postJson(`${emu.base}/_emulator/accounts/${user.steamid}`, { privateInventory: true }, 'PATCH');
  const saved = await (await postJson(`${emu.base}/_emulator/snapshot`, { name: 'before-restart' })).json();
  assert.ok((saved as { bytes: number }).bytes > 0);
  await emu.close();
  assert.ok(statSync(snapshotPath(dir)).size > 0);

  // "Restart": a fresh process would do exactly this (main.ts).
  const snapshot = readSnapshot(dir);
  assert.ok(snapshot);
  const restored = restoreWorld(snapshot);
  let restoredSlice: unknown;
  restored.persistence.register({
    name: 'test-slice',
    dump: () => restoredSlice,
    load: (d) => (restoredSlice = d),
  });
  assert.deepEqual(restoredSlice, { counter: 42 });
  assert.ok(restored.clock.offsetSeconds >= 1000);
  assert.equal(restored.account(user.steamid)?.privateInventory, true);
  assert.equal(restored.account(bot.steamid)?.accessToken, bot.accessToken);
  assert.equal(restored.findAsset(user.steamid, moved[0]!.assetid), undefined);
  assert.equal(restored.findAsset(bot.steamid, moved[0]!.newAssetid)?.contextid, '16');
  assert.equal(restored.nextAssetId(), (BigInt(world.lastAssetId) + 1n).toString());

  const emu2 = await startEmulator({ world: restored, dataDir: dir });
  const res = await fetch(`${emu2.base}/inventory/${user.steamid}/730/2?count=10`);
  assert.equal(res.status, 403, 'still private after restart');
  // Named snapshot restore brings back the saved state after further changes.
  restored.removeAsset(bot.steamid, moved[0]!.newAssetid);
  const r = await postJson(`${emu2.base}/_emulator/restore`, { name: 'before-restart' });
  assert.equal(r.status, 200);
  assert.ok(restored.findAsset(bot.steamid, moved[0]!.newAssetid));
  await emu2.close();
});

test('an unchanged world stores only params and accounts', () => {
  const world = generateWorld(smallParams({ seed: 4, bots: 3, itemsPerBot: 500 }));
  const bytes = saveWorld(world, join(dir, 'small'));
  assert.ok(bytes < 50_000, `snapshot ${bytes} bytes`);
});
