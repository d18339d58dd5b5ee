// The pure transition table of steam.md §4.6 with the state numbers of §4.5.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ETradeOfferState as S,
  ETradeStatus,
  canTransition,
  isPendingState,
  nextState,
} from '../src/offers/offer-state.ts';

test('state numbers are exactly those of ETradeOfferState / ETradeStatus', () => {
  assert.deepEqual(Object.values(S), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.equal(ETradeStatus.Complete, 3);
  assert.equal(ETradeStatus.InEscrow, 10);
  assert.equal(ETradeStatus.EscrowRollback, 11);
  assert.equal(ETradeStatus.FullSupportRollback, 6);
});

test('transitions follow §4.6', () => {
  assert.equal(nextState(S.CreatedNeedsConfirmation, 'confirm'), S.Active);
  assert.equal(nextState(S.CreatedNeedsConfirmation, 'denyConfirmation'), S.CanceledBySecondFactor);
  assert.equal(nextState(S.Active, 'accept'), S.Accepted);
  assert.equal(nextState(S.Active, 'acceptIntoEscrow'), S.InEscrow);
  assert.equal(nextState(S.InEscrow, 'releaseEscrow'), S.Accepted);
  assert.equal(nextState(S.Active, 'decline'), S.Declined);
  assert.equal(nextState(S.Active, 'cancel'), S.Canceled);
  assert.equal(nextState(S.CreatedNeedsConfirmation, 'cancel'), S.Canceled);
  assert.equal(nextState(S.Active, 'counter'), S.Countered);
  assert.equal(nextState(S.Active, 'expire'), S.Expired);
  assert.equal(nextState(S.Active, 'itemsVanished'), S.InvalidItems);
  // Terminal states do not move.
  for (const terminal of [
    S.Accepted,
    S.Countered,
    S.Expired,
    S.Canceled,
    S.Declined,
    S.InvalidItems,
    S.CanceledBySecondFactor,
  ]) {
    for (const event of [
      'accept',
      'decline',
      'cancel',
      'counter',
      'expire',
      'itemsVanished',
      'confirm',
    ] as const) {
      assert.equal(canTransition(terminal, event), false, `${terminal} ${event}`);
    }
  }
  // Recipients cannot act on unconfirmed offers.
  assert.equal(canTransition(S.CreatedNeedsConfirmation, 'accept'), false);
  assert.equal(canTransition(S.CreatedNeedsConfirmation, 'decline'), false);
  assert.ok(
    isPendingState(S.Active) && isPendingState(S.CreatedNeedsConfirmation) && !isPendingState(S.InEscrow),
  );
});
