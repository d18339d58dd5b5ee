import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SteamInventoryError } from '../src/index.ts';
import { mergePage, parseTradableAfter, SteamInventoryClient } from '../src/index.ts';
import { startEmulator, type Emulator } from '@platform/testing';

let emu: Emulator;
let client: SteamInventoryClient;
before(async () => {
  emu = await startEmulator({
    seed: 11,
    bots: 2,
    itemsPerBot: 120,
    users: 3,
    userItemsMin: 30,
    userItemsMax: 60,
  });
  // A small page size makes a 120-item inventory take three pages.
  client = new SteamInventoryClient({ baseUrl: emu.url, pageSize: 50 });
});
after(async () => {
  await client.close();
  await emu.close();
});

test('pages through an inventory and merges descriptions and asset properties', async () => {
  const bot = emu.world.bots()[0]!;
  const expected = emu.world.inventory(bot.steamid, '2').list();
  const inv = await client.fetchInventory(bot.steamid, '2', { cookie: await emu.cookieOf(bot.steamid) });
  assert.equal(inv.items.length, expected.length);
  assert.ok(expected.length > 100, 'the world gives the bot more than two pages');
  assert.deepEqual(inv.items.map((i) => i.assetId).sort(), expected.map((a) => a.assetid).sort());
  const withWear = expected.find((a) => a.props.paintWear !== undefined)!;
  const item = inv.items.find((i) => i.assetId === withWear.assetid)!;
  assert.equal(item.floatValue, withWear.props.paintWear);
  assert.equal(item.paintSeed, withWear.props.paintSeed ?? null);
  const d = emu.world.description(withWear);
  assert.equal(item.marketHashName, d.market_hash_name);
  assert.ok(item.iconUrl.length > 0);
});

test('context 16 and trade-locked items are visible to the owner only', async () => {
  const bot = emu.world.bots()[0]!;
  const asset = emu.world.inventory(bot.steamid, '2').list()[0]!;
  const until = emu.world.clock.now() + 3 * 86400;
  emu.world.moveAssets(bot.steamid, bot.steamid, [asset.assetid], { toContext: '16', tradableAfter: until });
  const moved = emu.world
    .inventory(bot.steamid, '16')
    .list()
    .find((a) => a.tradableAfter === until)!;
  const cookie = await emu.cookieOf(bot.steamid);
  const owner = await client.fetchInventory(bot.steamid, '16', { cookie });
  assert.equal(owner.items.length, emu.world.inventory(bot.steamid, '16').size);
  const item = owner.items.find((i) => i.assetId === moved.assetid)!;
  assert.equal(item.tradable, false);
  // Day-first dates carry minutes, not seconds.
  assert.equal(Math.floor(item.tradableAfter!.getTime() / 60_000), Math.floor((until * 1000) / 60_000));
  const stranger = await client.fetchInventory(bot.steamid, '16');
  assert.equal(stranger.items.length, 0);
});

test('a private inventory, an unknown account, a dead session', async () => {
  const user = emu.world.users()[0]!;
  emu.world.account(user.steamid)!.privateInventory = true;
  await assert.rejects(
    client.fetchInventory(user.steamid, '2'),
    (e: SteamInventoryError) => e.kind === 'private',
  );
  // The owner still sees it.
  const own = await client.fetchInventory(user.steamid, '2', {
    cookie: await emu.cookieOf(user.steamid),
  });
  assert.ok(own.items.length > 0);
  emu.world.account(user.steamid)!.privateInventory = false;
  await assert.rejects(
    client.fetchInventory('76561190000000001', '2'),
    (e: SteamInventoryError) => e.kind === 'not_found',
  );
  const bot = emu.world.bots()[1]!;
  const cookie = await emu.cookieOf(bot.steamid);
  await fetch(new URL(`_emulator/accounts/${bot.steamid}/expire-session`, emu.url), { method: 'POST' });
  await assert.rejects(
    client.fetchInventory(bot.steamid, '2', { cookie }),
    (e: SteamInventoryError) => e.kind === 'session_expired',
  );
});

