// The socket server's settings and HTTP edges are documented: every setting of its schema is in
// .env.example, and its routes are in /docs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { documentationProblems, startStores, uniquePrefix, type Stores } from '@platform/testing';
import { socketSchema } from '../src/config.ts';
import { startLive, type Live } from './live.harness.ts';

let stores: Stores;
let live: Live;
before(async () => {
  stores = await startStores();
  live = await startLive(stores, { REDIS_KEY_PREFIX: uniquePrefix('sockdocs') });
});
after(async () => {
  await live.close();
  await stores.close();
});

function keysOf(node: unknown): string[] {
  if (node === null || typeof node !== 'object') return [];
  const o = node as Record<string, unknown>;
  if (typeof o.key === 'string' && typeof o.read === 'function') return [o.key];
  return Object.values(o).flatMap(keysOf);
}

test('every setting is in .env.example, and nothing else is', () => {
  const documented = readFileSync(new URL('../.env.example', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l))
    .map((l) => l.slice(0, l.indexOf('=')));
  assert.deepEqual([...new Set(documented)].sort(), [...new Set(keysOf(socketSchema))].sort());
});

test('the HTTP routes are described at /docs; /socket.io answers beside them', async () => {
  assert.deepEqual(await documentationProblems(live.server.app), []);
  const res = await fetch(`${live.url}/socket.io/?EIO=4&transport=polling`);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /^0\{"sid":/);
});
