/**
 * In-memory offer repository with the indices the hot paths need, so that a send is O(items in offer):
 * offers by id, offer ids per account, and pending-offer counters per sender and per (sender, partner) pair for
 * the outstanding limits of steam.md §4.8. Persisted through the world's persistence registry.
 */
import type { AutoPolicy, Offer } from './offer.types.ts';
import { isPendingState, type OfferState } from './offer-state.ts';

/** Outstanding-offer limits: "up to 30 trade offers total, or up to 5 to one person" (§4.8; configurable). */
export interface OfferLimits {
  total: number;
  perPartner: number;
}

export interface OfferStoreDump {
  nextOfferId: string;
  offers: Offer[];
  limits: OfferLimits;
  policies: Array<[string, AutoPolicy]>;
}

export class OfferStore {
  readonly offers = new Map<string, Offer>();
  readonly byAccount = new Map<string, string[]>();
  /** Ids of offers in state 2 or 9; the expiry sweep and the limits only look at these. */
  readonly pending = new Set<string>();
  readonly policies = new Map<string, AutoPolicy>();
  limits: OfferLimits = { total: 30, perPartner: 5 };
  private readonly pendingBySender = new Map<string, number>();
  private readonly pendingByPair = new Map<string, number>();
  // Offer ids are 64-bit on Steam; present-day ones are ~10 digits (§4.4 sample 6487217575).
  private nextId = 7_100_000_000n;
  /** Earliest expiration_time among pending offers; the sweep is a no-op before it. */
  nextExpiry = Number.POSITIVE_INFINITY;

  newOfferId(): string {
    this.nextId += 1n;
    return this.nextId.toString();
  }

  get(id: string): Offer | undefined {
    return this.offers.get(id);
  }

  add(offer: Offer): void {
    this.offers.set(offer.tradeofferid, offer);
    this.index(offer.sender, offer.tradeofferid);
    this.index(offer.recipient, offer.tradeofferid);
    if (isPendingState(offer.state)) this.countPending(offer, 1);
  }

  /** The only way states change: keeps counters and `time_updated` right (§4.6: every change bumps it). */
  setState(offer: Offer, state: OfferState, now: number): void {
    const wasPending = isPendingState(offer.state);
    const isPending = isPendingState(state);
    offer.state = state;
    offer.timeUpdated = now;
    if (wasPending && !isPending) this.countPending(offer, -1);
    else if (!wasPending && isPending) this.countPending(offer, 1);
  }

  offersOf(steamid: string): string[] {
    return this.byAccount.get(steamid) ?? [];
  }

  pendingSentCount(sender: string): number {
    return this.pendingBySender.get(sender) ?? 0;
  }

  pendingPairCount(sender: string, recipient: string): number {
    return this.pendingByPair.get(`${sender}/${recipient}`) ?? 0;
  }

  dump(): OfferStoreDump {
    return {
      nextOfferId: this.nextId.toString(),
      offers: [...this.offers.values()],
      limits: this.limits,
      policies: [...this.policies],
    };
  }

  load(data: OfferStoreDump): void {
    this.offers.clear();
    this.byAccount.clear();
    this.pending.clear();
    this.pendingBySender.clear();
    this.pendingByPair.clear();
    this.policies.clear();
    this.nextId = BigInt(data.nextOfferId);
    this.limits = data.limits;
    for (const offer of data.offers) this.add(offer);
    for (const [steamid, policy] of data.policies) this.policies.set(steamid, policy);
    this.nextExpiry = Number.NEGATIVE_INFINITY; // recompute on the first sweep
  }

  private index(steamid: string, id: string): void {
    const list = this.byAccount.get(steamid);
    if (list === undefined) this.byAccount.set(steamid, [id]);
    else list.push(id);
  }

  private countPending(offer: Offer, delta: 1 | -1): void {
    if (delta === 1) {
      this.pending.add(offer.tradeofferid);
      if (offer.expirationTime < this.nextExpiry) this.nextExpiry = offer.expirationTime;
    } else {
      this.pending.delete(offer.tradeofferid);
    }
    const pair = `${offer.sender}/${offer.recipient}`;
    this.pendingBySender.set(offer.sender, (this.pendingBySender.get(offer.sender) ?? 0) + delta);
    this.pendingByPair.set(pair, (this.pendingByPair.get(pair) ?? 0) + delta);
  }
}
