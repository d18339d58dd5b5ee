/** Trades produced by accepted offers, plus the assets held in escrow (steam.md §4.8 "items removed from both
 * inventories, delivered automatically later"). Persisted as the `trades` slice. */
import type { Trade } from '../offers/offer.types.ts';
import type { Asset } from '../world/types.ts';

export interface HeldAsset {
  from: string;
  to: string;
  asset: Asset;
}

export interface TradeStoreDump {
  nextTradeId: string;
  trades: Trade[];
  held: Array<[string, HeldAsset[]]>;
}

export class TradeStore {
  readonly trades = new Map<string, Trade>();
  readonly byAccount = new Map<string, string[]>();
  /** tradeid → assets taken out of both inventories while the trade is on hold. */
  readonly held = new Map<string, HeldAsset[]>();
  /** Earliest time_escrow_end among held trades; the sweep is a no-op before it. */
  nextRelease = Number.POSITIVE_INFINITY;
  /** Earliest protectedUntil among unsettled trades; the settlement sweep is a no-op before it. */
  nextSettlement = Number.POSITIVE_INFINITY;
  // Trade ids are full 64-bit values on Steam (§4.4 sample 4857754652343132495).
  private nextId = 5_710_000_000_000_000_000n;

  newTradeId(): string {
    this.nextId += 1n;
    return this.nextId.toString();
  }

  get(id: string): Trade | undefined {
    return this.trades.get(id);
  }

  add(trade: Trade): void {
    this.trades.set(trade.tradeid, trade);
    if (trade.protectedUntil > 0 && trade.settled !== true) {
      this.nextSettlement = Math.min(this.nextSettlement, trade.protectedUntil);
    }
    for (const steamid of [trade.initiator, trade.partner]) {
      const list = this.byAccount.get(steamid);
      if (list === undefined) this.byAccount.set(steamid, [trade.tradeid]);
      else list.push(trade.tradeid);
    }
  }

  tradesOf(steamid: string): string[] {
    return this.byAccount.get(steamid) ?? [];
  }

  hold(tradeid: string, assets: HeldAsset[], releaseAt: number): void {
    this.held.set(tradeid, assets);
    if (releaseAt < this.nextRelease) this.nextRelease = releaseAt;
  }

  dump(): TradeStoreDump {
    return { nextTradeId: this.nextId.toString(), trades: [...this.trades.values()], held: [...this.held] };
  }

  load(data: TradeStoreDump): void {
    this.trades.clear();
    this.byAccount.clear();
    this.held.clear();
    this.nextId = BigInt(data.nextTradeId);
    for (const trade of data.trades) this.add(trade);
    for (const [id, assets] of data.held) this.held.set(id, assets);
    this.nextRelease = Number.NEGATIVE_INFINITY;
    this.nextSettlement = Number.NEGATIVE_INFINITY;
  }
}
