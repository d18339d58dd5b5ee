/**
 * Trade-offer rules (steam.md §4): send, accept, cancel, decline, counter, confirmation outcomes, lazy expiry and
 * vanished-item detection, outstanding limits and auto-policies. Throws SteamError with the EResult Steam uses;
 * routes map that to the wire. Everything on the send path is O(items in the offer): inventories are looked up by
 * asset id, limits are counters.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { World } from '../world/world.ts';
import type { Account } from '../world/types.ts';
import { APPID } from '../world/types.ts';
import { channelOf, type ConfirmationService } from '../confirmations/confirmation.service.ts';
import type { TradeService } from '../trade-history/trade.service.ts';
import type { Trade } from './offer.types.ts';
import { EResult, SteamError } from './eresult.ts';
import type { AutoPolicy, Confirmation, ConfirmationChannel, Offer, OfferItem } from './offer.types.ts';
import type { OfferStore } from './offer.store.ts';
import {
  EConfirmationMethod,
  type ConfirmationMethod,
  ETradeOfferState,
  canTransition,
  isPendingState,
  nextState,
  type OfferEvent,
} from './offer-state.ts';

/** `expiration_time − time_created` = 1 209 600 s (§4.4 sample, TOM `expires = now + 14 days`). */
export const OFFER_LIFETIME_SECONDS = 14 * 86_400;
/** TOM truncates messages to 128 chars (§4.2); Steam keeps what it is given, we cap defensively. */
const MAX_MESSAGE = 1000;

/** An asset as clients put it into json_tradeoffer (§4.2): assetid/contextid strings, appid/amount ints. */
export interface RawAsset {
  appid: unknown;
  contextid: unknown;
  assetid: unknown;
  amount: unknown;
}

export interface SendInput {
  sender: Account;
  partnerSteamid: string;
  message: string;
  give: RawAsset[];
  receive: RawAsset[];
  /** trade_offer_create_params.trade_offer_access_token (§4.2). */
  token: string | undefined;
  /** tradeofferid_countered (§4.2). */
  countered: string | undefined;
}

export interface SendResult {
  offer: Offer;
  /** Where the sender must confirm before the partner sees the offer (§4.2); undefined when it gives nothing. */
  confirmation: ConfirmationChannel | undefined;
}

export interface AcceptResult {
  offer: Offer;
  trade: Trade | undefined;
  /** Where the acceptor must confirm before the trade happens (§4.3); undefined when it went through. */
  confirmation: ConfirmationChannel | undefined;
}

/**
 * An account with a mobile authenticator confirms in the app; one without gets Steam's e-mail (§4.2
 * `needs_email_confirmation`, §6.1), which the emulator answers through its control API.
 */
export function confirmationChannel(account: Account): ConfirmationChannel {
  return account.identitySecret !== '' ? 'mobile' : 'email';
}

function methodOf(channel: ConfirmationChannel | undefined): ConfirmationMethod {
  if (channel === undefined) return EConfirmationMethod.None;
  return channel === 'mobile' ? EConfirmationMethod.MobileApp : EConfirmationMethod.Email;
}

export interface OfferServiceOptions {
  world: World;
  store: OfferStore;
  trades: TradeService;
  confirmations: ConfirmationService;
  log: FastifyBaseLogger;
}

export class OfferService {
  private readonly world: World;
  private readonly store: OfferStore;
  private readonly trades: TradeService;
  private readonly confirmations: ConfirmationService;
  private readonly log: FastifyBaseLogger;
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(options: OfferServiceOptions) {
    this.world = options.world;
    this.store = options.store;
    this.trades = options.trades;
    this.confirmations = options.confirmations;
    this.log = options.log;
    this.confirmations.setResolver((conf, allow) => this.resolveConfirmation(conf, allow));
  }

  now(): number {
    return this.world.clock.now();
  }

  // ---- lazy time-driven transitions ----------------------------------------------------------------------------

