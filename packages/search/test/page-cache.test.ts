// The answer cache: valid while the index is unchanged and within its TTL; an answer is kept
// only when its URL comes again among the last maxEntries misses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PageCache } from '../src/index.ts';

const body = Buffer.from('{}');

test('an answer is kept on its URL’s second request, served while nothing changed and within the TTL', () => {
  const c = new PageCache({ maxEntries: 2, ttlMs: 1_000 });
  assert.equal(c.admit('/a'), false);
  assert.equal(c.admit('/a'), true);
  c.set('/a', 7, 0, body);
  assert.equal(c.get('/a', 7, 500), body);
  assert.equal(c.get('/a', 8, 500), undefined, 'the index changed');
  c.set('/a', 8, 0, body);
  assert.equal(c.get('/a', 8, 1_001), undefined, 'past the TTL');
});

test('a cycle of more URLs than the cache holds is never admitted; the least recently used goes first', () => {
  const c = new PageCache({ maxEntries: 2, ttlMs: 10_000 });
  for (let round = 0; round < 3; round++) for (const u of ['/1', '/2', '/3']) assert.equal(c.admit(u), false);
  c.set('/x', 1, 0, body);
  c.set('/y', 1, 0, body);
  assert.ok(c.get('/x', 1, 0));
  c.set('/z', 1, 0, body);
  assert.equal(c.get('/y', 1, 0), undefined, 'evicted');
  assert.ok(c.get('/x', 1, 0));
  assert.equal(new PageCache({ maxEntries: 0, ttlMs: 1 }).admit('/a'), false);
});
