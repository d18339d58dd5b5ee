import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteLru } from '@platform/core';

test('ByteLru holds at most its bytes, evicting the least recently used first', () => {
  const lru = new ByteLru<string, string>(100);
  lru.set('a', 'A', 40);
  lru.set('b', 'B', 40);
  assert.equal(lru.get('a'), 'A'); // a is now the most recently used
  lru.set('c', 'C', 40); // 120 bytes: b goes
  assert.equal(lru.get('b'), undefined);
  assert.deepEqual([lru.get('a'), lru.get('c')], ['A', 'C']);
  assert.equal(lru.bytes, 80);
  // Many small entries cost their bytes, not a slot each: a count bound would hold 2,000 of any size.
  for (let i = 0; i < 1_000; i++) lru.set(`k${i}`, 'x', 1);
  assert.ok(lru.bytes <= 100);
  assert.equal(lru.size, 100);
  // An entry larger than the whole budget is not kept (and evicts nothing).
  lru.set('huge', 'H', 101);
  assert.equal(lru.get('huge'), undefined);
  assert.equal(lru.size, 100);
  // Replacing an entry accounts for its new size.
  lru.set('k999', 'y', 50);
  assert.ok(lru.bytes <= 100);
  assert.equal(lru.get('k999'), 'y');
});
