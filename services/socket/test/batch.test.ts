// The site batch: within one window the later change of an asset wins, per pair of opposites.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addToBatch, batchSize, emptyBatch } from '../src/live/events.ts';

const lists = (b: ReturnType<typeof emptyBatch>) => ({
  added: [...b.added.keys()],
  removed: [...b.removed],
  reserved: [...b.reserved],
  unreserved: [...b.unreserved],
});

test('reserve then release in one window is one unreserved; release then reserve is one reserved', () => {
  const b = emptyBatch();
  addToBatch(b, { op: 'reserved', assetIds: ['1', '2'] });
  addToBatch(b, { op: 'unreserved', assetIds: ['1'] });
  addToBatch(b, { op: 'unreserved', assetIds: ['3'] });
  addToBatch(b, { op: 'reserved', assetIds: ['3'] });
  assert.deepEqual(lists(b), { added: [], removed: [], reserved: ['2', '3'], unreserved: ['1'] });
  assert.equal(batchSize(b), 3);
});

test('added then removed is removed; an added item may also be reserved in the same window', () => {
  const b = emptyBatch();
  addToBatch(b, { op: 'added', assetIds: ['10', '11'] });
  addToBatch(b, { op: 'removed', assetIds: ['10'] });
  addToBatch(b, { op: 'reserved', assetIds: ['11'] });
  addToBatch(b, { op: 'removed', assetIds: ['12'] });
  addToBatch(b, { op: 'added', assetIds: ['12'] });
  assert.deepEqual(lists(b), { added: ['11', '12'], removed: ['10'], reserved: ['11'], unreserved: [] });
});
