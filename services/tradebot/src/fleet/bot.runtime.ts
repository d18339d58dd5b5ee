import { randomUUID } from 'node:crypto';
import type { Bus } from '@platform/bus';
import type { Logger } from '@platform/observability';
import {
  OfferState,
  ROLLBACK_STATUSES,
  SteamTradeError,
  type BotSession,
  type SteamTradePort,
  type TradeOfferView,
} from '@platform/steam';
import type { TradebotConfig } from '../config.ts';
import { BackendError, type BackendClient, type EndState } from '../execution/backend.client.ts';
import { ErrorWindow } from '../health/tiers.ts';
import { parseTradeUrl } from '../health/partners.ts';
import type { TradebotMetrics } from '../metrics.ts';
import type { BotOfferRow, BotRecord, BotRepository } from './bot.repository.ts';

export interface BotRuntimeDeps {
  bot: BotRecord;
  session: BotSession;
  steam: SteamTradePort;
  repo: BotRepository;
  backend: BackendClient;
  bus: Bus;
  logger: Logger;
  metrics: TradebotMetrics;
  config: TradebotConfig;
  /** Asset ids the site knows on this bot (sinv's items): the inventory-diff fallback subtracts them. */
  knownAssetIds: (botId: number) => Promise<Set<string>>;
  now?: () => number;
}

type Received = Array<{ assetId: string; newAssetId: string; newContextId?: number }>;
type Items = BotOfferRow['items'] & { received?: Received };

/** cancel_requested: 1 the trade is being canceled, 2 the reservation ended (ours: expiry). */
const CANCEL_BY_TRADE = 1;
const CANCEL_BY_EXPIRY = 2;

const ref = (tag: string) => `[ref:${tag}]`;

/** MariaDB hands JSON columns back as text, MySQL 8 as parsed values. */
function itemsOf(row: BotOfferRow): Items {
  const v = row.items as unknown;
  return (typeof v === 'string' ? JSON.parse(v) : v) as Items;
}

/**
 * One bot held by this process: its session, and every Steam step of its offers, one at a time
 * (a bot's steps never interleave). The fleet hands it its open offers every dispatch tick; it
 * sends what is queued, looks up sends that may have happened (a crash, EResult 2/11/16, a
 * timeout) by the reference in the offer's message instead of sending again, confirms, cancels
 * what the trade or the reservation's end asks, polls Steam, and reports each change to the
 * backend until the backend has it.
 */
export class BotRuntime {
  readonly #d: BotRuntimeDeps;
  readonly errors: ErrorWindow;
  bot: BotRecord;
  #busy: Promise<void> | undefined;
  #stopped = false;
  #lastPoll = 0;
  #lastPollStarted = 0;
  #lastFull = 0;
  #lastSend = 0;
  #pollNow = true;
  #lastReversal = 0;
  #started = false;
  #startFailedAt = 0;

  constructor(d: BotRuntimeDeps) {
    this.#d = d;
    this.bot = d.bot;
    this.errors = new ErrorWindow(d.config.health.errorWindowMs);
  }

