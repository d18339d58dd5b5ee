import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canTransition,
  isCancelable,
  isOfferFinal,
  OFFER_STATES,
  TERMINAL_TRADE_STATES,
  TRADE_STATES,
  TRADE_TRANSITIONS,
  tradeOutcome,
  type OfferEnd,
  type TradeState,
} from '@platform/core';

test('every pair of trade states: allowed exactly when the table says so', () => {
  const allowed = new Set<string>([
    ...['sent', 'canceling', 'completed', 'declined', 'expired', 'canceled', 'failed'].map(
      (s) => `pending>${s}`,
    ),
    ...['canceling', 'completed', 'declined', 'expired', 'canceled', 'failed'].map((s) => `sent>${s}`),
    ...['completed', 'declined', 'expired', 'canceled', 'failed'].map((s) => `canceling>${s}`),
    'completed>reversed',
  ]);
  for (const from of TRADE_STATES)
    for (const to of TRADE_STATES)
      assert.equal(canTransition(from, to), allowed.has(`${from}>${to}`), `${from} → ${to}`);
});

test('terminal states are left only by a reversal of a completed trade; every state is reachable', () => {
  for (const s of TERMINAL_TRADE_STATES) {
    const exits = TRADE_TRANSITIONS[s];
    assert.deepEqual([...exits], s === 'completed' ? ['reversed'] : [], s);
  }
  const seen = new Set<TradeState>(['pending']);
  const queue: TradeState[] = ['pending'];
  while (queue.length)
    for (const n of TRADE_TRANSITIONS[queue.shift()!]) if (!seen.has(n) && seen.add(n)) queue.push(n);
  assert.deepEqual([...seen].sort(), [...TRADE_STATES].sort());
  assert.deepEqual(
    TRADE_STATES.filter((s) => isCancelable(s)),
    ['pending', 'sent'],
  );
});

test("a trade's outcome from its offers: any accepted completes it; otherwise the best explanation", () => {
  const ends = OFFER_STATES.filter((s): s is OfferEnd => isOfferFinal(s));
  // Every multiset of up to three offer ends, with each cancel reason.
  const combos: OfferEnd[][] = [[]];
  for (let n = 0; n < 3; n++) for (const c of [...combos]) for (const e of ends) combos.push([...c, e]);
  for (const offers of combos) {
    for (const reason of ['user', 'expiry', null] as const) {
      const out = tradeOutcome(offers, reason);
      if (offers.includes('accepted')) assert.equal(out, 'completed', `${offers.join()} ${reason}`);
      else if (reason === 'user') assert.equal(out, 'canceled');
      else if (reason === 'expiry') assert.equal(out, 'expired');
      else if (offers.includes('declined')) assert.equal(out, 'declined');
      else if (offers.includes('expired')) assert.equal(out, 'expired');
      else if (offers.includes('canceled')) assert.equal(out, 'canceled');
      else assert.equal(out, 'failed', `${offers.join()}`);
      assert.ok(TERMINAL_TRADE_STATES.has(out));
    }
  }
});
