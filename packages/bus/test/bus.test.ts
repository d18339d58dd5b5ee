import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AppError } from '@platform/core';
import {
  botSnapshotItemCount,
  decodeBotSnapshot,
  encodeBotSnapshot,
  parseRefreshBotJob,
  parseSiteInventoryChanged,
} from '../src/index.ts';

test('a bot snapshot round-trips', () => {
  const snap = {
    botId: 7,
    refreshedAt: 1_790_000_000,
    stale: true,
    items: [
      {
        assetId: '18446744073709551615',
        category: 'weapon' as const,
        marketHashName: 'AK-47 | Redline (Field-Tested)',
        contextId: 2,
        tradable: true,
        isCasket: false,
        floatValue: 0.25,
        paintSeed: 661,
        tradableAfter: null,
      },
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
