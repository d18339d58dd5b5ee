import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import {
  AppError,
  isOfferFinal,
  minorToJson,
  reversalDelta,
  settleOffer,
  toMinor,
  tradeOutcome,
  type OfferEnd,
  type OfferState,
} from '@platform/core';
import { transact, type MainDatabase } from '@platform/db';
import type { BalanceRepository, BalanceState } from '../balance/balance.repository.ts';
import { OutboxWriter } from '../outbox/outbox.ts';
import type { OfferRow, TradeItemRow, TradeRepository, TradeRow } from './trade.repository.ts';

type Trx = Transaction<MainDatabase>;

export interface SettlementDeps {
  db: Kysely<MainDatabase>;
  trades: TradeRepository;
  balances: BalanceRepository;
  /** Steam's trade protection: credit from items received is protected this long. */
  protectionMs: number;
  /** Called after a commit that wrote outbox rows (wakes the relay). */
  onCommit: () => void;
  now?: () => Date;
}

export interface AcceptedReport {
  steamTradeId?: string | null;
  /** The new asset ids of what the user gave, on the bot (Steam mints new ids on every transfer). */
  received?: Array<{ assetId: string; newAssetId: string; newContextId?: number }>;
}

/**
 * Every change of a trade after its creation, each exactly once: the tradebot's reports (an
 * offer recorded, sent, accepted, ended; a reversal), the user's cancel and the reservation
 * sweeper. Each runs in one transaction that first locks the trade row, so two reports of one
 * trade never interleave, and re-checks the offer's state, so a report applied twice (a retry,
 * a second tradebot) changes nothing the second time. Money moves per offer by the rule of
 * packages/core settlement.ts; every change writes its outbox rows in the same transaction.
 */
export class SettlementService {
  readonly #d: SettlementDeps;
  constructor(deps: SettlementDeps) {
    this.#d = deps;
  }

