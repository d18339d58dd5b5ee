import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planTrade, reversalDelta, settleOffer, type GiveItem, type ReceiveItem } from '@platform/core';

/** A small deterministic generator, so a failure names the case that reproduces it. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return (n: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

function randomTrade(seed: number): { give: GiveItem[]; receive: ReceiveItem[] } {
  const r = rng(seed);
  const give = Array.from({ length: r(4) }, (_, i) => ({ assetId: `g${i}`, price: BigInt(1 + r(5000)) }));
  const receive = Array.from({ length: r(5) }, (_, i) => ({
    assetId: `r${i}`,
    price: BigInt(1 + r(5000)),
    botId: 1 + r(3),
  }));
  if (give.length + receive.length === 0) give.push({ assetId: 'g0', price: 100n });
  return { give, receive };
}

test('routing: one offer per bot holding received items; the given items travel in one offer', () => {
  const plan = planTrade(
    [{ assetId: 'g1', price: 300n }],
    [
      { assetId: 'a', price: 100n, botId: 7 },
      { assetId: 'b', price: 500n, botId: 9 },
      { assetId: 'c', price: 50n, botId: 7 },
    ],
  );
  assert.equal(plan.kind, 'swap');
  assert.deepEqual(
    plan.offers.map((o) => [o.botId, o.give, o.receive, o.holdShare]),
    [
      [9, ['g1'], ['b'], 200n], // the most valuable group carries the user's items
      [7, [], ['a', 'c'], 150n],
    ],
  );
  assert.equal(plan.hold, 350n, 'here R − G: the group with the user’s item needs 200, the other 150');
  assert.equal(plan.balanceDelta, 300n - 650n);
  const deposit = planTrade([{ assetId: 'g', price: 10n }], []);
  assert.deepEqual(
    [deposit.kind, deposit.offers.length, deposit.offers[0]!.botId, deposit.hold],
    ['deposit', 1, null, 0n],
  );
  const single = planTrade([{ assetId: 'g', price: 100n }], [{ assetId: 'r', price: 130n, botId: 2 }]);
  assert.equal(single.hold, 30n, 'one offer: exactly what is received beyond what is given');
  assert.throws(() => planTrade([], []));
});

test('every combination of offer outcomes of many trades: never negative, never credit not received', () => {
  for (let seed = 1; seed <= 400; seed++) {
    const { give, receive } = randomTrade(seed);
    const plan = planTrade(give, receive);
    const G = plan.giveValue;
    const R = plan.receiveValue;
    assert.ok(plan.hold >= (R > G ? R - G : 0n), `seed ${seed}: hold below R − G`);
    if (plan.offers.length === 1) assert.equal(plan.hold, R > G ? R - G : 0n, `seed ${seed}`);
    const n = plan.offers.length;
    for (let mask = 0; mask < 1 << n; mask++) {
      // A user whose balance covers exactly the hold: the tightest case.
      let balance = plan.hold;
      balance -= plan.hold;
      let credited = 0n;
      let protectedCredit = 0n;
      const accepted = plan.offers.filter((_, i) => (mask >> i) & 1);
      // Offers end in any order; the balance never dips below zero on the way.
      for (const [i, o] of plan.offers.entries()) {
        const s = settleOffer(o, ((mask >> i) & 1) === 1);
        assert.ok(s.credit >= 0n && s.protectedCredit >= 0n && s.protectedCredit <= s.credit, `seed ${seed}`);
        balance += s.credit;
        credited += s.credit;
        protectedCredit += s.protectedCredit;
        assert.ok(balance >= 0n, `seed ${seed} mask ${mask}: negative`);
      }
      const exchanged = accepted.reduce((a, o) => a + o.giveValue - o.receiveValue, 0n);
      // The balance ends exactly at what was exchanged: no value credited that was not received.
      assert.equal(balance - plan.hold, exchanged, `seed ${seed} mask ${mask}`);
      assert.equal(credited - plan.hold, exchanged);
      // Protected credit is at most the value of the items the site received.
      const received = accepted.reduce((a, o) => a + o.giveValue, 0n);
      assert.ok(protectedCredit <= received, `seed ${seed} mask ${mask}: protected beyond items received`);
      // A reversal undoes exactly the accepted offers.
      assert.equal(reversalDelta(accepted), -exchanged);
    }
  }
});

test("a swap from two bots: the offer without the user's items is funded by the balance on its own", () => {
  // R − G is 0, but the bot-2 offer can be accepted while the offer carrying the user's item is declined.
  const plan = planTrade(
    [{ assetId: 'g', price: 1000n }],
    [
      { assetId: 'a', price: 600n, botId: 1 },
      { assetId: 'b', price: 400n, botId: 2 },
    ],
  );
  assert.equal(plan.hold, 400n);
  const [withGive, other] = plan.offers;
  assert.deepEqual(settleOffer(withGive!, false), { credit: 0n, protectedCredit: 0n });
  assert.deepEqual(settleOffer(other!, true), { credit: 0n, protectedCredit: 0n });
  assert.deepEqual(settleOffer(withGive!, true), { credit: 400n, protectedCredit: 400n });
  assert.deepEqual(settleOffer(other!, false), { credit: 400n, protectedCredit: 0n });
});