  #now(): number {
    return this.#d.now?.() ?? Date.now();
  }

  get log(): Logger {
    return this.#d.logger;
  }

  /** Schedules one round of work unless one is running. */
  tick(rows: BotOfferRow[]): void {
    if (this.#busy || this.#stopped) return;
    this.#busy = this.#round(rows)
      .catch((err: unknown) => this.#steamFailed('round', err))
      .finally(() => {
        this.#busy = undefined;
      });
  }

  /** Poll at the next tick (after a send, a cancel, a job). */
  kick(): void {
    this.#pollNow = true;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#busy;
    this.#d.session.drop();
  }

  async #start(): Promise<void> {
    const { session, steam, repo, bot } = this.#d;
    await session.ensure();
    if (!bot.protectionAckedAt) {
      // CS2 trade protection (July 2025): once per account, or sending and confirming fail (steam.md §4.3).
      await session.call((s) => steam.acknowledgeTradeProtection(s));
      await repo.markAcknowledged(bot.id, new Date(this.#now()));
      this.bot = { ...this.bot, protectionAckedAt: new Date(this.#now()) };
    }
    this.#started = true;
  }

  async #round(rows: BotOfferRow[]): Promise<void> {
    if (!this.#started) {
      if (this.#now() - this.#startFailedAt < 5_000) return;
      try {
        await this.#start();
      } catch (err) {
        this.#startFailedAt = this.#now();
        throw err;
      }
    }
    for (const row of rows) {
      if (this.#stopped) return;
      try {
        await this.#step(row);
      } catch (err) {
        this.#steamFailed(`offer ${row.offer_id}`, err);
      }
    }
    const now = this.#now();
    const { offers } = this.#d.config;
    const hot =
      now - this.#lastSend < 60_000 || rows.some((r) => r.status === 'sent' && r.cancel_requested > 0);
    const full = now - this.#lastFull >= offers.fullSweepMs;
    if (this.#pollNow || full || now - this.#lastPoll >= (hot ? offers.hotPollMs : offers.pollMs)) {
      this.#pollNow = false;
      await this.#poll(full);
    }
    if (now - this.#lastReversal >= offers.reversalCheckMs) {
      this.#lastReversal = now;
      await this.#checkReversals();
    }
  }

  #steamFailed(what: string, err: unknown): void {
    if (err instanceof SteamTradeError) {
      this.errors.add(this.#now());
      this.#d.metrics.steamErrors.inc({ action: err.action, eresult: err.label });
      this.log.warn(
        { bot: this.bot.id, what, kind: err.kind, eresult: err.eresult, err: err.message },
        'steam call failed',
      );
    } else if (err instanceof BackendError) {
      this.log.warn(
        { bot: this.bot.id, what, status: err.status, err: err.message },
        'backend report failed; retrying',
      );
    } else {
      this.log.error({ bot: this.bot.id, what, err: (err as Error).message }, 'bot step failed');
    }
  }

  async #step(row: BotOfferRow): Promise<void> {
    const now = this.#now();
    const due = !row.next_attempt_at || row.next_attempt_at.getTime() <= now;
    switch (row.status) {
      case 'queued':
        if (!due) return;
        if (row.cancel_requested > 0) {
          await this.#end(
            row,
            ['queued'],
            row.cancel_requested === CANCEL_BY_EXPIRY ? 'expired' : 'canceled',
            'canceled_before_send',
          );
          return;
        }
        if (row.expires_at && row.expires_at.getTime() <= now) {
          await this.#end(row, ['queued'], 'expired', 'reservation_ended');
          return;
        }
        await this.#send(row);
        return;
      case 'sending':
        if (due) await this.#reconcile(row);
        return;
      case 'sent':
        if (row.reported === null) await this.#reportSent(row, row.steam_offer_id!);
        if (!due) return;
        if (
          row.steam_state === OfferState.CreatedNeedsConfirmation ||
          row.steam_state === OfferState.Active
        ) {
          const expired = row.expires_at !== null && row.expires_at.getTime() <= now;
          if (row.cancel_requested > 0 || expired) {
            await this.#cancel(row, row.cancel_requested > 0 ? row.cancel_requested : CANCEL_BY_EXPIRY);
            return;
          }
        }
        if (row.steam_state === OfferState.CreatedNeedsConfirmation) await this.#confirm(row);
        return;
      case 'accepted':
      case 'ended':
        await this.#reportFinal(row);
        return;
      case 'new':
        // Recorded, but its intent never reached the backend (the job gave up): nothing was
        // sent, and the backend's sweeper ends the trade when its reservation runs out.
        if (row.expires_at && row.expires_at.getTime() < now - 60_000)
          await this.#d.repo.move(row.offer_id, ['new'], {
            status: 'ended',
            end_state: 'expired',
            end_reason: 'never_sent',
            reported: 'final',
          });
        return;
      default:
        return;
    }
  }

  // --- sending ----------------------------------------------------------------------------

  async #send(row: BotOfferRow): Promise<void> {
    const { repo, session, steam, config } = this.#d;
    const now = this.#now();
    // A send cut off here (a crash, a hung call) is looked up after the call could have ended.
    const lookupAt = new Date(now + config.steam.timeoutMs + config.offers.sendGraceMs);
    if (
      !(await repo.move(row.offer_id, ['queued'], {
        status: 'sending',
        send_attempts: row.send_attempts + 1,
        next_attempt_at: lookupAt,
      }))
    )
      return;
    const url = parseTradeUrl(row.trade_url);
    if (!url) {
      await this.#end(row, ['sending'], 'failed', 'bad_trade_url');
      return;
    }
    if (config.partners.refuseEscrow) {
      const hold = await session
        .call((s) => steam.getEscrowSeconds(s, row.partner_steam_id, url.token))
        .catch(async (err: unknown) => {
          await repo.move(row.offer_id, ['sending'], {
            status: 'queued',
            next_attempt_at: new Date(this.#now() + 2_000),
          });
          throw err;
        });
      if ((hold ?? 0) > 0) {
        await this.#end(row, ['sending'], 'failed', 'partner_escrow');
        return;
      }
    }
    const items = itemsOf(row);
    try {
      const sent = await session.call((s) =>
        steam.sendOffer(s, {
          partnerSteamId: row.partner_steam_id,
          partnerAccountId: url.accountId,
          token: url.token,
          give: items.give,
          receive: items.receive,
          message: row.message,
        }),
      );
      await this.#onSent(
        row,
        sent.offerId,
        sent.needsMobileConfirmation || sent.needsEmailConfirmation
          ? OfferState.CreatedNeedsConfirmation
          : OfferState.Active,
      );
    } catch (err) {
      this.#steamFailed(`send ${row.offer_id}`, err);
      await this.#sendFailed(row, err);
    }
  }

  async #sendFailed(row: BotOfferRow, err: unknown): Promise<void> {
    const { repo, session, steam } = this.#d;
    const later = (ms: number) =>
      repo.move(row.offer_id, ['sending'], { status: 'queued', next_attempt_at: new Date(this.#now() + ms) });
    if (!(err instanceof SteamTradeError)) {
      await repo.update(row.offer_id, {
        next_attempt_at: new Date(this.#now() + this.#d.config.offers.sendGraceMs),
      });
      return;
    }
    if (err.maybeDone) {
      // steam.md §5: it may have worked. Look it up (reconcile) after a short grace, never resend blindly.
      await repo.update(row.offer_id, {
        next_attempt_at: new Date(this.#now() + this.#d.config.offers.sendGraceMs),
      });
      return;
    }
    if (err.kind === 'eresult' && err.eresult === 15 && /acknowledge/i.test(err.message)) {
      await session.call((s) => steam.acknowledgeTradeProtection(s));
      await repo.markAcknowledged(this.bot.id, new Date(this.#now()));
      await later(0);
      return;
    }
    if (err.kind === 'rate_limited' || err.kind === 'session_expired') return void (await later(5_000));
    // 20 item server down, 25 too many outstanding offers: Steam's, temporary.
    if (err.kind === 'eresult' && (err.eresult === 20 || err.eresult === 25))
      return void (await later(10_000));
    if (row.send_attempts + 1 >= 6) {
      await this.#end(row, ['sending'], 'failed', `steam_eresult_${err.eresult ?? 'x'}`);
      return;
    }
    // 15 (token, full inventory, ban), 26 (items gone), 8: Steam will say the same again.
    if (err.kind === 'eresult' && (err.eresult === 15 || err.eresult === 26 || err.eresult === 8)) {
      await this.#end(row, ['sending'], 'failed', `steam_eresult_${err.eresult}`);
      return;
    }
    await later(3_000);
  }

  /** A send that may have happened: find it by the reference in its message (invariant 3). */
  async #reconcile(row: BotOfferRow): Promise<void> {
    const { session, steam, repo } = this.#d;
    const offers = await session.call((s) => steam.getSentOffers(s, { activeOnly: false }));
    const found = offers.find((o) => o.message.includes(ref(row.tag)));
    if (found) {
      this.log.info(
        { bot: this.bot.id, offer: row.offer_id, steamOfferId: found.offerId },
        'found the offer on Steam; not sending it again',
      );
      await this.#onSent(row, found.offerId, found.state);
      return;
    }
    if (row.send_attempts >= 6) {
      await this.#end(row, ['sending'], 'failed', 'send_failed');
      return;
    }
    await repo.move(row.offer_id, ['sending'], { status: 'queued', next_attempt_at: null });
  }

  async #onSent(row: BotOfferRow, steamOfferId: string, state: number): Promise<void> {
    const { repo, metrics } = this.#d;
    if (
      !(await repo.move(row.offer_id, ['sending'], {
        status: 'sent',
        steam_offer_id: steamOfferId,
        steam_state: state,
        next_attempt_at: null,
      }))
    )
      return;
    metrics.offersSent.inc();
    this.#lastSend = this.#now();
    this.#pollNow = true;
    await this.#reportSent(row, steamOfferId);
    if (state === OfferState.CreatedNeedsConfirmation)
      await this.#confirm({ ...row, steam_offer_id: steamOfferId });
  }

  async #reportSent(row: BotOfferRow, steamOfferId: string): Promise<void> {
    try {
      const r = await this.#d.backend.sent(row.trade_id, row.offer_id, steamOfferId);
      await this.#d.repo.update(row.offer_id, {
        reported: 'sent',
        ...(r.cancel ? { cancel_requested: CANCEL_BY_TRADE } : {}),
      });
    } catch (err) {
      if (!(err instanceof BackendError && err.conflict)) throw err;
      // The backend will not take this offer: it must not stay open on Steam.
      this.log.warn(
        { offer: row.offer_id, err: err.message },
        'the backend refused the sent report; canceling the offer',
      );
      await this.#d.repo.update(row.offer_id, { reported: 'sent', cancel_requested: CANCEL_BY_TRADE });
    }
  }

  async #confirm(row: BotOfferRow): Promise<void> {
    const { session, steam, repo } = this.#d;
    await repo.update(row.offer_id, { next_attempt_at: new Date(this.#now() + 1_000) });
    const confs = await session.call((s) => steam.getConfirmations(s, session.creds));
    const c = confs.find((x) => x.creatorId === row.steam_offer_id);
    if (c) {
      await session.call((s) => steam.respondToConfirmation(s, session.creds, c, 'allow'));
      await repo.update(row.offer_id, { steam_state: OfferState.Active, next_attempt_at: null });
      this.#pollNow = true;
    } else await repo.update(row.offer_id, { next_attempt_at: new Date(this.#now() + 2_000) });
  }

  async #cancel(row: BotOfferRow, why: number): Promise<void> {
    const { session, steam, repo } = this.#d;
    await repo.update(row.offer_id, {
      cancel_requested: why,
      next_attempt_at: new Date(this.#now() + 5_000),
    });
    try {
      await session.call((s) => steam.cancelOffer(s, row.steam_offer_id!));
    } catch (err) {
      // 11: it is not cancelable any more (accepted, declined...): the poll says what it became.
      if (!(err instanceof SteamTradeError && err.eresult === 11)) throw err;
    }
    this.#pollNow = true;
  }

  // --- following --------------------------------------------------------------------------

  async #poll(full: boolean): Promise<void> {
    const { session, steam, repo } = this.#d;
    const started = this.#now();
    // TOM's incremental poll: active offers plus those changed since the last poll, 30 minutes
    // of margin because Steam can backdate a modified offer (steam.md §4.9).
    const cutoff = Math.floor((this.#lastPollStarted || started) / 1000) - 1800;
    const offers = await session.call((s) =>
      steam.getSentOffers(s, full ? { activeOnly: false } : { activeOnly: true, historicalCutoff: cutoff }),
    );
    this.#lastPoll = this.#now();
    this.#lastPollStarted = started;
    if (full) this.#lastFull = this.#now();
    const byId = new Map(offers.map((o) => [o.offerId, o]));
    const rows = (await repo.openOffers([this.bot.id])).filter((r) => r.status === 'sent');
    for (const row of rows) {
      try {
        const o = byId.get(row.steam_offer_id ?? '');
        if (o) await this.#follow(row, o);
        else if (full) {
          const single = await session.call((s) => steam.getOffer(s, row.steam_offer_id!));
          if (single) await this.#follow(row, single);
          else await this.#end(row, ['sent'], 'canceled', 'offer_disappeared', 'offer_canceled_elsewhere');
        }
      } catch (err) {
        this.#steamFailed(`follow ${row.offer_id}`, err);
      }
    }
    if (full) {
      // Bots take no unsolicited offers: counter-offers and the like are declined.
      const received = await session.call((s) => steam.getReceivedActiveOffers(s));
      for (const o of received)
        await session.call((s) => steam.declineOffer(s, o.offerId)).catch(() => undefined);
    }
  }

  async #follow(row: BotOfferRow, o: TradeOfferView): Promise<void> {
    const { repo } = this.#d;
    const ours = row.cancel_requested > 0;
    switch (o.state) {
      case OfferState.CreatedNeedsConfirmation:
        if (row.steam_state !== o.state) await repo.update(row.offer_id, { steam_state: o.state });
        return;
      case OfferState.Active:
        if (row.steam_state !== o.state) await repo.update(row.offer_id, { steam_state: o.state });
        return;
      case OfferState.InEscrow:
        if (row.steam_state !== o.state) await repo.update(row.offer_id, { steam_state: o.state });
        if (!row.notice_sent) {
          await this.#notice(
            row,
            'offer_held',
            'Steam is holding this trade (escrow): its items arrive when the hold ends.',
          );
          await repo.update(row.offer_id, { notice_sent: 1 });
        }
        return;
      case OfferState.Accepted:
        await this.#accepted(row, o);
        return;
      case OfferState.Countered:
        await this.#end(row, ['sent'], 'declined', 'countered', undefined, o.state);
        return;
      case OfferState.Expired:
        await this.#end(row, ['sent'], 'expired', 'offer_expired', undefined, o.state);
        return;
      case OfferState.Declined:
        await this.#end(row, ['sent'], 'declined', 'declined', undefined, o.state);
        return;
      case OfferState.InvalidItems:
        await this.#end(row, ['sent'], 'failed', 'invalid_items', undefined, o.state);
        return;
      case OfferState.Canceled:
      case OfferState.CanceledBySecondFactor:
        if (ours)
          await this.#end(
            row,
            ['sent'],
            row.cancel_requested === CANCEL_BY_EXPIRY ? 'expired' : 'canceled',
            row.cancel_requested === CANCEL_BY_EXPIRY ? 'reservation_ended' : 'canceled',
            undefined,
            o.state,
          );
        // Nobody here canceled it: someone with the bot's session or the user's did (API-key scams
        // cancel and replace offers); the user is told.
        else
          await this.#end(
            row,
            ['sent'],
            'canceled',
            'canceled_elsewhere',
            'offer_canceled_elsewhere',
            o.state,
          );
        return;
      default:
        await this.#end(row, ['sent'], 'failed', 'offer_invalid', undefined, o.state);
    }
  }

  async #accepted(row: BotOfferRow, o: TradeOfferView): Promise<void> {
    const { repo } = this.#d;
    const items = itemsOf(row);
    let received: Received = [];
    if (items.receive.length > 0) received = await this.#newAssetIds(items, o.tradeId);
    const moved = await repo.move(row.offer_id, ['sent'], {
      status: 'accepted',
      steam_state: OfferState.Accepted,
      steam_trade_id: o.tradeId ?? null,
      accepted_at: new Date(this.#now()),
      items: JSON.stringify({ ...items, received }),
    });
    if (!moved) return;
    this.#d.metrics.offerOutcomes.inc({ state: 'accepted', reason: 'accepted' });
    await this.#reportFinal({
      ...row,
      status: 'accepted',
      steam_trade_id: o.tradeId ?? null,
      items: { ...items, received } as never,
    });
  }

  /** The new ids of what the bot received (steam.md §4.7): GetTradeStatus, else an inventory diff. */
  async #newAssetIds(items: Items, tradeId: string | undefined): Promise<Received> {
    const { session, steam } = this.#d;
    const out: Received = [];
    const ctx = (c: string | undefined) => (c === '16' ? 16 : c === '2' ? 2 : undefined);
    if (tradeId) {
      const status = await session.call((s) => steam.getTradeStatus(s, tradeId));
      for (const a of status?.assetsReceived ?? []) {
        const c = ctx(a.newContextId);
        if (a.newAssetId && items.receive.some((i) => i.assetId === a.assetId))
          out.push({ assetId: a.assetId, newAssetId: a.newAssetId, ...(c ? { newContextId: c } : {}) });
      }
    }
    const missing = items.receive.filter((i) => !out.some((r) => r.assetId === i.assetId));
    if (missing.length === 0) return out;
    // Steam gave nothing back (TOM#368): what the bot holds now that the site did not know of.
    const known = await this.#d.knownAssetIds(this.bot.id);
    const fresh = (await session.call((s) => steam.ownAssetIds(s))).filter((a) => !known.has(a.assetId));
    if (fresh.length === missing.length) {
      // One-to-one only when the counts match; sinv's refresh reads their details either way.
      missing.forEach((m, i) => {
        const f = fresh[i]!;
        const c = ctx(f.contextId);
        out.push({ assetId: m.assetId, newAssetId: f.assetId, ...(c ? { newContextId: c } : {}) });
      });
    } else
      this.log.warn(
        { bot: this.bot.id, missing: missing.length, fresh: fresh.length },
        'new asset ids unknown; sinv will find the items',
      );
    return out;
  }

  async #end(
    row: BotOfferRow,
    from: string[],
    state: EndState,
    reason: string,
    notice?: 'offer_canceled_elsewhere',
    steamState?: number,
  ): Promise<void> {
    const moved = await this.#d.repo.move(row.offer_id, from, {
      status: 'ended',
      end_state: state,
      end_reason: reason,
      next_attempt_at: null,
      ...(steamState !== undefined ? { steam_state: steamState } : {}),
      ...(notice ? { notice_sent: 1 } : {}),
    });
    if (!moved) return;
    this.#d.metrics.offerOutcomes.inc({ state, reason });
    if (notice)
      await this.#notice(
        row,
        notice,
        'An offer for this trade was canceled outside the site. If you did not cancel it, someone may have access to your Steam account or API key: check it, and never accept offers the site did not announce.',
      );
    await this.#reportFinal({ ...row, status: 'ended', end_state: state, end_reason: reason });
  }

  async #notice(
    row: BotOfferRow,
    kind: 'offer_canceled_elsewhere' | 'offer_held',
    message: string,
  ): Promise<void> {
    await this.#d.bus.publish('trade.notice', {
      v: 1,
      type: 'trade.notice',
      eventId: randomUUID(),
      tradeId: row.trade_id,
      userId: row.user_id,
      kind,
      message,
      at: new Date(this.#now()).toISOString(),
    });
  }

  /** The final report, until the backend has it (it applies each once). */
  async #reportFinal(row: BotOfferRow): Promise<void> {
    const { backend, repo, bus } = this.#d;
    try {
      if (row.status === 'accepted') {
        const items = itemsOf(row);
        await backend.accepted(row.trade_id, row.offer_id, {
          ...(row.steam_trade_id ? { steamTradeId: row.steam_trade_id } : {}),
          ...(items.received && items.received.length > 0 ? { received: items.received } : {}),
        });
        // What moved changes the bot's inventory: sinv re-reads it (deduplicated per bot).
        await bus.enqueue('inventory-refresh', 'refresh-bot', {
          v: 1,
          botId: this.bot.id,
          reason: 'trade',
          tradeId: row.trade_id,
        });
      } else {
        await backend.ended(
          row.trade_id,
          row.offer_id,
          (row.end_state ?? 'failed') as EndState,
          row.end_reason ?? undefined,
        );
      }
    } catch (err) {
      if (!(err instanceof BackendError && err.conflict)) throw err;
      this.log.error(
        { offer: row.offer_id, trade: row.trade_id, status: row.status, err: err.message },
        'the backend refused a final report',
      );
    }
    await repo.update(row.offer_id, { reported: 'final' });
  }

  // --- reversals --------------------------------------------------------------------------

  async #checkReversals(): Promise<void> {
    const { repo, session, steam, backend, config, bus } = this.#d;
    const now = this.#now();
    const rows = await repo.reversalCandidates(
      [this.bot.id],
      new Date(now - config.offers.protectionDays * 86_400_000),
      new Date(now - config.offers.reversalCheckMs),
    );
    for (const row of rows) {
      const status = await session.call((s) => steam.getTradeStatus(s, row.steam_trade_id!));
      if (status && ROLLBACK_STATUSES.has(status.status)) {
        this.log.warn(
          { bot: this.bot.id, trade: row.trade_id, status: status.status },
          'Steam reversed a trade',
        );
        await backend.reversed(row.trade_id).catch((err: unknown) => {
          if (!(err instanceof BackendError && err.conflict)) throw err;
        });
        await repo.update(row.offer_id, { reversed: 1, reversal_checked_at: new Date(now) });
        this.#d.metrics.reversals.inc();
        await bus.enqueue('inventory-refresh', 'refresh-bot', {
          v: 1,
          botId: this.bot.id,
          reason: 'trade',
          tradeId: row.trade_id,
        });
      } else await repo.update(row.offer_id, { reversal_checked_at: new Date(now) });
    }
  }

  /** Checks for reversals at the next tick (Steam notified, an operator asked). */
  checkReversalsSoon(): void {
    this.#lastReversal = 0;
  }
}
