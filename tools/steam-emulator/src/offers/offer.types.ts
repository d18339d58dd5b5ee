// Persisted shapes of the offer, trade and confirmation slices. Ids that are 64-bit on Steam are decimal strings
// (steam.md §0). Sides are stored as sender/recipient; views flip them per viewer (is_our_offer, §4.4).
import type { ContextId } from '../world/types.ts';
import type { ConfirmationMethod, OfferState, TradeStatus } from './offer-state.ts';

export interface OfferItem {
  appid: number;
  contextid: ContextId;
  assetid: string;
  classid: string;
  instanceid: string;
  amount: number;
  /** Set once the item left its owner outside this offer (state 8) or was traded by it (§4.4 `missing`). */
  missing: boolean;
}

export interface Offer {
  tradeofferid: string;
  sender: string;
  recipient: string;
  message: string;
  state: OfferState;
  itemsFromSender: OfferItem[];
  itemsFromRecipient: OfferItem[];
  timeCreated: number;
  timeUpdated: number;
  expirationTime: number;
  /**
   * How the sender confirms (or confirmed) the send: 2 mobile app with an authenticator, 1 e-mail without one, 0 when
   * it gives nothing (§4.2, §6.1). The sender's `confirmation_method`.
   */
  confirmationMethod: ConfirmationMethod;
  tradeid?: string;
  escrowEndDate: number;
  /** The offer this one counters (`tradeofferid_countered`, §4.2). */
  counters?: string;
  /** The recipient accepted while giving items; the trade waits for their confirmation (§4.3, §6.1). */
  acceptPendingConfirmation: boolean;
  /**
   * How the recipient confirms (or confirmed) its acceptance, as for `confirmationMethod`: the recipient's
   * `confirmation_method` (TOM's accept reads it to answer 'pending'). Absent in offers saved before it existed.
   */
  acceptConfirmationMethod?: ConfirmationMethod;
  /** CS2 trade protection (§4.4 `delay_settlement`, `settlement_date`; UNVERIFIED fields). */
  delaySettlement: boolean;
  settlementDate: number;
}

export interface TradeAsset {
  appid: number;
  contextid: ContextId;
  assetid: string;
  classid: string;
  instanceid: string;
  amount: number;
  newAssetid?: string;
  newContextid?: ContextId;
  rollbackNewAssetid?: string;
  rollbackNewContextid?: ContextId;
}

/** A trade is what an accepted offer produced (§4.4 trade element). */
export interface Trade {
  tradeid: string;
  tradeofferid: string;
  /** Offer sender. */
  initiator: string;
  /** Offer recipient. */
  partner: string;
  status: TradeStatus;
  timeInit: number;
  timeMod: number;
  /** Escrow release time (trade hold, §4.8); 0 when no hold. */
  timeEscrowEnd: number;
  /** End of the 7-day trade-protection window during which the trade can be reversed (§4.8); 0 = never protected. */
  protectedUntil: number;
  fromInitiator: TradeAsset[];
  fromPartner: TradeAsset[];
  reversedBy?: string;
  /** Protection window over and the received items moved from context 16 to 2. */
  settled?: boolean;
}

/** Where a confirmation is answered: the mobile app (`/mobileconf`) or the link Steam e-mails (control API here). */
export type ConfirmationChannel = 'mobile' | 'email';

export interface Confirmation {
  id: string;
  /** The `ck`/nonce the client must echo on ajaxop (§6.3). */
  nonce: string;
  owner: string;
  /** tradeofferid (§6.3: creator_id equals the tradeofferid). */
  creatorId: string;
  /** 'send': confirming an offer the owner sent; 'accept': confirming the owner's acceptance. */
  purpose: 'send' | 'accept';
  /** Absent in confirmations saved before e-mail confirmations existed: those were all mobile. */
  channel?: ConfirmationChannel;
  creationTime: number;
}

export type AutoPolicyMode = 'accept' | 'decline' | 'ignore';

/** Per-account reaction to received offers (control API, brief item 6). */
export interface AutoPolicy {
  mode: AutoPolicyMode;
  afterMs: number;
}
