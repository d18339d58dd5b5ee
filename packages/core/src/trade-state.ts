/**
 * The platform's trade (a user's request, carried out by one or more Steam offers) as a state
 * machine. The public states are api.md's: terminal `completed`, `declined`, `expired`,
 * `canceled`, `failed`, and `reversed` after `completed`. Before those:
 *
 *   pending ──(every offer sent)──► sent
 *      │                             │
 *      ├─(cancel / reservation ends; no offer recorded yet)──► canceled / expired
 *      ├─(cancel / reservation ends while offers may be live)──► canceling ──► canceled / expired
 *      │                                                             (or completed: an offer was
 *      │                                                              accepted before Steam canceled it)
 *      └─(every offer ended) ──► completed | declined | expired | canceled | failed
 *   completed ──(Steam trade protection reverses it)──► reversed
 *
 * `pending`: created, items reserved and balance held, offers being recorded and sent by the
 * tradebot. `sent`: every offer is at Steam waiting for the user. `canceling`: the user or the
 * reservation's end asked for the offers to be canceled; the tradebot confirms each one (an
 * offer accepted meanwhile still settles: Steam moved the items).
 */
export const TRADE_STATES = [
  'pending',
  'sent',
  'canceling',
  'completed',
  'declined',
  'expired',
  'canceled',
  'failed',
  'reversed',
] as const;
export type TradeState = (typeof TRADE_STATES)[number];

export const TERMINAL_TRADE_STATES: ReadonlySet<TradeState> = new Set([
  'completed',
  'declined',
  'expired',
  'canceled',
  'failed',
  'reversed',
]);

/** Every allowed change, and nothing else. */
export const TRADE_TRANSITIONS: Readonly<Record<TradeState, readonly TradeState[]>> = {
  pending: ['sent', 'canceling', 'completed', 'declined', 'expired', 'canceled', 'failed'],
  sent: ['canceling', 'completed', 'declined', 'expired', 'canceled', 'failed'],
  canceling: ['completed', 'declined', 'expired', 'canceled', 'failed'],
  completed: ['reversed'],
  declined: [],
  expired: [],
  canceled: [],
  failed: [],
  reversed: [],
};

export function canTransition(from: TradeState, to: TradeState): boolean {
  return TRADE_TRANSITIONS[from].includes(to);
}

export function isTradeState(value: string): value is TradeState {
  return (TRADE_STATES as readonly string[]).includes(value);
}

/** A trade may be canceled by its user while no offer of it was accepted. */
export function isCancelable(state: TradeState): boolean {
  return state === 'pending' || state === 'sent';
}

/**
 * The states of one Steam offer as the platform records it. `planned` at trade creation (its
 * items, values and balance share); `intent` is written by the tradebot before Steam is asked
 * (invariant 3: at most one offer per trade and bot, reconciled after a crash).
 */
export const OFFER_STATES = [
  'planned',
  'intent',
  'sent',
  'accepted',
  'declined',
  'expired',
  'canceled',
  'failed',
] as const;
export type OfferState = (typeof OFFER_STATES)[number];
export type OfferEnd = Exclude<OfferState, 'planned' | 'intent' | 'sent'>;

export function isOfferFinal(state: OfferState): state is OfferEnd {
  return state !== 'planned' && state !== 'intent' && state !== 'sent';
}

/**
 * The trade's state once every offer has ended: `completed` when any was accepted (items moved;
 * each offer settled on its own, so a partly accepted trade is complete for what was accepted),
 * otherwise the end that explains it best to the user: their own cancel or the reservation's
 * end first (canceling), then a decline, an expiry, a failure.
 */
export function tradeOutcome(
  offers: readonly OfferEnd[],
  cancelReason: 'user' | 'expiry' | null,
): Exclude<TradeState, 'pending' | 'sent' | 'canceling' | 'reversed'> {
  if (offers.includes('accepted')) return 'completed';
  if (cancelReason === 'user') return 'canceled';
  if (cancelReason === 'expiry') return 'expired';
  if (offers.includes('declined')) return 'declined';
  if (offers.includes('expired')) return 'expired';
  if (offers.includes('canceled')) return 'canceled';
  return 'failed';
}
