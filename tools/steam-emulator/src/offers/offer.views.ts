/**
 * Wire shapes of IEconService (steam.md §4.4): CEcon_TradeOffer as seen by one party, and the descriptions list.
 * Sides flip per viewer: the sender's items_to_give are the recipient's items_to_receive.
 */
import type { World } from '../world/world.ts';
import type { Description } from '../world/types.ts';
import type { Offer, OfferItem } from './offer.types.ts';

export interface CEconAsset {
  appid: number;
  contextid: string;
  assetid: string;
  classid: string;
  instanceid: string;
  amount: string;
  missing: boolean;
  est_usd?: string;
}

export interface CEconTradeOffer {
  tradeofferid: string;
  accountid_other: number;
  message: string;
  expiration_time: number;
  trade_offer_state: number;
  items_to_give: CEconAsset[];
  items_to_receive: CEconAsset[];
  is_our_offer: boolean;
  time_created: number;
  time_updated: number;
  tradeid?: string;
  from_real_time_trade: boolean;
  escrow_end_date: number;
  confirmation_method: number;
  eresult: number;
  delay_settlement: boolean;
  settlement_date: number;
}

function assetView(item: OfferItem): CEconAsset {
  return {
    appid: item.appid,
    contextid: item.contextid,
    assetid: item.assetid,
    classid: item.classid,
    instanceid: item.instanceid,
    // CEcon_Asset.amount is int64 ⇒ a JSON string (§4.4 sample).
    amount: String(item.amount),
    missing: item.missing,
  };
}

/**
 * `glitched` reproduces Steam's offers with empty item lists (§4.6, TOM `isGlitched`): the fault injector's
 * `glitch` flag on GetTradeOffers/GetTradeOffer turns it on.
 */
export function offerView(world: World, offer: Offer, viewer: string, glitched: boolean): CEconTradeOffer {
  const mine = offer.sender === viewer;
  const other = world.account(mine ? offer.recipient : offer.sender);
  const give = mine ? offer.itemsFromSender : offer.itemsFromRecipient;
  const receive = mine ? offer.itemsFromRecipient : offer.itemsFromSender;
  return {
    tradeofferid: offer.tradeofferid,
    accountid_other: other?.accountId ?? 0,
    message: offer.message,
    expiration_time: offer.expirationTime,
    trade_offer_state: offer.state,
    items_to_give: glitched ? [] : give.map(assetView),
    items_to_receive: glitched ? [] : receive.map(assetView),
    is_our_offer: mine,
    time_created: offer.timeCreated,
    time_updated: offer.timeUpdated,
    ...(offer.tradeid !== undefined ? { tradeid: offer.tradeid } : {}),
    from_real_time_trade: false,
    escrow_end_date: offer.escrowEndDate,
    // Each side sees its own confirmation: the sender's for the send, the recipient's for its acceptance (TOM's
    // accept answers 'pending' from the recipient's value, §4.3).
    confirmation_method: mine ? offer.confirmationMethod : (offer.acceptConfirmationMethod ?? 0),
    eresult: 1,
    delay_settlement: offer.delaySettlement,
    settlement_date: offer.settlementDate,
  };
}

/** Deduplicated descriptions (by classid_instanceid) for the items of the given offers (§4.4 `descriptions[]`). */
export class DescriptionCollector {
  private readonly world: World;
  private readonly seen = new Map<string, Description>();

  constructor(world: World) {
    this.world = world;
  }

  addItems(items: Array<{ classid: string; instanceid: string }>): void {
    for (const item of items) {
      const key = `${item.classid}_${item.instanceid}`;
      if (this.seen.has(key)) continue;
      const description = this.world.descriptions.get(key);
      if (description !== undefined) this.seen.set(key, description);
    }
  }

  addOffer(offer: Offer): void {
    this.addItems(offer.itemsFromSender);
    this.addItems(offer.itemsFromRecipient);
  }

  list(): Description[] {
    return [...this.seen.values()];
  }
}
