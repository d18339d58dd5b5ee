// The world loader on a small world: items across bots through the platform's Steam parsing,
// prices, trade locks, Doppler phases, stickers and the reserved share, all in real MariaDB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { phaseOf } from '@platform/core';
import { startStores } from '@platform/testing';
import { loadWorld, removeWorld } from '../src/index.ts';

test('loads N items across bots with prices, locks, phases, stickers and a reserved share', async (t) => {
  const stores = await startStores();
  t.after(() => stores.close());
  const { main, pricing } = stores.dbs;
  let last = 0;
  const r = await loadWorld(main, pricing, {
    items: 3000,
    bots: 6,
    reservedShare: 0.1,
    onProgress: (d) => (last = d),
  });
  assert.equal(r.items, 3000);
  assert.equal(last, 3000);
  assert.equal(r.bots, 6);
  assert.equal(r.reserved, 300);
  const items = await main
    .selectFrom('items')
    .select(['market_hash_name', 'name', 'float_value', 'stickers', 'tradable_after', 'bot_id'])
    .execute();
  assert.equal(items.length, 3000);
  assert.equal(new Set(items.map((i) => i.bot_id)).size, 6);
  assert.ok(
    items.some((i) => i.tradable_after !== null),
    'some items are trade-locked',
  );
  assert.ok(items.some((i) => i.float_value !== null));
  assert.ok(items.some((i) => i.stickers !== null));
  for (const i of items.filter((x) => x.market_hash_name.includes('Doppler')))
    assert.ok(phaseOf(i.name), i.name);
  const active = await main
    .selectFrom('reservations')
    .select('asset_id')
    .where('released_at', 'is', null)
    .execute();
  assert.equal(active.length, 300);
  const names = new Set(items.map((i) => i.market_hash_name));
  const priced = await pricing.selectFrom('prices').select('market_hash_name').execute();
  const pricedNames = new Set(priced.map((p) => p.market_hash_name));
  assert.ok(
    [...names].every((n) => pricedNames.has(n)),
    'every name is priced',
  );
  await removeWorld(main);
  assert.equal((await main.selectFrom('items').select('id').execute()).length, 0);
});