  /**
   * Expiry (§4.6 "14 days ─► 5") and escrow release happen lazily: every handler calls this first. Cheap unless a
   * deadline has passed, so clock jumps through the control API take effect on the next read.
   */
  sweep(now = this.now()): void {
    if (now >= this.store.nextExpiry) {
      let next = Number.POSITIVE_INFINITY;
      for (const id of [...this.store.pending]) {
        const offer = this.store.get(id);
        if (offer === undefined) continue;
        if (offer.expirationTime <= now) this.transition(offer, 'expire', offer.expirationTime);
        else next = Math.min(next, offer.expirationTime);
      }
      this.store.nextExpiry = next;
    }
    this.trades.settleDue(now);
    for (const trade of this.trades.releaseDue(now)) {
      const offer = this.store.get(trade.tradeofferid);
      if (offer !== undefined && canTransition(offer.state, 'releaseEscrow')) {
        this.transition(offer, 'releaseEscrow', trade.timeMod);
        offer.settlementDate = trade.protectedUntil;
        for (const item of [...offer.itemsFromSender, ...offer.itemsFromRecipient]) item.missing = true;
      }
    }
  }

  /**
   * Vanished items (§4.6 "items gone ─► 8"): a pending offer whose item left its owner becomes InvalidItems with
   * `missing: true` on that item. Checked when an offer is read or acted on: O(items in the offer).
   */
  refreshItems(offer: Offer, now = this.now()): void {
    if (!isPendingState(offer.state)) return;
    let vanished = false;
    for (const [owner, items] of [
      [offer.sender, offer.itemsFromSender],
      [offer.recipient, offer.itemsFromRecipient],
    ] as const) {
      for (const item of items) {
        if (this.world.inventory(owner, item.contextid).get(item.assetid) === undefined) {
          item.missing = true;
          vanished = true;
        }
      }
    }
    if (vanished) this.transition(offer, 'itemsVanished', now);
  }

  // ---- community actions ---------------------------------------------------------------------------------------

  send(input: SendInput): SendResult {
    const now = this.now();
    this.sweep(now);
    const { sender } = input;
    const partner = this.world.account(input.partnerSteamid);
    if (!/^\d{17}$/.test(input.partnerSteamid))
      throw new SteamError(EResult.InvalidParam, 'partner is not a SteamID64');
    if (partner === undefined) throw new SteamError(EResult.AccessDenied, 'unknown partner');
    if (partner.steamid === sender.steamid)
      throw new SteamError(EResult.InvalidParam, 'cannot trade with yourself');
    this.assertCanTrade(sender, partner, now);

    let countered: Offer | undefined;
    if (input.countered !== undefined) {
      countered = this.store.get(input.countered);
      if (
        countered === undefined ||
        countered.recipient !== sender.steamid ||
        countered.sender !== partner.steamid
      ) {
        throw new SteamError(
          EResult.InvalidParam,
          'tradeofferid_countered is not an offer you received from partner',
        );
      }
      this.refreshItems(countered, now);
      if (!canTransition(countered.state, 'counter')) {
        throw new SteamError(EResult.InvalidState, 'countered offer is not active');
      }
    } else if (input.token !== partner.tradeToken) {
      // Everyone is a non-friend here: the partner's trade URL token is required (§2.2, §5 EResult 15).
      throw new SteamError(EResult.AccessDenied, 'missing or wrong trade_offer_access_token');
    }

    if (input.give.length === 0 && input.receive.length === 0) {
      throw new SteamError(EResult.InvalidParam, 'empty offer');
    }
    const give = this.resolveItems(sender.steamid, input.give, now);
    const receive = this.resolveItems(partner.steamid, input.receive, now);
    this.assertRoom(sender, receive.length, give.length);
    this.assertRoom(partner, give.length, receive.length);
    this.assertWithinLimits(sender, partner, now);

    // Giving items needs the sender's confirmation (§6.1): in the app with an authenticator, by e-mail without. Until
    // then the offer is 9 and the partner does not see it (§4.2).
    const confirmation = give.length > 0 ? confirmationChannel(sender) : undefined;
    const offer: Offer = {
      tradeofferid: this.store.newOfferId(),
      sender: sender.steamid,
      recipient: partner.steamid,
      message: input.message.slice(0, MAX_MESSAGE),
      state: confirmation !== undefined ? ETradeOfferState.CreatedNeedsConfirmation : ETradeOfferState.Active,
      itemsFromSender: give,
      itemsFromRecipient: receive,
      timeCreated: now,
      timeUpdated: now,
      expirationTime: now + OFFER_LIFETIME_SECONDS,
      confirmationMethod: methodOf(confirmation),
      escrowEndDate: 0,
      acceptPendingConfirmation: false,
      acceptConfirmationMethod: EConfirmationMethod.None,
      delaySettlement: this.trades.settings.tradeProtection,
      settlementDate: 0,
      ...(countered !== undefined ? { counters: countered.tradeofferid } : {}),
    };
    this.store.add(offer);
    if (countered !== undefined) this.transition(countered, 'counter', now);
    if (confirmation !== undefined) {
      this.confirmations.create(sender.steamid, offer.tradeofferid, 'send', confirmation, now);
    } else {
      this.onActive(offer);
    }
    this.world.markDirty();
    return { offer, confirmation };
  }

