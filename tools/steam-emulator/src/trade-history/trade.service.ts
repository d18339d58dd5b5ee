/**
 * Executes accepted offers as trades and owns what happens to them afterwards: escrow release and CS2
 * trade-protection reversal (steam.md §4.7, §4.8). Item movement goes through the world so inventories and
 * asset ids stay the world's business.
 */
import type { Offer, Trade, TradeAsset } from '../offers/offer.types.ts';
import { ETradeStatus } from '../offers/offer-state.ts';
import type { World } from '../world/world.ts';
import type { Account, ContextId, MovedAsset } from '../world/types.ts';
import type { HeldAsset, TradeStore } from './trade.store.ts';

const DAY = 86_400;
/** "for 7 days are Trade Protected" (§4.8). */
export const PROTECTION_SECONDS = 7 * DAY;
/** "the reversing account is restricted from trading and the Community Market for 30 days" (§4.8). */
export const REVERSAL_RESTRICTION_SECONDS = 30 * DAY;

export interface TradeSettings {
  /** CS2 trade protection (§4.8): received items land in context 16, untradable for 7 days, reversible. */
  tradeProtection: boolean;
}

export class TradeNotReversibleError extends Error {}

/** "delayed by Steam for up to 15 days" (§4.8). */
export const NO_AUTHENTICATOR_HOLD_DAYS = 15;
/** "hasn't had their account protected by a Mobile Authenticator for the past 7 days" (§4.8). */
const AUTHENTICATOR_SEASONING = 7 * DAY;

/**
 * Days Steam holds the items `account` trades away (§4.8; offer page `g_daysMyEscrow`, GetTradeHoldDurations): the
 * full 15 days unless it has had a mobile authenticator for 7 days; the control API's `escrowDays` can raise it.
 */
export function holdDays(account: Account, now: number): number {
  const protectedLongEnough =
    account.identitySecret !== '' && account.authenticatorSince <= now - AUTHENTICATOR_SEASONING;
  return Math.max(account.escrowDays, protectedLongEnough ? 0 : NO_AUTHENTICATOR_HOLD_DAYS);
}

export class TradeService {
  readonly settings: TradeSettings = { tradeProtection: true };
  private readonly world: World;
  private readonly store: TradeStore;

  constructor(options: { world: World; store: TradeStore }) {
    this.world = options.world;
    this.store = options.store;
  }

  /**
   * Hold length for a trade: the longer of the two parties' hold, counting a party only when it gives items
   * (§4.8 "a user trading away … items").
   */
  holdSeconds(offer: Offer, now: number): number {
    const sender = this.world.account(offer.sender);
    const recipient = this.world.account(offer.recipient);
    const senderDays = offer.itemsFromSender.length > 0 && sender !== undefined ? holdDays(sender, now) : 0;
    const recipientDays =
      offer.itemsFromRecipient.length > 0 && recipient !== undefined ? holdDays(recipient, now) : 0;
    return Math.max(senderDays, recipientDays) * DAY;
  }

  /** Caller has verified every item is still with its owner; world.moveAssets would throw otherwise. */
  execute(offer: Offer, now: number): Trade {
    const trade: Trade = {
      tradeid: this.store.newTradeId(),
      tradeofferid: offer.tradeofferid,
      initiator: offer.sender,
      partner: offer.recipient,
      status: ETradeStatus.Complete,
      timeInit: now,
      timeMod: now,
      timeEscrowEnd: 0,
      protectedUntil: 0,
      fromInitiator: offer.itemsFromSender.map(toTradeAsset),
      fromPartner: offer.itemsFromRecipient.map(toTradeAsset),
    };
    const hold = this.holdSeconds(offer, now);
    if (hold > 0) {
      const held: HeldAsset[] = [];
      for (const item of offer.itemsFromSender)
        this.takeForEscrow(held, offer.sender, offer.recipient, item.assetid);
      for (const item of offer.itemsFromRecipient)
        this.takeForEscrow(held, offer.recipient, offer.sender, item.assetid);
      trade.status = ETradeStatus.InEscrow;
      trade.timeEscrowEnd = now + hold;
      this.store.hold(trade.tradeid, held, trade.timeEscrowEnd);
    } else {
      this.deliver(trade, now);
    }
    this.store.add(trade);
    this.world.markDirty();
    return trade;
  }