  #now(): Date {
    return this.#d.now?.() ?? new Date();
  }

  /** Runs `fn` on the locked trade, writes its outbox rows and commits; NOT_FOUND when it does not exist. */
  async #withTrade<T>(
    tradeId: string,
    fn: (trx: Trx, trade: TradeRow, out: OutboxWriter) => Promise<T>,
  ): Promise<T> {
    let wrote = 0;
    const result = await transact(this.#d.db, async (trx) => {
      const out = new OutboxWriter();
      const trade = await this.#d.trades.lock(trx, tradeId);
      if (!trade) throw new AppError('NOT_FOUND', 'There is no such trade.');
      const r = await fn(trx, trade, out);
      await out.write(trx);
      wrote = out.size;
      return r;
    });
    if (wrote > 0) this.#d.onCommit();
    return result;
  }

  #offerOf(offers: OfferRow[], offerId: string): OfferRow {
    const offer = offers.find((o) => o.id === offerId);
    if (!offer) throw new AppError('NOT_FOUND', 'This trade has no such offer.');
    return offer;
  }

  /** The tradebot is about to ask Steam (invariant 3: the intent is recorded first). */
  async recordIntent(
    tradeId: string,
    offerId: string,
    botId: number,
  ): Promise<{ offerId: string; botId: number }> {
    return this.#withTrade(tradeId, async (trx, trade) => {
      const offer = this.#offerOf(await this.#d.trades.offers(trx, tradeId), offerId);
      if (offer.state === 'intent' || offer.state === 'sent') {
        if (offer.bot_id !== botId)
          throw new AppError('OFFER_CONFLICT', 'This offer is recorded for another bot.');
        return { offerId, botId };
      }
      if (offer.state !== 'planned' || (trade.state !== 'pending' && trade.state !== 'sent'))
        throw new AppError(
          'OFFER_CONFLICT',
          `The offer is ${offer.state} and the trade ${trade.state}: do not send it.`,
        );
      if (offer.bot_id !== null && offer.bot_id !== botId)
        throw new AppError('OFFER_CONFLICT', 'The items of this offer are on another bot.');
      const bot = await trx
        .selectFrom('bots')
        .select(['id', 'status'])
        .where('id', '=', botId)
        .executeTakeFirst();
      if (!bot || bot.status !== 'active')
        throw new AppError('OFFER_CONFLICT', 'That bot cannot take offers now.');
      await trx
        .updateTable('offers')
        .set({ state: 'intent', bot_id: botId })
        .where('id', '=', offerId)
        .execute();
      await trx
        .updateTable('trade_items')
        .set({ bot_id: botId })
        .where('offer_id', '=', offerId)
        .where('bot_id', 'is', null)
        .execute();
      return { offerId, botId };
    });
  }

  /** Steam took the offer. `cancel: true` tells the tradebot the trade is being canceled. */
  async recordSent(tradeId: string, offerId: string, steamOfferId: string): Promise<{ cancel: boolean }> {
    return this.#withTrade(tradeId, async (trx, trade, out) => {
      const offers = await this.#d.trades.offers(trx, tradeId);
      const offer = this.#offerOf(offers, offerId);
      if (offer.state === 'sent' && offer.steam_offer_id === steamOfferId)
        return { cancel: trade.state === 'canceling' };
      if (offer.state !== 'intent')
        throw new AppError(
          'OFFER_CONFLICT',
          `The offer is ${offer.state}; only a recorded intent can be sent.`,
        );
      await trx
        .updateTable('offers')
        .set({ state: 'sent', steam_offer_id: steamOfferId, sent_at: this.#now() })
        .where('id', '=', offerId)
        .execute();
      offer.state = 'sent';
      if (trade.state === 'pending' && offers.every((o) => o.state === 'sent' || isOfferFinal(o.state))) {
        await this.#d.trades.setState(trx, tradeId, 'sent');
      } else
        await trx
          .updateTable('trades')
          .set({ version: sql`version + 1` })
          .where('id', '=', tradeId)
          .execute();
      await this.#tradeUpdated(trx, out, trade);
      return { cancel: trade.state === 'canceling' };
    });
  }

  /** The user accepted the offer on Steam: items moved, this offer settles. */
  async recordAccepted(tradeId: string, offerId: string, report: AcceptedReport): Promise<void> {
    await this.#withTrade(tradeId, async (trx, trade, out) => {
      const offers = await this.#d.trades.offers(trx, tradeId);
      const offer = this.#offerOf(offers, offerId);
      if (offer.state === 'accepted') return;
      if (offer.state !== 'intent' && offer.state !== 'sent')
        throw new AppError('OFFER_CONFLICT', `The offer is ${offer.state}; it cannot be accepted now.`);
      const now = this.#now();
      await trx
        .updateTable('offers')
        .set({ state: 'accepted', steam_trade_id: report.steamTradeId ?? null, settled_at: now })
        .where('id', '=', offerId)
        .execute();
      offer.state = 'accepted';
      const items = (await this.#d.trades.items(trx, tradeId)).filter((i) => i.offer_id === offerId);
      const received = items.filter((i) => i.side === 'user_receives').map((i) => i.asset_id);
      // The site's items left the bot: out of the site inventory now, their reservation consumed.
      if (received.length > 0) {
        await trx
          .updateTable('reservations')
          .set({ released_at: now })
          .where('trade_id', '=', tradeId)
          .where('released_at', 'is', null)
          .where('asset_id', 'in', received)
          .execute();
        await trx.deleteFrom('items').where('asset_id', 'in', received).execute();
        const bot = await trx
          .selectFrom('bots')
          .select(['id', 'steam_id'])
          .where('id', '=', offer.bot_id ?? 0)
          .executeTakeFirst();
        if (bot)
          out.event('site-inventory.changed', `bot:${bot.id}`, {
            v: 1,
            type: 'site-inventory.changed',
            botId: bot.id,
            botSteamId: bot.steam_id,
            added: [],
            removed: received,
            at: now.toISOString(),
          });
      }
      for (const r of report.received ?? []) {
        await trx
          .updateTable('trade_items')
          .set({ new_asset_id: r.newAssetId, new_context_id: r.newContextId ?? null })
          .where('trade_id', '=', tradeId)
          .where('offer_id', '=', offerId)
          .where('asset_id', '=', r.assetId)
          .where('side', '=', 'user_gives')
          .execute();
      }
      const s = settleOffer(this.#values(offer), true);
      if (s.credit > 0n) {
        await this.#d.balances.credit(trx, s.credit, {
          userId: trade.user_id,
          reason: 'trade_credit',
          refType: 'offer',
          refId: offerId,
          protectedUntil: s.protectedCredit > 0n ? new Date(now.getTime() + this.#d.protectionMs) : null,
        });
        await this.#balanceUpdated(trx, out, trade.user_id);
      }
      // What the user gave lands on the bot: sinv reads it with its new ids and full details.
      if (offer.bot_id !== null && items.some((i) => i.side === 'user_gives'))
        out.job('inventory-refresh', 'refresh-bot', `bot:${offer.bot_id}`, {
          v: 1,
          botId: offer.bot_id,
          reason: 'trade',
          tradeId,
        });
      await this.#afterOfferEnd(trx, out, trade, offers);
    });
  }

  /** The offer ended without being accepted (declined, expired, canceled, failed). */
  async recordEnded(
    tradeId: string,
    offerId: string,
    state: Exclude<OfferEnd, 'accepted'>,
    reason?: string,
  ): Promise<void> {
    await this.#withTrade(tradeId, async (trx, trade, out) => {
      const offers = await this.#d.trades.offers(trx, tradeId);
      const offer = this.#offerOf(offers, offerId);
      if (isOfferFinal(offer.state)) {
        if (offer.state === 'accepted') throw new AppError('OFFER_CONFLICT', 'The offer was accepted.');
        return;
      }
      await this.#endOffer(trx, out, trade, offer, state, reason ?? null);
      await this.#afterOfferEnd(trx, out, trade, offers);
    });
  }

  /**
   * Ends a trade on request: the user's cancel, or the reservation's end (the sweeper). Offers
   * not yet recorded end at once; recorded ones are the tradebot's to cancel on Steam (a
   * cancel-trade job), and the trade waits in `canceling` for its reports.
   */
  async requestCancel(tradeId: string, reason: 'user' | 'expiry', userId?: string): Promise<void> {
    await this.#withTrade(tradeId, async (trx, trade, out) => {
      if (userId !== undefined && trade.user_id !== userId)
        throw new AppError('NOT_FOUND', 'There is no such trade.');
      if (trade.state === 'canceling' || (reason === 'user' && trade.state === 'canceled')) return;
      const offers = await this.#d.trades.offers(trx, tradeId);
      if (trade.state !== 'pending' && trade.state !== 'sent') {
        if (reason === 'expiry') return;
        throw new AppError('TRADE_NOT_CANCELABLE');
      }
      if (reason === 'user' && offers.some((o) => o.state === 'accepted'))
        throw new AppError('TRADE_NOT_CANCELABLE');
      for (const o of offers.filter((x) => x.state === 'planned')) {
        await this.#endOffer(trx, out, trade, o, 'canceled', reason);
      }
      const live = offers.filter((o) => o.state === 'intent' || o.state === 'sent');
      if (live.length === 0) {
        await this.#afterOfferEnd(trx, out, trade, offers, reason);
        return;
      }
      await this.#d.trades.setState(trx, tradeId, 'canceling', { cancel_reason: reason });
      trade.state = 'canceling';
      out.job('trade-execution', 'cancel-trade', `trade:${tradeId}`, { v: 1, tradeId });
      await this.#tradeUpdated(trx, out, trade);
    });
  }

  /** Steam's trade protection reversed a completed trade: every item went back to its previous owner. */
  async recordReversed(tradeId: string): Promise<void> {
    await this.#withTrade(tradeId, async (trx, trade, out) => {
      if (trade.state === 'reversed') return;
      if (trade.state !== 'completed')
        throw new AppError(
          'OFFER_CONFLICT',
          `Only a completed trade can be reversed; this one is ${trade.state}.`,
        );
      const offers = await this.#d.trades.offers(trx, tradeId);
      const accepted = offers.filter((o) => o.state === 'accepted').map((o) => this.#values(o));
      const delta = reversalDelta(accepted);
      const entry = { userId: trade.user_id, reason: 'reversal', refType: 'trade', refId: tradeId };
      if (delta < 0n) {
        // The credit taken back was protected credit: the row carries the same window, so the
        // protected sum of the ledger nets it out.
        const window = await trx
          .selectFrom('ledger')
          .select(sql<Date | null>`MAX(protected_until)`.as('until'))
          .where('user_id', '=', trade.user_id)
          .where('ref_type', '=', 'offer')
          .where(
            'ref_id',
            'in',
            offers.filter((o) => o.state === 'accepted').map((o) => o.id),
          )
          .executeTakeFirst();
        await this.#d.balances.takeBack(trx, -delta, { ...entry, protectedUntil: window?.until ?? null });
      } else if (delta > 0n) {
        await this.#d.balances.credit(trx, delta, entry);
      }
      await this.#d.trades.setState(trx, tradeId, 'reversed');
      trade.state = 'reversed';
      out.event('trade.notice', `trade:${tradeId}`, {
        v: 1,
        type: 'trade.notice',
        tradeId,
        userId: trade.user_id,
        kind: 'trade_reversed',
        message:
          delta < 0n
            ? 'Steam reversed this trade: its items went back, and the credit it gave was taken back.'
            : 'Steam reversed this trade: its items went back to the site, and what you paid is back in your balance.',
        at: this.#now().toISOString(),
      });
      for (const botId of new Set(offers.filter((o) => o.state === 'accepted').map((o) => o.bot_id))) {
        if (botId !== null)
          out.job('inventory-refresh', 'refresh-bot', `bot:${botId}`, {
            v: 1,
            botId,
            reason: 'trade',
            tradeId,
          });
      }
      await this.#tradeUpdated(trx, out, trade);
      await this.#balanceUpdated(trx, out, trade.user_id);
    });
  }

  /** Trades whose reservation ran out while still pending or sent. */
  async expiredTradeIds(limit = 100): Promise<string[]> {
    const rows = await this.#d.db
      .selectFrom('trades')
      .select('id')
      .where('state', 'in', ['pending', 'sent'])
      .where('expires_at', '<', this.#now())
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  #values(o: OfferRow) {
    return {
      giveValue: toMinor(o.give_value),
      receiveValue: toMinor(o.receive_value),
      holdShare: toMinor(o.hold_share),
    };
  }

  async #endOffer(
    trx: Trx,
    out: OutboxWriter,
    trade: TradeRow,
    offer: OfferRow,
    state: Exclude<OfferEnd, 'accepted'>,
    reason: string | null,
  ): Promise<void> {
    const now = this.#now();
    const r = await trx
      .updateTable('offers')
      .set({ state, end_reason: reason, settled_at: now })
      .where('id', '=', offer.id)
      .where('state', 'in', ['planned', 'intent', 'sent'])
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return;
    offer.state = state;
    const items: TradeItemRow[] = (await this.#d.trades.items(trx, trade.id)).filter(
      (i) => i.offer_id === offer.id,
    );
    const received = items.filter((i) => i.side === 'user_receives').map((i) => i.asset_id);
    if (received.length > 0) {
      await trx
        .updateTable('reservations')
        .set({ released_at: now })
        .where('trade_id', '=', trade.id)
        .where('released_at', 'is', null)
        .where('asset_id', 'in', received)
        .execute();
      out.event('site-items.released', `trade:${trade.id}`, {
        v: 1,
        type: 'site-items.released',
        tradeId: trade.id,
        assetIds: received,
        at: now.toISOString(),
      });
    }
    const s = settleOffer(this.#values(offer), false);
    if (s.credit > 0n) {
      await this.#d.balances.credit(trx, s.credit, {
        userId: trade.user_id,
        reason: 'trade_release',
        refType: 'offer',
        refId: offer.id,
      });
      await this.#balanceUpdated(trx, out, trade.user_id);
    }
  }

  /** Once every offer has ended, the trade takes its outcome; otherwise its view changed. */
  async #afterOfferEnd(
    trx: Trx,
    out: OutboxWriter,
    trade: TradeRow,
    offers: OfferRow[],
    reason: 'user' | 'expiry' | null = trade.cancel_reason,
  ): Promise<void> {
    if (offers.every((o) => isOfferFinal(o.state))) {
      const outcome = tradeOutcome(
        offers.map((o) => o.state as OfferEnd),
        reason,
      );
      await this.#d.trades.setState(trx, trade.id, outcome, {
        ...(reason ? { cancel_reason: reason } : {}),
        ...(outcome === 'completed' ? { completed_at: this.#now() } : {}),
      });
      trade.state = outcome;
    } else {
      await trx
        .updateTable('trades')
        .set({ version: sql`version + 1` })
        .where('id', '=', trade.id)
        .execute();
    }
    await this.#tradeUpdated(trx, out, trade);
  }

  async #tradeUpdated(trx: Trx, out: OutboxWriter, trade: TradeRow): Promise<void> {
    const [view] = await this.#d.trades.views(trx, [trade.id]);
    if (!view) return;
    const version = await trx
      .selectFrom('trades')
      .select('version')
      .where('id', '=', trade.id)
      .executeTakeFirst();
    out.event('trade.updated', `trade:${trade.id}`, {
      v: 1,
      type: 'trade.updated',
      tradeId: trade.id,
      userId: trade.user_id,
      version: version?.version ?? 0,
      trade: view as unknown as Record<string, unknown>,
      at: this.#now().toISOString(),
    });
  }

  async #balanceUpdated(trx: Trx, out: OutboxWriter, userId: string): Promise<void> {
    out.event(
      'balance.updated',
      `user:${userId}`,
      balanceEvent(userId, await this.#d.balances.state(trx, userId), this.#now()),
    );
  }

  /** For the trade service: the same events at creation. */
  async announce(trx: Trx, out: OutboxWriter, trade: TradeRow, balanceChanged: boolean): Promise<void> {
    await this.#tradeUpdated(trx, out, trade);
    if (balanceChanged) await this.#balanceUpdated(trx, out, trade.user_id);
  }
}

/** The balance.updated event of a balance state. */
export function balanceEvent(userId: string, b: BalanceState, at: Date) {
  return {
    v: 1 as const,
    type: 'balance.updated' as const,
    userId,
    amount: minorToJson(b.amount),
    protected: minorToJson(b.protected),
    debt: minorToJson(b.debt),
    currency: 'USD' as const,
    at: at.toISOString(),
  };
}

export type { OfferState };