  /**
   * Recipient accepts (§4.3). When the recipient gives items the trade waits for its confirmation (in the app, or by
   * e-mail without an authenticator; `needs_*_confirmation: true`, offer stays 2); otherwise it executes now (3, or
   * 11 when a hold applies). `skipConfirmation` is for the control API acting with the user's phone and mailbox.
   */
  accept(account: Account, tradeofferid: string, skipConfirmation = false): AcceptResult {
    const now = this.now();
    this.sweep(now);
    const offer = this.store.get(tradeofferid);
    if (offer === undefined) throw new SteamError(EResult.InvalidParam, 'no such offer');
    if (offer.recipient !== account.steamid) throw new SteamError(EResult.AccessDenied, 'not the recipient');
    if (offer.state === ETradeOfferState.Accepted || offer.state === ETradeOfferState.InEscrow) {
      // Double-accept (§5: 28 AlreadyRedeemed).
      throw new SteamError(EResult.AlreadyRedeemed, 'offer already accepted');
    }
    this.refreshItems(offer, now);
    if (offer.state === ETradeOfferState.InvalidItems)
      throw new SteamError(EResult.Revoked, 'items no longer available');
    if (offer.state !== ETradeOfferState.Active)
      throw new SteamError(EResult.InvalidState, 'offer is not active');
    const sender = this.world.account(offer.sender);
    if (sender === undefined) throw new SteamError(EResult.Fail, 'sender vanished');
    this.assertCanTrade(account, sender, now);
    this.assertRoomForTrade(offer);

    if (offer.acceptPendingConfirmation && !skipConfirmation) {
      const pending = this.confirmations
        .forCreator(offer.tradeofferid)
        .find((c) => c.owner === account.steamid);
      return {
        offer,
        trade: undefined,
        confirmation: pending === undefined ? confirmationChannel(account) : channelOf(pending),
      };
    }
    if (!skipConfirmation && offer.itemsFromRecipient.length > 0) {
      const confirmation = confirmationChannel(account);
      offer.acceptPendingConfirmation = true;
      offer.acceptConfirmationMethod = methodOf(confirmation);
      offer.timeUpdated = now;
      this.confirmations.create(account.steamid, offer.tradeofferid, 'accept', confirmation, now);
      this.world.markDirty();
      return { offer, trade: undefined, confirmation };
    }
    const trade = this.executeTrade(offer, now);
    return { offer, trade, confirmation: undefined };
  }

  /** Sender withdraws (§4.3: valid in states 2 or 9). */
  cancel(account: Account, tradeofferid: string): Offer {
    const now = this.now();
    this.sweep(now);
    const offer = this.store.get(tradeofferid);
    if (offer === undefined) throw new SteamError(EResult.InvalidParam, 'no such offer');
    if (offer.sender !== account.steamid) throw new SteamError(EResult.AccessDenied, 'not the sender');
    this.refreshItems(offer, now);
    if (!canTransition(offer.state, 'cancel'))
      throw new SteamError(EResult.InvalidState, 'offer is not active');
    this.transition(offer, 'cancel', now);
    return offer;
  }

