/**
 * Routing and settlement of a trade carried by several Steam offers.
 *
 * A trade's items can sit on several bots, so it can take several offers, and the user accepts
 * or refuses each on its own: any subset may be accepted. The rule below makes every subset
 * safe: no combination of outcomes makes a balance negative, and no credit is paid for value
 * the site did not receive.
 *
 * Routing: the items the user receives are grouped by the bot holding them, one offer per bot.
 * The items the user gives travel in ONE offer: with the bot whose group is worth most (a swap
 * then moves both ways in one offer), or, for a pure deposit, a bot the tradebot picks
 * (`botId: null`). So for each offer o: g_o = what the user gives in it, r_o = what they receive.
 *
 * Funding: each offer is funded on its own. The user's balance holds, for each offer, what it
 * gives the user beyond what the user gives in it: h_o = max(0, r_o − g_o). The hold taken at
 * creation is H = Σ h_o. For a trade of one offer (a deposit, a withdrawal or a swap from one
 * bot) that is exactly "what the user receives beyond what they give", max(0, R − G); for a
 * swap whose items sit on several bots it is more: the offers without the user's items can be
 * accepted while the one carrying them is declined, so the balance must cover them on their own.
 *
 * Settlement, offer by offer: accepted → credit g_o + h_o − r_o (≥ 0 by construction; it is
 * value the site received, so it is trade-protected credit when g_o > 0); ended any other way →
 * credit h_o back (the user's own money). Both are ≥ 0, so after the hold no settlement can
 * push a balance below zero, and the sum over any set of outcomes is
 * Σ_accepted (g_o − r_o), exactly the value exchanged.
 */
import type { Minor } from './money.ts';

export interface GiveItem {
  assetId: string;
  price: Minor;
}

export interface ReceiveItem {
  assetId: string;
  price: Minor;
  botId: number;
}

export interface OfferPlan {
  /** null: a deposit-only offer; the tradebot picks the bot (the best healthy one with room). */
  botId: number | null;
  give: string[];
  receive: string[];
  giveValue: Minor;
  receiveValue: Minor;
  /** h_o: the user's balance held for this offer. */
  holdShare: Minor;
}

export interface TradePlan {
  kind: 'deposit' | 'withdraw' | 'swap';
  offers: OfferPlan[];
  giveValue: Minor;
  receiveValue: Minor;
  /** H = Σ h_o, taken from the balance when the trade is created. */
  hold: Minor;
  /** G − R: what the balance changes by when every offer is accepted. */
  balanceDelta: Minor;
}

const sum = (xs: readonly { price: Minor }[]): Minor => xs.reduce((a, x) => a + x.price, 0n);
const max0 = (x: Minor): Minor => (x > 0n ? x : 0n);

export function planTrade(give: readonly GiveItem[], receive: readonly ReceiveItem[]): TradePlan {
  if (give.length === 0 && receive.length === 0) throw new RangeError('a trade moves at least one item');
  const byBot = new Map<number, ReceiveItem[]>();
  for (const item of receive) {
    const group = byBot.get(item.botId);
    if (group) group.push(item);
    else byBot.set(item.botId, [item]);
  }
  // Most valuable group first (ties: lower bot id), so the user's items join the offer that
  // needs them most and the hold is smallest.
  const groups = [...byBot.entries()].sort(([a, x], [b, y]) => {
    const d = sum(y) - sum(x);
    return d > 0n ? 1 : d < 0n ? -1 : a - b;
  });
  const offers: OfferPlan[] = groups.map(([botId, items], i) => ({
    botId,
    give: i === 0 ? give.map((g) => g.assetId) : [],
    receive: items.map((r) => r.assetId),
    giveValue: i === 0 ? sum(give) : 0n,
    receiveValue: sum(items),
    holdShare: 0n,
  }));
  if (offers.length === 0) {
    offers.push({
      botId: null,
      give: give.map((g) => g.assetId),
      receive: [],
      giveValue: sum(give),
      receiveValue: 0n,
      holdShare: 0n,
    });
  }
  for (const o of offers) o.holdShare = max0(o.receiveValue - o.giveValue);
  const giveValue = sum(give);
  const receiveValue = sum(receive);
  return {
    kind: receive.length === 0 ? 'deposit' : give.length === 0 ? 'withdraw' : 'swap',
    offers,
    giveValue,
    receiveValue,
    hold: offers.reduce((a, o) => a + o.holdShare, 0n),
    balanceDelta: giveValue - receiveValue,
  };
}

export interface OfferSettlement {
  /** Credited to the balance when the offer ends (≥ 0). */
  credit: Minor;
  /** The part of `credit` that is value the site received in items: trade-protected credit. */
  protectedCredit: Minor;
}

/** What one offer's end credits back, per the rule above. */
export function settleOffer(
  offer: Pick<OfferPlan, 'giveValue' | 'receiveValue' | 'holdShare'>,
  accepted: boolean,
): OfferSettlement {
  if (!accepted) return { credit: offer.holdShare, protectedCredit: 0n };
  const credit = offer.giveValue + offer.holdShare - offer.receiveValue;
  if (credit < 0n) throw new RangeError('an offer funded below what it gives the user');
  // h_o > 0 only when r_o ≥ g_o, and then the credit is 0: a positive credit is all item value.
  return { credit, protectedCredit: offer.giveValue > 0n ? credit : 0n };
}

/**
 * What a reversal of a completed trade changes the balance by (Steam trade protection returned
 * every item to its previous owner): the inverse of each accepted offer, r_o − g_o. Negative:
 * the credit is taken back (what the balance cannot cover becomes debt); positive: the user is
 * refunded what they paid for items they no longer have.
 */
export function reversalDelta(accepted: readonly Pick<OfferPlan, 'giveValue' | 'receiveValue'>[]): Minor {
  return accepted.reduce((a, o) => a + (o.receiveValue - o.giveValue), 0n);
}