  /** Releases held trades whose hold elapsed. Returns them so the offer side can move 11 → 3. */
  releaseDue(now: number): Trade[] {
    if (now < this.store.nextRelease) return [];
    const released: Trade[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const [tradeid, held] of this.store.held) {
      const trade = this.store.get(tradeid);
      if (trade === undefined) continue;
      if (trade.timeEscrowEnd > now) {
        next = Math.min(next, trade.timeEscrowEnd);
        continue;
      }
      this.store.held.delete(tradeid);
      this.deliverHeld(trade, held, trade.timeEscrowEnd);
      released.push(trade);
    }
    this.store.nextRelease = next;
    if (released.length > 0) this.world.markDirty();
    return released;
  }

  /**
   * A party cancels a trade on hold (§4.8 "Cancelling a held trade"): the held items go back to their givers with
   * new asset ids (rollback_new_assetid), trade status 11 EscrowRollback.
   */
  cancelEscrow(tradeid: string, now: number): Trade {
    const trade = this.store.get(tradeid);
    const held = this.store.held.get(tradeid);
    if (trade === undefined || held === undefined || trade.status !== ETradeStatus.InEscrow) {
      throw new TradeNotReversibleError(`trade ${tradeid} is not on hold`);
    }
    this.store.held.delete(tradeid);
    const byOldId = new Map<string, TradeAsset>();
    for (const a of [...trade.fromInitiator, ...trade.fromPartner]) byOldId.set(a.assetid, a);
    for (const h of held) {
      const assetid = this.world.nextAssetId();
      this.rekeyCasket(h.asset.assetid, assetid);
      this.world.addAsset(h.from, { ...h.asset, assetid, contextid: '2' });
      const record = byOldId.get(h.asset.assetid);
      if (record !== undefined) {
        record.rollbackNewAssetid = assetid;
        record.rollbackNewContextid = '2';
      }
    }
    trade.status = ETradeStatus.EscrowRollback;
    trade.timeMod = now;
    this.world.markDirty();
    return trade;
  }

  /**
   * End of trade protection (§4.8): items still in the receiver's context 16 move to context 2, keeping their
   * asset id (UNVERIFIED: whether Steam re-keys them), and become tradable (tradableAfter already passed).
   */
  settleDue(now: number): void {
    if (now < this.store.nextSettlement) return;
    let next = Number.POSITIVE_INFINITY;
    let moved = false;
    for (const trade of this.store.trades.values()) {
      if (trade.settled === true || trade.protectedUntil === 0) continue;
      if (trade.status !== ETradeStatus.Complete) {
        trade.settled = true;
        continue;
      }
      if (trade.protectedUntil > now) {
        next = Math.min(next, trade.protectedUntil);
        continue;
      }
      const settle = (assets: TradeAsset[], receiver: string): void => {
        for (const a of assets) {
          if (a.newAssetid === undefined || a.newContextid !== '16') continue;
          const asset = this.world.inventory(receiver, '16').get(a.newAssetid);
          if (asset === undefined || asset.tradableAfter > now) continue;
          this.world.removeAsset(receiver, a.newAssetid);
          this.world.addAsset(receiver, { ...asset, contextid: '2' });
          moved = true;
        }
      };
      settle(trade.fromInitiator, trade.partner);
      settle(trade.fromPartner, trade.initiator);
      trade.settled = true;
    }
    this.store.nextSettlement = next;
    if (moved) this.world.markDirty();
  }

  /**
   * Trade-protection reversal by `steamid` (§4.8): every still-protected completed trade of that account is rolled
   * back, each moved item going back to its previous owner's context 2 with a new asset id recorded as
   * rollback_new_assetid/rollback_new_contextid. Status becomes 6 FullSupportRollback, or 5
   * PartialSupportRollback when some item was no longer with its receiver (8 RollbackFailed when none was).
   * UNVERIFIED (§11): which status Steam shows; the offer itself stays 3 Accepted here.
   */
  reverse(tradeid: string, steamid: string, now: number): Trade[] {
    const named = this.store.get(tradeid);
    if (named === undefined || (named.initiator !== steamid && named.partner !== steamid)) {
      throw new TradeNotReversibleError(`trade ${tradeid} is not a trade of ${steamid}`);
    }
    if (!this.isReversible(named, now)) {
      throw new TradeNotReversibleError(
        `trade ${tradeid} is not trade protected any more (or already rolled back)`,
      );
    }
    const reversed: Trade[] = [];
    for (const id of this.store.tradesOf(steamid)) {
      const trade = this.store.get(id);
      if (trade === undefined || !this.isReversible(trade, now)) continue;
      let returned = 0;
      let total = 0;
      const rollBack = (assets: TradeAsset[], giver: string, receiver: string): void => {
        for (const asset of assets) {
          if (asset.newAssetid === undefined) continue;
          total += 1;
          const taken = this.world.removeAsset(receiver, asset.newAssetid);
          if (taken === undefined) continue;
          const assetid = this.world.nextAssetId();
          this.rekeyCasket(asset.newAssetid, assetid);
          this.world.addAsset(giver, { ...taken, assetid, contextid: '2', tradableAfter: 0 });
          asset.rollbackNewAssetid = assetid;
          asset.rollbackNewContextid = '2';
          returned += 1;
        }
      };
      rollBack(trade.fromInitiator, trade.initiator, trade.partner);
      rollBack(trade.fromPartner, trade.partner, trade.initiator);
      trade.status =
        returned === total
          ? ETradeStatus.FullSupportRollback
          : returned > 0
            ? ETradeStatus.PartialSupportRollback
            : ETradeStatus.RollbackFailed;
      trade.timeMod = now;
      trade.reversedBy = steamid;
      reversed.push(trade);
    }
    const account = this.world.account(steamid);
    if (account !== undefined) account.restrictedUntil = now + REVERSAL_RESTRICTION_SECONDS;
    this.world.markDirty();
    return reversed;
  }

