// The storage-unit port: the emulator adapter over HTTP, and the globaloffensive adapter up to its
// GC connection (no Steam account here: a client without a GC session must refuse, not hang).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, type Emulator } from '@platform/testing';
import GlobalOffensive from 'globaloffensive';
import SteamUser from 'steam-user';
import { EmulatorStorageUnits, GcStorageUnits, StorageUnitError } from '../src/index.ts';

let emu: Emulator;
let units: EmulatorStorageUnits;
let bot: string;

before(async () => {
  emu = await startEmulator({ seed: 7, bots: 1, itemsPerBot: 20, users: 1 });
  units = new EmulatorStorageUnits(emu.url, 5_000);
  bot = emu.world.bots()[0]!.steamid;
});
after(() => emu.close());

const kindOf = (err: unknown) => (err instanceof StorageUnitError ? err.kind : String(err));

describe('storage units through the emulator', () => {
  test('lists the bot’s unit, moves an item in and out, and the inventory follows', async () => {
    const [casket] = await units.listCaskets(bot);
    assert.ok(casket, 'bots own a storage unit');
    const before = await units.contents(bot, casket.casketId);
    assert.equal(before.length, casket.count);
    const item = emu.world
      .inventory(bot, '2')
      .list()
      .find((a) => a.casketCount === undefined)!;
    const added = await units.add(bot, casket.casketId, item.assetid);
    assert.equal(added.casketCount, casket.count + 1);
    assert.equal(emu.world.inventory(bot, '2').get(item.assetid), undefined, 'gone from the inventory');
    assert.ok((await units.contents(bot, casket.casketId)).includes(item.assetid));
    const removed = await units.remove(bot, casket.casketId, item.assetid);
    assert.equal(removed.casketCount, casket.count);
    assert.equal(removed.assetId, item.assetid, 'the emulator keeps the asset id');
    assert.ok(emu.world.inventory(bot, '2').get(item.assetid));
    await assert.rejects(units.remove(bot, casket.casketId, item.assetid), (e) => kindOf(e) === 'not_found');
  });

  test('a full inventory refuses extraction with 1015, a full unit refuses with 1011', async () => {
    const [casket] = await units.listCaskets(bot);
    const item = emu.world
      .inventory(bot, '2')
      .list()
      .find((a) => a.casketCount === undefined)!;
    await units.add(bot, casket!.casketId, item.assetid);
    const cap = emu.world.inventoryCapacity;
    emu.world.inventoryCapacity = emu.world.inventoryCount(bot);
    try {
      await assert.rejects(units.remove(bot, casket!.casketId, item.assetid), (e: unknown) => {
        return kindOf(e) === 'inventory_full' && (e as StorageUnitError).notification === 1015;
      });
    } finally {
      emu.world.inventoryCapacity = cap;
    }
    await units.remove(bot, casket!.casketId, item.assetid);
    const contents = emu.world.casketContents.get(casket!.casketId)!;
    const filler = [...contents.values()][0]!;
    for (let i = contents.size; i < 1000; i++) contents.set(`9${i}`, { ...filler, assetid: `9${i}` });
    await assert.rejects(units.add(bot, casket!.casketId, item.assetid), (e: unknown) => {
      return kindOf(e) === 'casket_full' && (e as StorageUnitError).notification === 1011;
    });
  });
});

describe('storage units through node-globaloffensive', () => {
  test('a client without a GC session is refused as unavailable, without sending', async () => {
    const user = new SteamUser();
    const csgo = new GlobalOffensive(user);
    const gc = new GcStorageUnits(() => Promise.resolve(csgo), 200);
    await assert.rejects(gc.listCaskets(bot), (e) => kindOf(e) === 'unavailable');
    await assert.rejects(gc.add(bot, '1', '2'), (e) => kindOf(e) === 'unavailable');
  });
});
