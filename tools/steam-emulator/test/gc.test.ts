// Storage units through the GC stand-in (steam.md §8): add/remove, hidden contents, capacity notifications.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CASKET_CAPACITY } from '../src/gc/casket.service.ts';
import { json, postJson, startEmulator } from './helpers.ts';
import type { Emulator } from './helpers.ts';

let emu: Emulator;
before(async () => {
  emu = await startEmulator();
});
after(() => emu.close());

test('items move into and out of a storage unit; contents never show in the inventory', async () => {
  const bot = emu.world.bots()[0]!;
  const { caskets } = await json<{ caskets: Array<{ casketId: string; count: number }> }>(
    await fetch(`${emu.base}/_emulator/gc/${bot.steamid}/caskets`),
  );
  assert.equal(caskets.length, 1);
  const casketId = caskets[0]!.casketId;
  const start = caskets[0]!.count;
  const item = emu.world
    .inventory(bot.steamid, '2')
    .list()
    .find((a) => a.assetid !== casketId)!;

  const added = await json<{ ok: boolean; notification: number; casketCount: number }>(
    await postJson(`${emu.base}/_emulator/gc/${bot.steamid}/caskets/${casketId}/add`, {
      assetid: item.assetid,
    }),
  );
  assert.deepEqual(added, { ok: true, notification: 1013, casketCount: start + 1 });
  const inv = await json<{ assets: Array<{ assetid: string }> }>(
    await fetch(`${emu.base}/inventory/${bot.steamid}/730/2?count=1000`),
  );
  assert.ok(!inv.assets.some((a) => a.assetid === item.assetid));
  const contents = await json<{ items: Array<{ assetid: string; casket_id: string }> }>(
    await fetch(`${emu.base}/_emulator/gc/${bot.steamid}/caskets/${casketId}`),
  );
  assert.ok(contents.items.some((a) => a.assetid === item.assetid && a.casket_id === casketId));

  const removed = await json<{ notification: number }>(
    await postJson(`${emu.base}/_emulator/gc/${bot.steamid}/caskets/${casketId}/remove`, {
      assetid: item.assetid,
    }),
  );
  assert.equal(removed.notification, 1014);
  assert.ok(emu.world.findAsset(bot.steamid, item.assetid));
  const again = await postJson(`${emu.base}/_emulator/gc/${bot.steamid}/caskets/${casketId}/remove`, {
    assetid: item.assetid,
  });
  assert.equal(again.status, 400);
});

test('full storage unit ⇒ 1011, full inventory ⇒ 1015', async () => {
  const bot = emu.world.bots()[1]!;
  const casketId = [...emu.world.casketContents.keys()].find((id) =>
    emu.world.inventory(bot.steamid, '2').get(id),
  )!;
  const contents = emu.world.casketContents.get(casketId)!;
  const inside = [...contents.values()][0];
  const filler = emu.world
    .inventory(bot.steamid, '2')
    .list()
    .find((a) => a.assetid !== casketId)!;
  const saved = new Map(contents);
  for (let i = contents.size; i < CASKET_CAPACITY; i++)
    contents.set(`f${i}`, { ...filler, assetid: `f${i}` });
  const full = await postJson(`${emu.base}/_emulator/gc/${bot.steamid}/caskets/${casketId}/add`, {
    assetid: filler.assetid,
  });
  assert.equal(full.status, 409);
  assert.equal((await json<{ notification: number }>(full)).notification, 1011);
  contents.clear();
  for (const [k, v] of saved) contents.set(k, v);

  if (inside !== undefined) {
    const inv = emu.world.inventory(bot.steamid, '2');
    const added: string[] = [];
    for (let i = emu.world.inventoryCount(bot.steamid); i < emu.world.inventoryCapacity; i++) {
      const id = emu.world.nextAssetId();
      inv.add({ ...filler, assetid: id });
      added.push(id);
    }
    const res = await postJson(`${emu.base}/_emulator/gc/${bot.steamid}/caskets/${casketId}/remove`, {
      assetid: inside.assetid,
    });
    assert.equal((await json<{ notification: number }>(res)).notification, 1015);
    for (const id of added) inv.remove(id);
  }
});