  /** Recipient refuses (§4.3). Unconfirmed offers (9) are invisible to the recipient, hence not declinable. */
  decline(account: Account, tradeofferid: string): Offer {
    const now = this.now();
    this.sweep(now);
    const offer = this.store.get(tradeofferid);
    if (
      offer === undefined ||
      (offer.recipient === account.steamid && offer.state === ETradeOfferState.CreatedNeedsConfirmation)
    ) {
      throw new SteamError(EResult.InvalidParam, 'no such offer');
    }
    if (offer.recipient !== account.steamid) throw new SteamError(EResult.AccessDenied, 'not the recipient');
    this.refreshItems(offer, now);
    if (!canTransition(offer.state, 'decline'))
      throw new SteamError(EResult.InvalidState, 'offer is not active');
    this.transition(offer, 'decline', now);
    return offer;
  }

  /**
   * Control API: answer `steamid`'s pending confirmations of an offer as its phone would (send or accept
   * confirmation). Returns how many were answered.
   */
  answerConfirmations(steamid: string, tradeofferid: string, allow: boolean): number {
    const pending = this.confirmations.forCreator(tradeofferid).filter((c) => c.owner === steamid);
    for (const conf of pending) this.confirmations.respond(conf, allow);
    return pending.length;
  }

  /** Control API: the account's pending confirmations, in the app and in its mailbox. */
  pendingConfirmations(steamid: string): Confirmation[] {
    return this.confirmations.list(steamid);
  }

  /** Control API: cancel the held trade of an offer in state 11 (items return; trade 11, offer 6, UNVERIFIED). */
  cancelEscrow(tradeofferid: string): Trade {
    const now = this.now();
    this.sweep(now);
    const offer = this.store.get(tradeofferid);
    if (offer === undefined || offer.tradeid === undefined || offer.state !== ETradeOfferState.InEscrow) {
      throw new SteamError(EResult.InvalidState, 'offer is not in escrow');
    }
    const trade = this.trades.cancelEscrow(offer.tradeid, now);
    this.transition(offer, 'cancelEscrow', now);
    return trade;
  }

  /** Offers the account may see (9 only to its sender, §4.5). */
  visibleOffer(account: Account, tradeofferid: string): Offer | undefined {
    const offer = this.store.get(tradeofferid);
    if (offer === undefined) return undefined;
    if (offer.sender === account.steamid) return offer;
    if (offer.recipient === account.steamid && offer.state !== ETradeOfferState.CreatedNeedsConfirmation)
      return offer;
    return undefined;
  }

  // ---- auto-policies (control API) -----------------------------------------------------------------------------

  setPolicy(steamid: string, policy: AutoPolicy | undefined): void {
    if (policy === undefined || policy.mode === 'ignore') this.store.policies.delete(steamid);
    else this.store.policies.set(steamid, policy);
    this.world.markDirty();
    for (const id of this.store.offersOf(steamid)) {
      const offer = this.store.get(id);
      if (offer !== undefined && offer.recipient === steamid && offer.state === ETradeOfferState.Active) {
        this.onActive(offer);
      }
    }
  }

  /** Re-arms auto-policy timers after a restart (timers are not persisted). */
  rearmPolicies(): void {
    for (const id of this.store.pending) {
      const offer = this.store.get(id);
      if (offer !== undefined && offer.state === ETradeOfferState.Active) this.onActive(offer);
    }
  }

  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  // ---- internals -----------------------------------------------------------------------------------------------

  private executeTrade(offer: Offer, now: number): Trade {
    const trade = this.trades.execute(offer, now);
    offer.tradeid = trade.tradeid;
    offer.acceptPendingConfirmation = false;
    if (trade.timeEscrowEnd > 0) {
      offer.escrowEndDate = trade.timeEscrowEnd;
      this.transition(offer, 'acceptIntoEscrow', now);
    } else {
      this.transition(offer, 'accept', now);
      offer.settlementDate = trade.protectedUntil;
    }
    // Items that left with the trade read as `missing` afterwards (§4.4 real sample of an accepted offer).
    for (const item of [...offer.itemsFromSender, ...offer.itemsFromRecipient]) item.missing = true;
    this.world.markDirty();
    return trade;
  }

