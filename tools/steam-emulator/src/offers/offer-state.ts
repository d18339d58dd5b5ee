/**
 * Trade-offer and trade state enums (numbers exactly per steam.md §4.5, TOM `resources/*.js`) and the pure
 * transition table of §4.6. Services ask `canTransition` before mutating so every path (community POST,
 * confirmation, control API, auto-policy, clock sweep) obeys one rule set.
 */
export const ETradeOfferState = {
  Invalid: 1,
  Active: 2,
  Accepted: 3,
  Countered: 4,
  Expired: 5,
  Canceled: 6,
  Declined: 7,
  InvalidItems: 8,
  CreatedNeedsConfirmation: 9,
  CanceledBySecondFactor: 10,
  InEscrow: 11,
} as const;
export type OfferState = (typeof ETradeOfferState)[keyof typeof ETradeOfferState];

export const ETradeStatus = {
  Init: 0,
  PreCommitted: 1,
  Committed: 2,
  Complete: 3,
  Failed: 4,
  PartialSupportRollback: 5,
  FullSupportRollback: 6,
  SupportRollbackSelective: 7,
  RollbackFailed: 8,
  RollbackAbandoned: 9,
  InEscrow: 10,
  EscrowRollback: 11,
} as const;
export type TradeStatus = (typeof ETradeStatus)[keyof typeof ETradeStatus];

/** ETradeOfferConfirmationMethod (§4.5): 0 none, 1 email, 2 mobile app. */
export const EConfirmationMethod = { None: 0, Email: 1, MobileApp: 2 } as const;
export type ConfirmationMethod = (typeof EConfirmationMethod)[keyof typeof EConfirmationMethod];

export type OfferEvent =
  | 'confirm' // sender allowed the mobile confirmation
  | 'denyConfirmation' // either party cancelled via the mobile confirmation
  | 'accept' // recipient accepted, no hold
  | 'acceptIntoEscrow' // recipient accepted, hold applies
  | 'releaseEscrow' // hold elapsed, items delivered
  | 'cancelEscrow' // a party cancelled the held trade (items returned)
  | 'decline'
  | 'cancel'
  | 'counter'
  | 'expire'
  | 'itemsVanished';

const S = ETradeOfferState;

/** From §4.6. Expiry and vanished items also apply to unconfirmed offers (9): UNVERIFIED, mirrors TOM treating 9 as pending. */
const TRANSITIONS: Record<OfferEvent, { from: readonly OfferState[]; to: OfferState }> = {
  confirm: { from: [S.CreatedNeedsConfirmation], to: S.Active },
  denyConfirmation: { from: [S.CreatedNeedsConfirmation, S.Active], to: S.CanceledBySecondFactor },
  accept: { from: [S.Active], to: S.Accepted },
  acceptIntoEscrow: { from: [S.Active], to: S.InEscrow },
  releaseEscrow: { from: [S.InEscrow], to: S.Accepted },
  // UNVERIFIED: the offer state Steam shows once a held trade is cancelled; trade status is 11 EscrowRollback.
  cancelEscrow: { from: [S.InEscrow], to: S.Canceled },
  decline: { from: [S.Active], to: S.Declined },
  // TOM: cancel is valid in states 2 or 9 (§4.3).
  cancel: { from: [S.Active, S.CreatedNeedsConfirmation], to: S.Canceled },
  counter: { from: [S.Active], to: S.Countered },
  expire: { from: [S.Active, S.CreatedNeedsConfirmation], to: S.Expired },
  itemsVanished: { from: [S.Active, S.CreatedNeedsConfirmation], to: S.InvalidItems },
};

export function canTransition(state: OfferState, event: OfferEvent): boolean {
  return TRANSITIONS[event].from.includes(state);
}

export function nextState(state: OfferState, event: OfferEvent): OfferState | undefined {
  return canTransition(state, event) ? TRANSITIONS[event].to : undefined;
}

/** "Active" in GetTradeOffers' sense (active_only) and for the outstanding-offer limits: 2 and 9 (§4.4, §4.8). */
export function isPendingState(state: OfferState): boolean {
  return state === S.Active || state === S.CreatedNeedsConfirmation;
}
