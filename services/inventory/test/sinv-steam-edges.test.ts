// What Steam may send that no generated world does: a paint seed beyond 16 bits, a cooldown
// date past 2106 or before 1970, an asset id that is no 64-bit number. A bot holding such an
// item must still refresh (MySQL and the snapshot), not fail every retry. "Steam" here is a
// small HTTP server answering the community inventory endpoint with a page written by hand.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '@platform/testing';
import { loadConfig } from '../src/config.ts';
import { createPricing, createSinv } from '../src/runtime.ts';
import { startHttp, startStores, type Stores } from './harness.ts';

const BOT = '76561198000000777';
const CLASS = '310776';
const description = (instanceid: string, extra: Record<string, unknown> = {}) => ({
  appid: 730,
  classid: CLASS,
  instanceid,
  icon_url: 'icon',
  tradable: 1,
  marketable: 1,
  name: 'AK-47 | Redline',
  type: 'Classified Rifle',
  market_hash_name: 'AK-47 | Redline (Field-Tested)',
  tags: [{ category: 'Type', internal_name: 'CSGO_Type_Rifle', localized_tag_name: 'Rifle' }],
  ...extra,
});
const asset = (assetid: string, instanceid: string) => ({
  appid: 730,
  contextid: '2',
  assetid,
  classid: CLASS,
  instanceid,
  amount: '1',
});
const page = {
  success: 1,
  total_inventory_count: 6,
  assets: [
    asset('1001', '1'),
    asset('1002', '2'),
    asset('1003', '3'),
    asset('1004', '1'),
    asset('not-an-id', '1'),
    asset('123456789012345678901', '1'),
  ],
  descriptions: [
    description('1'),
    description('2', { tradable: 0, item_expiration: '2200-01-01T00:00:00Z' }),
    description('3', {
      tradable: 0,
      owner_descriptions: [{ type: 'html', value: 'Tradable/Marketable After Jan 1, 1960 (0:00:00) GMT' }],
    }),
  ],
  asset_properties: [
    {
      appid: 730,
      contextid: '2',
      assetid: '1001',
      asset_properties: [{ propertyid: 1, int_value: '70000' }],
    },
    { appid: 730, contextid: '2', assetid: '1004', asset_properties: [{ propertyid: 1, int_value: '661' }] },
  ],
};

let stores: Stores;
let steam: { url: string; close(): void };
let steamUrl: string;
before(async () => {
  stores = await startStores();
  steam = await startHttp((req, res) => {
    const found = req.url?.startsWith(`/inventory/${BOT}/730/2?`);
    res.writeHead(found ? 200 : 404, { 'content-type': 'application/json' });
    res.end(found ? JSON.stringify(page) : 'null');
  });
  steamUrl = steam.url;
});
after(async () => {
  steam.close();
  await stores.close();
});

test('a bot holding items with out-of-range values from Steam refreshes into MySQL and the snapshot', async (t) => {
  const { ctx, close } = await createTestContext(loadConfig, {
    stores,
    env: {
      STEAM_COMMUNITY_URL: steamUrl,
      STEAM_EMULATOR_URL: steamUrl,
      PRICE_FEED_URL: `${steamUrl}prices`,
      BOT_SESSION_SOURCE: 'none',
    },
  });
  t.after(close);
  const sinv = createSinv(ctx, { pricing: createPricing(ctx) });
  await sinv.bots.upsert([{ steamId: BOT, accountName: 'edge', displayName: 'edge' }]);
  const [bot] = await sinv.bots.listActive();

  const result = await sinv.reconcile.refreshBot(bot!.id);
  // The two assets without a 64-bit id cannot be named in a trade: left out.
  assert.equal(result.added, 4);

  const rows = await stores.dbs.main
    .selectFrom('items')
    .select(['asset_id', 'paint_seed', 'tradable_after'])
    .where('bot_id', '=', bot!.id)
    .orderBy('asset_id')
    .execute();
  assert.deepEqual(
    rows.map((r) => [r.asset_id, r.paint_seed, r.tradable_after?.toISOString() ?? null]),
    [
      ['1001', null, null], // seed 70000: none (CS2 seeds are 0..1000; the column is 16 bits)
      ['1002', null, '2200-01-01T00:00:00.000Z'], // MySQL holds the date as Steam gave it
      ['1003', null, null], // a hold that ended before 1970 is no hold
      ['1004', 661, null],
    ],
  );

  const snap = await sinv.snapshot.readBot(bot!.id);
  assert.ok(snap, 'the snapshot was written');
  const by = new Map(snap.items.map((i) => [i.assetId, i]));
  assert.deepEqual([...by.keys()].sort(), ['1001', '1002', '1003', '1004']);
  assert.equal(by.get('1001')?.paintSeed, null);
  assert.equal(by.get('1004')?.paintSeed, 661);
  // Past the format's last second (2106): still a hold, at that last second.
  assert.equal(by.get('1002')?.tradableAfter, 0xffff_ffff);
  assert.equal(by.get('1003')?.tradableAfter, null);

  // And the next refresh of the same bot sees nothing changed.
  assert.deepEqual(await sinv.reconcile.refreshBot(bot!.id), {
    botId: bot!.id,
    added: 0,
    removed: 0,
    updated: 0,
    total: 4,
    complete: false,
  });
});