test('429 and 5xx with an EResult are told apart', async (t) => {
  t.after(() => emu.clearFaults());
  const user = emu.world.users()[1]!;
  await emu.setFault('inventory', { burst429: 1 });
  await assert.rejects(
    client.fetchInventory(user.steamid, '2'),
    (e: SteamInventoryError) => e.kind === 'rate_limited',
  );
  await emu.setFault('inventory', { eresult: 20, count: 1 });
  await assert.rejects(
    client.fetchInventory(user.steamid, '2'),
    (e: SteamInventoryError) => e.kind === 'unavailable' && e.status === 500 && e.eresult === 20,
  );
  const ok = await client.fetchInventory(user.steamid, '2');
  assert.ok(ok.items.length > 0);
});

test('cooldown dates in both of Steam forms', () => {
  const now = new Date(Date.UTC(2026, 11, 20));
  assert.equal(
    parseTradableAfter('Tradable/Marketable After 17 Jul @ 3:00am GMT', now)?.toISOString(),
    '2027-07-17T03:00:00.000Z',
  );
  assert.equal(
    parseTradableAfter('Tradable/Marketable After 27 Dec @ 12:30pm GMT', now)?.toISOString(),
    '2026-12-27T12:30:00.000Z',
  );
  assert.equal(
    parseTradableAfter('Tradable/Marketable After Jul 11, 2025 (2:00:00)', now)?.toISOString(),
    '2025-07-11T02:00:00.000Z',
  );
  assert.equal(parseTradableAfter('nothing here', now), null);
});

test('a day-first date without a year is never read as eleven months ahead (either side of New Year)', () => {
  // A line still showing a December date read in early January is last year's, not next December's.
  const jan = new Date(Date.UTC(2027, 0, 2));
  assert.equal(
    parseTradableAfter('Tradable/Marketable After 30 Dec @ 3:00am GMT', jan)?.toISOString(),
    '2026-12-30T03:00:00.000Z',
  );
  assert.equal(
    parseTradableAfter('Tradable/Marketable After 8 Jan @ 3:00am GMT', jan)?.toISOString(),
    '2027-01-08T03:00:00.000Z',
  );
  const dec = new Date(Date.UTC(2026, 11, 28));
  assert.equal(
    parseTradableAfter('Tradable/Marketable After 3 Jan @ 3:00am GMT', dec)?.toISOString(),
    '2027-01-03T03:00:00.000Z',
  );
});

test('values the platform cannot store are brought into range, and unusable ids left out, at the merge', () => {
  const d = (instanceid: string, extra: Record<string, unknown> = {}) => ({
    appid: 730,
    classid: '1',
    instanceid,
    market_hash_name: 'X',
    ...extra,
  });
  const a = (assetid: string, instanceid = '1', classid = '1') => ({
    appid: 730,
    contextid: '2',
    assetid,
    classid,
    instanceid,
    amount: '1',
  });
  const seed = (assetid: string, int_value: string) => ({
    assetid,
    asset_properties: [{ propertyid: 1, int_value }],
  });
  const items = mergePage(
    {
      assets: [
        a('1'),
        a('2'),
        a('3'),
        a('4'),
        a('5', '2'),
        a('6', '3'),
        a('18446744073709551616'),
        a('x'),
        a('7', '1', '-1'),
      ],
      descriptions: [
        d('1'),
        d('2', { item_expiration: '+020000-01-01T00:00:00Z' }),
        d('3', { owner_descriptions: [{ value: 'Tradable/Marketable After Jan 1, 1960 (0:00:00)' }] }),
      ],
      asset_properties: [seed('1', '70000'), seed('2', '-3'), seed('3', '12.5'), seed('4', '1000')],
    },
    '2',
    new Date(),
  );
  assert.deepEqual(
    items.map((i) => [i.assetId, i.paintSeed, i.tradableAfter?.toISOString() ?? null]),
    [
      ['1', null, null],
      ['2', null, null],
      ['3', null, null],
      ['4', 1000, null],
      ['5', null, '9999-12-31T23:59:59.999Z'],
      ['6', null, null],
    ],
  );
});