  private isReversible(trade: Trade, now: number): boolean {
    return trade.status === ETradeStatus.Complete && trade.protectedUntil > now;
  }

  private deliver(trade: Trade, now: number): void {
    const opts = this.receiptOptions(now);
    const movedToPartner = this.world.moveAssets(
      trade.initiator,
      trade.partner,
      trade.fromInitiator.map((a) => a.assetid),
      opts,
    );
    const movedToInitiator = this.world.moveAssets(
      trade.partner,
      trade.initiator,
      trade.fromPartner.map((a) => a.assetid),
      opts,
    );
    recordMoves(trade.fromInitiator, movedToPartner);
    recordMoves(trade.fromPartner, movedToInitiator);
    if (this.settings.tradeProtection) trade.protectedUntil = now + PROTECTION_SECONDS;
  }

  private deliverHeld(trade: Trade, held: HeldAsset[], at: number): void {
    const opts = this.receiptOptions(at);
    const byOldId = new Map<string, TradeAsset>();
    for (const a of [...trade.fromInitiator, ...trade.fromPartner]) byOldId.set(a.assetid, a);
    for (const h of held) {
      const assetid = this.world.nextAssetId();
      const contextid: ContextId = opts.toContext ?? '2';
      this.rekeyCasket(h.asset.assetid, assetid);
      this.world.addAsset(h.to, {
        ...h.asset,
        assetid,
        contextid,
        tradableAfter: opts.tradableAfter ?? h.asset.tradableAfter,
      });
      const record = byOldId.get(h.asset.assetid);
      if (record !== undefined) {
        record.newAssetid = assetid;
        record.newContextid = contextid;
      }
    }
    trade.status = ETradeStatus.Complete;
    trade.timeMod = at;
    if (this.settings.tradeProtection) {
      trade.protectedUntil = at + PROTECTION_SECONDS;
      this.store.nextSettlement = Math.min(this.store.nextSettlement, trade.protectedUntil);
    }
  }

  /** Protected receipts: context 16, tradable after 7 days (§4.8; new_contextid 16 is UNVERIFIED, §4.7). */
  private receiptOptions(now: number): { toContext?: ContextId; tradableAfter?: number } {
    return this.settings.tradeProtection ? { toContext: '16', tradableAfter: now + PROTECTION_SECONDS } : {};
  }

  private takeForEscrow(held: HeldAsset[], from: string, to: string, assetid: string): void {
    const asset = this.world.removeAsset(from, assetid);
    if (asset !== undefined) held.push({ from, to, asset });
  }

  /** Storage-unit contents travel with the casket (same rule as world.moveAssets). */
  private rekeyCasket(oldId: string, newId: string): void {
    const contents = this.world.casketContents.get(oldId);
    if (contents === undefined) return;
    this.world.casketContents.delete(oldId);
    this.world.casketContents.set(newId, contents);
  }
}

function toTradeAsset(item: Offer['itemsFromSender'][number]): TradeAsset {
  return {
    appid: item.appid,
    contextid: item.contextid,
    assetid: item.assetid,
    classid: item.classid,
    instanceid: item.instanceid,
    amount: item.amount,
  };
}

function recordMoves(assets: TradeAsset[], moved: MovedAsset[]): void {
  const byOldId = new Map(moved.map((m) => [m.assetid, m]));
  for (const asset of assets) {
    const m = byOldId.get(asset.assetid);
    if (m === undefined) continue;
    asset.newAssetid = m.newAssetid;
    asset.newContextid = m.newContextid;
  }
}
