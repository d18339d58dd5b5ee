// Tiers, routing and the partner rules: pure, no I/O.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assess,
  canTakeWork,
  parseTradeUrl,
  partnerRefusal,
  pickDepositBot,
  type BotCandidate,
} from '../src/index.ts';

const rule = { veryGoodBelow: 850, goodBelow: 900, of: 1000, unhealthyErrors: 10 };

describe('tiers', () => {
  test('by fullness: under 850 very good, under 900 good, else bad (of 1,000)', () => {
    assert.equal(assess(0, 1000, 0, rule).tier, 'very_good');
    assert.equal(assess(849, 1000, 0, rule).tier, 'very_good');
    assert.equal(assess(850, 1000, 0, rule).tier, 'good');
    assert.equal(assess(899, 1000, 0, rule).tier, 'good');
    assert.equal(assess(900, 1000, 0, rule).tier, 'bad');
    assert.equal(assess(1000, 1000, 0, rule).health, 'healthy');
  });
  test('thresholds scale with the capacity and are configurable', () => {
    assert.equal(assess(400, 500, 0, rule).tier, 'very_good');
    assert.equal(assess(430, 500, 0, rule).tier, 'good');
    assert.equal(assess(460, 500, 0, rule).tier, 'bad');
    assert.equal(assess(700, 1000, 0, { ...rule, veryGoodBelow: 600, goodBelow: 800 }).tier, 'good');
  });
  test('recent Steam errors: half the threshold costs a tier, the threshold makes it unhealthy', () => {
    assert.deepEqual(assess(10, 1000, 4, rule), { tier: 'very_good', health: 'healthy' });
    assert.deepEqual(assess(10, 1000, 5, rule), { tier: 'good', health: 'healthy' });
    assert.deepEqual(assess(860, 1000, 5, rule), { tier: 'bad', health: 'healthy' });
    assert.deepEqual(assess(10, 1000, 10, rule), { tier: 'bad', health: 'unhealthy' });
  });
});

const bot = (id: number, over: Partial<BotCandidate> = {}): BotCandidate => ({
  id,
  status: 'active',
  health: 'healthy',
  tier: 'very_good',
  itemCount: 100,
  capacity: 1000,
  incoming: 0,
  live: true,
  ...over,
});

describe('deposit routing', () => {
  test('very good before good before bad, then the emptiest, then the lowest id', () => {
    const bots = [
      bot(1, { tier: 'good', itemCount: 10 }),
      bot(2, { itemCount: 500 }),
      bot(3, { itemCount: 300 }),
      bot(4, { tier: 'bad', itemCount: 0 }),
    ];
    assert.equal(pickDepositBot(bots, 1)?.id, 3);
    assert.equal(pickDepositBot([bot(5), bot(6)], 1)?.id, 5);
    assert.equal(pickDepositBot([bots[0]!, bots[3]!], 1)?.id, 1);
  });
  test('unhealthy, paused, disabled and unheld bots get no work; nor does one without room', () => {
    assert.equal(canTakeWork(bot(1, { health: 'unhealthy' })), false);
    assert.equal(canTakeWork(bot(1, { status: 'paused' })), false);
    assert.equal(canTakeWork(bot(1, { status: 'disabled' })), false);
    assert.equal(canTakeWork(bot(1, { live: false })), false);
    assert.equal(
      pickDepositBot(
        [bot(1, { health: 'unhealthy' }), bot(2, { status: 'paused' }), bot(3, { live: false })],
        1,
      ),
      undefined,
    );
    assert.equal(pickDepositBot([bot(1, { itemCount: 998 })], 3), undefined);
    assert.equal(pickDepositBot([bot(1, { itemCount: 990, incoming: 8 })], 3), undefined);
    assert.equal(pickDepositBot([bot(1, { itemCount: 990, incoming: 7 })], 3)?.id, 1);
  });
});

describe('partners', () => {
  const base = { blocked: false, allowed: false, allowedOnly: false, hasTradeUrl: true, refuseEscrow: true };
  test('blocked wins; allowed-only; a trade URL is needed; escrow is refused with a reason', () => {
    assert.equal(partnerRefusal(base), undefined);
    assert.equal(partnerRefusal({ ...base, blocked: true, allowed: true }), 'partner_blocked');
    assert.equal(partnerRefusal({ ...base, allowedOnly: true }), 'partner_not_allowed');
    assert.equal(partnerRefusal({ ...base, allowedOnly: true, allowed: true }), undefined);
    assert.equal(partnerRefusal({ ...base, hasTradeUrl: false }), 'no_trade_url');
    assert.equal(partnerRefusal({ ...base, escrowSeconds: 1_296_000 }), 'partner_escrow');
    assert.equal(partnerRefusal({ ...base, escrowSeconds: 1_296_000, refuseEscrow: false }), undefined);
  });
  test('trade URLs', () => {
    assert.deepEqual(parseTradeUrl('https://steamcommunity.com/tradeoffer/new/?partner=123&token=aB_-9'), {
      accountId: '123',
      token: 'aB_-9',
    });
    assert.equal(parseTradeUrl('https://steamcommunity.com/tradeoffer/new/?partner=x&token=a'), undefined);
    assert.equal(parseTradeUrl('not a url'), undefined);
  });
});