  private resolveConfirmation(conf: Confirmation, allow: boolean): void {
    const now = this.now();
    this.sweep(now);
    const offer = this.store.get(conf.creatorId);
    if (offer === undefined) throw new SteamError(EResult.InvalidParam, 'confirmation object is gone');
    this.refreshItems(offer, now);
    const owner = this.world.account(conf.owner);
    if (owner === undefined) throw new SteamError(EResult.Fail, 'owner vanished');
    if (!allow) {
      // Either party cancelling through the confirmation ends the offer as 10 (§4.5).
      if (!canTransition(offer.state, 'denyConfirmation'))
        throw new SteamError(EResult.InvalidState, 'offer not pending');
      this.transition(offer, 'denyConfirmation', now);
      return;
    }
    if (!owner.tradeProtectionAcknowledged) {
      throw new SteamError(EResult.AccessDenied, 'trade protection not acknowledged');
    }
    if (conf.purpose === 'send') {
      if (!canTransition(offer.state, 'confirm'))
        throw new SteamError(EResult.InvalidState, 'offer is not awaiting confirmation');
      this.transition(offer, 'confirm', now);
      this.onActive(offer);
      return;
    }
    if (offer.state !== ETradeOfferState.Active || !offer.acceptPendingConfirmation) {
      throw new SteamError(EResult.InvalidState, 'offer is not awaiting acceptance confirmation');
    }
    this.assertRoomForTrade(offer);
    this.executeTrade(offer, now);
  }

  private transition(offer: Offer, event: OfferEvent, now: number): void {
    const wasPending = isPendingState(offer.state);
    const target = nextState(offer.state, event);
    if (target === undefined)
      throw new SteamError(EResult.InvalidState, `cannot ${event} an offer in state ${offer.state}`);
    this.store.setState(offer, target, now);
    if (wasPending && !isPendingState(target)) {
      this.confirmations.removeForCreator(offer.tradeofferid);
      offer.acceptPendingConfirmation = false;
      const timer = this.timers.get(offer.tradeofferid);
      if (timer !== undefined) {
        clearTimeout(timer);
        this.timers.delete(offer.tradeofferid);
      }
    }
    this.world.markDirty();
  }

  /** An offer became visible to its recipient: apply the recipient's auto-policy, if any. */
  private onActive(offer: Offer): void {
    const policy = this.store.policies.get(offer.recipient);
    if (policy === undefined || this.timers.has(offer.tradeofferid)) return;
    const timer = setTimeout(() => {
      this.timers.delete(offer.tradeofferid);
      this.runPolicy(offer.tradeofferid, policy);
    }, policy.afterMs);
    timer.unref();
    this.timers.set(offer.tradeofferid, timer);
  }

  private runPolicy(tradeofferid: string, policy: AutoPolicy): void {
    const offer = this.store.get(tradeofferid);
    const account = offer === undefined ? undefined : this.world.account(offer.recipient);
    if (offer === undefined || account === undefined || offer.state !== ETradeOfferState.Active) return;
    try {
      // The policy acts as the user including their phone, so accepts skip the mobile confirmation.
      if (policy.mode === 'accept') this.accept(account, tradeofferid, true);
      else if (policy.mode === 'decline') this.decline(account, tradeofferid);
      this.log.info({ tradeofferid, mode: policy.mode, steamid: account.steamid }, 'auto-policy applied');
    } catch (err) {
      this.log.warn({ tradeofferid, mode: policy.mode, err }, 'auto-policy failed');
    }
  }

  /** Account-level blocks surfaced as EResult 15 with the strError texts TOM maps to causes (§4.2, §4.8). */
  private assertCanTrade(self: Account, partner: Account, now: number): void {
    if (!self.tradeProtectionAcknowledged) {
      // UNVERIFIED wording: Steam shows a one-time popup; libraries saw sends/confirmations fail until it was
      // acknowledged (§4.3). The text names the fix so a client developer finds //trade/new/acknowledge.
      throw new SteamError(
        EResult.AccessDenied,
        'trade protection not acknowledged',
        'You must acknowledge Trade Protection before you can trade. POST //trade/new/acknowledge first.',
      );
    }
    if (self.tradeBannedUntil > now || self.restrictedUntil > now) {
      throw new SteamError(
        EResult.AccessDenied,
        'own account restricted',
        'You are not able to trade at this time.',
      );
    }
    if (partner.tradeBannedUntil > now) {
      throw new SteamError(
        EResult.AccessDenied,
        'partner trade banned',
        `You cannot trade with ${partner.persona} because they have a trade ban.`,
      );
    }
    if (partner.restrictedUntil > now) {
      throw new SteamError(
        EResult.AccessDenied,
        'partner restricted',
        `${partner.persona} is not available to trade. More information will be shown to ${partner.persona} if they invite you to trade.`,
      );
    }
  }

