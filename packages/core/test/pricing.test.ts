import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptance, categoryOf, depositPrice, effectivePrice, withdrawPrice } from '../src/index.ts';

test('spreads round against the customer by at most one cent', () => {
  assert.equal(depositPrice(1001n, { buyBps: 9000, sellBps: 0 }), 900n);
  assert.equal(withdrawPrice(1001n, { buyBps: 0, sellBps: 10_500 }), 1052n);
  assert.equal(withdrawPrice(1000n, { buyBps: 0, sellBps: 10_500 }), 1050n);
  // A negative amount still rounds in the site's favour (deposit toward -∞, withdrawal toward +∞),
  // not toward zero as bigint division does.
  assert.equal(depositPrice(-1001n, { buyBps: 9000, sellBps: 0 }), -901n); // -900.9
  assert.equal(withdrawPrice(-1001n, { buyBps: 0, sellBps: 10_500 }), -1051n); // -1051.05
});

test('the newest unexpired override wins, then the feed', () => {
  const now = new Date('2026-11-24T12:00:00Z');
  const overrides = [
    { price: 500n, expiresAt: new Date('2026-11-24T13:00:00Z'), createdAt: new Date('2026-11-24T10:00:00Z') },
    { price: 700n, expiresAt: null, createdAt: new Date('2026-11-24T11:00:00Z') },
    { price: 900n, expiresAt: new Date('2026-11-24T11:59:59Z'), createdAt: new Date('2026-11-24T11:30:00Z') },
  ];
  assert.deepEqual(effectivePrice(100n, overrides, now), { price: 700n, source: 'override' });
  assert.deepEqual(effectivePrice(100n, overrides.slice(0, 1), new Date('2026-11-24T13:00:00Z')), {
    price: 100n,
    source: 'feed',
  });
  assert.equal(effectivePrice(null, [], now), null);
});

test('acceptance names its reason', () => {
  const now = new Date('2026-11-24T12:00:00Z');
  const rules = { minPrice: 50n, overstockCap: 3 };
  const base = { price: 100n, tradable: true, tradableAfter: null, blocklisted: false, siteCount: 0 };
  assert.deepEqual(acceptance(base, rules, now), { accepted: true });
  assert.deepEqual(acceptance({ ...base, blocklisted: true }, rules, now), {
    accepted: false,
    reason: 'BLOCKLISTED',
  });
  assert.deepEqual(acceptance({ ...base, price: null }, rules, now), { accepted: false, reason: 'NO_PRICE' });
  assert.deepEqual(acceptance({ ...base, price: 49n }, rules, now), {
    accepted: false,
    reason: 'BELOW_MIN_PRICE',
  });
  assert.deepEqual(acceptance({ ...base, siteCount: 3 }, rules, now), {
    accepted: false,
    reason: 'OVERSTOCKED',
  });
  assert.deepEqual(
    acceptance({ ...base, tradable: false, tradableAfter: new Date('2026-11-30T00:00:00Z') }, rules, now),
    { accepted: false, reason: 'TRADE_HOLD' },
  );
  assert.equal(categoryOf('CSGO_Type_Knife'), 'knife');
  assert.equal(categoryOf(null), 'other');
});
