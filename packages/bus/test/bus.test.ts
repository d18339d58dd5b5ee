import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AppError } from '@platform/core';
import {
  botSnapshotItemCount,
  decodeBotSnapshot,
  encodeBotSnapshot,
  parseRefreshBotJob,
  parseSiteInventoryChanged,
  type SnapshotItem,
} from '../src/index.ts';

const redline: SnapshotItem = {
  assetId: '1',
  category: 'weapon',
  marketHashName: 'AK-47 | Redline (Field-Tested)',
  contextId: 2,
  tradable: true,
  isCasket: false,
  floatValue: 0.25,
  paintSeed: 661,
  tradableAfter: null,
};

test('a bot snapshot round-trips', () => {
  const snap = {
    botId: 7,
    refreshedAt: 1_790_000_000,
    stale: true,
    items: [
      { ...redline, assetId: '18446744073709551615' },
      {
        assetId: '42',
        category: 'weapon' as const,
        marketHashName: 'StatTrak™ AWP | Asiimov (Battle-Scarred)',
        contextId: 16,
        tradable: false,
        isCasket: false,
        floatValue: null,
        paintSeed: null,
        tradableAfter: 1_790_100_000,
      },
      {
        assetId: '43',
        category: 'other' as const,
        marketHashName: 'AK-47 | Redline (Field-Tested)',
        contextId: 2,
        tradable: false,
        isCasket: true,
        floatValue: null,
        paintSeed: 0,
        tradableAfter: null,
      },
    ],
  };
  assert.deepEqual(decodeBotSnapshot(encodeBotSnapshot(snap)), snap);
  // The item count is read from the header alone (a page decodes only the bots it shows).
  assert.equal(botSnapshotItemCount(encodeBotSnapshot(snap)), 3);
  assert.equal(botSnapshotItemCount(encodeBotSnapshot({ ...snap, items: [] })), 0);
});

test("encoding is total: values out of the format's range are represented by a stated rule, never thrown", () => {
  const item = redline;
  const year2200 = Date.UTC(2200, 0, 1) / 1000;
  const snap = {
    botId: 1,
    refreshedAt: 1_790_000_000,
    stale: false,
    items: [
      // A seed outside 0..65534 (0xffff means none) is no seed CS2 has: none.
      { ...item, assetId: '1', paintSeed: 70_000 },
      { ...item, assetId: '2', paintSeed: -1 },
      { ...item, assetId: '3', paintSeed: 12.5 },
      { ...item, assetId: '4', paintSeed: 65_535 },
      // A hold ending after 2106 (u32 seconds) stays a hold, until the last second the format has.
      { ...item, assetId: '5', tradableAfter: year2200 },
      // One that ended before 1970 is no hold.
      { ...item, assetId: '6', tradableAfter: -86_400 },
      { ...item, assetId: '7', tradableAfter: Number.NaN },
      // An unknown category is 'other' (not the first category of the list).
      { ...item, assetId: '8', category: 'bogus' as unknown as 'other' },
      // A context id that does not fit is left out with its item, as is an asset id that is no u64.
      { ...item, assetId: '9', contextId: 300 },
      { ...item, assetId: '18446744073709551616' },
      { ...item, assetId: 'abc' },
      { ...item, assetId: '10', floatValue: Number.POSITIVE_INFINITY },
    ],
  };
  const decoded = decodeBotSnapshot(encodeBotSnapshot(snap));
  const by = new Map(decoded.items.map((i) => [i.assetId, i]));
  assert.deepEqual(
    ['1', '2', '3', '4'].map((id) => by.get(id)?.paintSeed),
    [null, null, null, null],
  );
  assert.equal(by.get('5')?.tradableAfter, 0xffff_ffff);
  assert.equal(by.get('6')?.tradableAfter, null);
  assert.equal(by.get('7')?.tradableAfter, null);
  assert.equal(by.get('8')?.category, 'other');
  assert.deepEqual([...by.keys()].sort(), ['1', '10', '2', '3', '4', '5', '6', '7', '8']);
  assert.equal(by.get('10')?.floatValue, Number.POSITIVE_INFINITY);
  assert.equal(botSnapshotItemCount(encodeBotSnapshot(snap)), 9);
  // Header values of our own making are kept in range too.
  assert.equal(
    decodeBotSnapshot(encodeBotSnapshot({ ...snap, refreshedAt: 2 ** 40 })).refreshedAt,
    0xffff_ffff,
  );
  // A name longer than the format's u16 length is cut at a character boundary, not thrown on.
  const long = 'é'.repeat(40_000);
  const cut = decodeBotSnapshot(encodeBotSnapshot({ ...snap, items: [{ ...item, marketHashName: long }] }));
  assert.equal(cut.items[0]?.marketHashName, 'é'.repeat(32_767));
});

test('job and event payloads are validated when consumed', () => {
  assert.deepEqual(parseRefreshBotJob({ v: 1, botId: 3, reason: 'trade', tradeId: '9' }), {
    v: 1,
    botId: 3,
    reason: 'trade',
    tradeId: '9',
  });
  assert.throws(
    () => parseRefreshBotJob({ v: 2, botId: 3, reason: 'trade' }),
    (e: AppError) => e.code === 'VALIDATION_FAILED',
  );
  assert.throws(
    () => parseRefreshBotJob({ v: 1, botId: '3', reason: 'trade' }),
    (e: AppError) => e.details?.field === '/botId',
  );
  const event = {
    v: 1,
    type: 'site-inventory.changed',
    eventId: 'e1',
    botId: 1,
    botSteamId: '76561198000000000',
    added: [{ assetId: '1', contextId: 2, marketHashName: 'x' }],
    removed: ['2'],
    at: new Date(0).toISOString(),
  };
  assert.deepEqual(parseSiteInventoryChanged(event), event);
  assert.throws(
    () => parseSiteInventoryChanged({ ...event, removed: ['x'] }),
    (e: AppError) => e.code === 'VALIDATION_FAILED',
  );
});