  /**
   * §8: a trade that would take an inventory past its capacity (1,000 unless the settings API says otherwise) is refused with 15 (§5 lists "partner's (or
   * your) inventory full" under 15; Steam's exact text is not known, so the generic sentence). A trade that does not
   * grow the inventory passes, even above the cap.
   */
  private assertRoom(account: Account, incoming: number, outgoing: number): void {
    if (incoming <= outgoing) return;
    if (this.world.inventoryCount(account.steamid) - outgoing + incoming > this.world.inventoryCapacity) {
      throw new SteamError(EResult.AccessDenied, `inventory of ${account.steamid} would be full`);
    }
  }

  /** Checked again when the trade is about to happen: inventories may have filled since the send. */
  private assertRoomForTrade(offer: Offer): void {
    const sender = this.world.account(offer.sender);
    const recipient = this.world.account(offer.recipient);
    const give = offer.itemsFromSender.length;
    const receive = offer.itemsFromRecipient.length;
    if (sender !== undefined) this.assertRoom(sender, receive, give);
    if (recipient !== undefined) this.assertRoom(recipient, give, receive);
  }

  /** §4.8 limits, 25 LimitExceeded with the "sent too many trade offers" text TOM maps to OfferLimitExceeded. */
  private assertWithinLimits(sender: Account, partner: Account, now: number): void {
    const { total, perPartner } = this.store.limits;
    const over = (): boolean =>
      this.store.pendingSentCount(sender.steamid) >= total ||
      this.store.pendingPairCount(sender.steamid, partner.steamid) >= perPartner;
    if (!over()) return;
    // Offers whose items vanished stop counting once noticed; look only when at the limit.
    for (const id of this.store.offersOf(sender.steamid)) {
      const offer = this.store.get(id);
      if (offer !== undefined && offer.sender === sender.steamid) this.refreshItems(offer, now);
    }
    if (over()) {
      throw new SteamError(
        EResult.LimitExceeded,
        'outstanding offer limit',
        `You have sent too many trade offers, or have too many outstanding trade offers with ${partner.persona}. Please cancel some before sending more.`,
      );
    }
  }

  private resolveItems(owner: string, raw: RawAsset[], now: number): OfferItem[] {
    const seen = new Set<string>();
    const items: OfferItem[] = [];
    for (const r of raw) {
      // §5: assetid sent as a number instead of a string was seen to fail with 26.
      if (typeof r.assetid !== 'string' || !/^\d+$/.test(r.assetid)) {
        throw new SteamError(EResult.Revoked, 'assetid must be a decimal string');
      }
      if (Number(r.appid) !== APPID) throw new SteamError(EResult.InvalidParam, 'only appid 730 is emulated');
      const contextid = String(r.contextid);
      if (contextid !== '2' && contextid !== '16') throw new SteamError(EResult.Revoked, 'unknown contextid');
      if (r.amount !== undefined && Number(r.amount) !== 1)
        throw new SteamError(EResult.InvalidParam, 'amount must be 1');
      // Duplicate assetids fail with 8 (§5, steampy#438).
      if (seen.has(r.assetid)) throw new SteamError(EResult.InvalidParam, 'duplicate assetid');
      seen.add(r.assetid);
      const asset = this.world.inventory(owner, contextid).get(r.assetid);
      if (asset === undefined) throw new SteamError(EResult.Revoked, `asset ${r.assetid} not in inventory`);
      // Not tradable (cooldown or trade protection) ⇒ 26 (§5).
      if (asset.tradableAfter > now)
        throw new SteamError(EResult.Revoked, `asset ${r.assetid} not tradable yet`);
      if (this.world.descriptions.get(asset.descKey)?.tradable === 0) {
        throw new SteamError(EResult.Revoked, `asset ${r.assetid} is not tradable`);
      }
      items.push({
        appid: APPID,
        contextid: asset.contextid,
        assetid: asset.assetid,
        classid: asset.classid,
        instanceid: asset.instanceid,
        amount: asset.amount,
        missing: false,
      });
    }
    return items;
  }
}
