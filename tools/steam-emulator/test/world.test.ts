// World model: deterministic generation, SteamID maths (steam.md §2.1), new assetids on transfer (§4.7), caskets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateWorld } from '../src/world/generate.ts';
import { accountIdFromSteamid, steamidFromAccountId, WorldError } from '../src/world/world.ts';
import { smallParams } from './helpers.ts';

test('same params generate the same world', () => {
  const params = smallParams({ seed: 5 });
  const a = generateWorld(params);
  const b = generateWorld(params);
  const bot = a.bots()[0]!;
  assert.deepEqual(
    a
      .inventory(bot.steamid, '2')
      .list()
      .map((x) => [x.assetid, x.descKey, x.props.paintWear]),
    b
      .inventory(bot.steamid, '2')
      .list()
      .map((x) => [x.assetid, x.descKey, x.props.paintWear]),
  );
  assert.equal(a.account(bot.steamid)?.sharedSecret, b.account(bot.steamid)?.sharedSecret);
  assert.notEqual(generateWorld(smallParams({ seed: 6 })).bots()[0]!.tradeToken, bot.tradeToken);
});

test('accounts carry Steam-shaped ids and secrets', () => {
  const world = generateWorld(smallParams());
  for (const a of world.accounts.values()) {
    assert.equal(BigInt(a.steamid), 76561197960265728n + BigInt(a.accountId));
    assert.equal(accountIdFromSteamid(a.steamid), a.accountId);
    assert.equal(steamidFromAccountId(a.accountId), a.steamid);
    assert.match(a.tradeToken, /^[A-Za-z0-9_-]{8}$/);
    assert.match(a.apiKey, /^[0-9A-F]{32}$/);
    assert.equal(a.accessToken.split('.').length, 3);
    if (a.kind === 'bot') {
      assert.equal(Buffer.from(a.sharedSecret, 'base64').length, 20);
      assert.equal(Buffer.from(a.identitySecret, 'base64').length, 20);
    }
  }
  const bot = world.bots()[0]!;
  assert.equal(
    world.tradeUrl(bot),
    `https://steamcommunity.com/tradeoffer/new/?partner=${bot.accountId}&token=${bot.tradeToken}`,
  );
});

test('moveAssets mints new ids on the receiving side and keeps ids monotonic', () => {
  const world = generateWorld(smallParams());
  const bot = world.bots()[0]!;
  const user = world.users()[0]!;
  const given = world.inventory(user.steamid, '2').list().slice(0, 2);
  const before = world.lastAssetId;
  const moved = world.moveAssets(
    user.steamid,
    bot.steamid,
    given.map((a) => a.assetid),
    { toContext: '16', tradableAfter: world.clock.now() + 7 * 86400 },
  );
  assert.equal(moved.length, 2);
  for (const [i, m] of moved.entries()) {
    assert.equal(m.assetid, given[i]!.assetid);
    assert.ok(BigInt(m.newAssetid) > BigInt(before));
    assert.equal(m.newContextid, '16');
    assert.equal(world.findAsset(user.steamid, m.assetid), undefined);
    const received = world.findAsset(bot.steamid, m.newAssetid);
    assert.equal(received?.contextid, '16');
    assert.equal(received?.descKey, given[i]!.descKey);
  }
  assert.ok(world.dirtyInventories.has(`${bot.steamid}/16`));
  assert.throws(
    () => world.moveAssets(user.steamid, bot.steamid, ['1']),
    (err: unknown) => err instanceof WorldError && err.code === 'missing_asset',
  );
});

test('bots own a storage unit (def 1201) whose contents are hidden from the inventory', () => {
  const world = generateWorld(smallParams());
  const bot = world.bots()[0]!;
  const casket = world
    .inventory(bot.steamid, '2')
    .list()
    .find((a) => world.description(a).market_hash_name === 'Storage Unit');
  assert.ok(casket);
  const contents = world.casketContents.get(casket.assetid);
  assert.ok(contents);
  assert.equal(casket.casketCount, contents.size);
  for (const id of contents.keys()) assert.equal(world.findAsset(bot.steamid, id), undefined);
  assert.equal(world.description(casket).tradable, 0);
});
