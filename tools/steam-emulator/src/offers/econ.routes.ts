/**
 * IEconService offer reads (steam.md §4.4): GetTradeOffers, GetTradeOffer, GetTradeOffersSummary,
 * GetTradeHoldDurations. Every answer carries `x-eresult` (§4.1). Reads run the lazy sweep first so expiry,
 * escrow release and vanished items show without a background job.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { World } from '../world/world.ts';
import type { Account } from '../world/types.ts';
import { holdDays } from '../trade-history/trade.service.ts';
import { EResult } from './eresult.ts';
import { ETradeOfferState, isPendingState } from './offer-state.ts';
import type { OfferService } from './offer.service.ts';
import type { OfferStore } from './offer.store.ts';
import type { Offer } from './offer.types.ts';
import { DescriptionCollector, offerView } from './offer.views.ts';
import { fieldsOf, flag, intField, registerIEconMethod, sendWebApi, stringField } from './http.ts';

/** Offers per GetTradeOffers page; clients follow `next_cursor` until 0 (§4.9). UNVERIFIED: Steam's page size. */
export const OFFERS_PAGE_SIZE = 100;

export interface EconRouteDeps {
  world: World;
  offers: OfferService;
  store: OfferStore;
}

export function registerEconRoutes(app: FastifyInstance, deps: EconRouteDeps): void {
  const { world, offers, store } = deps;

  const route = (
    method: string,
    handler: (req: FastifyRequest, reply: FastifyReply, account: Account) => Promise<unknown>,
  ): void => registerIEconMethod(app, { world, offers }, method, handler);

  /** Pending offers are re-checked for vanished items before being shown (O(items) each). */
  const visibleOffersOf = (account: Account): Offer[] => {
    const out: Offer[] = [];
    for (const id of store.offersOf(account.steamid)) {
      const offer = store.get(id);
      if (offer === undefined) continue;
      offers.refreshItems(offer);
      if (offer.recipient === account.steamid && offer.state === ETradeOfferState.CreatedNeedsConfirmation)
        continue;
      out.push(offer);
    }
    return out;
  };

  route('GetTradeOffers', async (req, reply, account) => {
    const f = fieldsOf(req);
    const wantSent = flag(f, 'get_sent_offers');
    const wantReceived = flag(f, 'get_received_offers');
    const activeOnly = flag(f, 'active_only');
    const historicalOnly = flag(f, 'historical_only');
    const cutoff = intField(f, 'time_historical_cutoff');
    const cursor = Math.max(0, intField(f, 'cursor') ?? 0);
    if (!wantSent && !wantReceived) {
      // XAPI: at least one of the two must be set; Steam answers 400 InvalidParam otherwise (UNVERIFIED body).
      await reply.code(400).header('x-eresult', String(EResult.InvalidParam)).send({ response: {} });
      return;
    }
    // active_only: active offers plus offers changed since the cutoff; historical_only: only non-active ones
    // updated since the cutoff (§4.4 semantics from XAPI). With neither, the cutoff does not filter: TOM's
    // getOffers(All) sends a cutoff a year ahead and expects every offer back (§4.4).
    const selected = visibleOffersOf(account).filter((offer) => {
      if (offer.sender === account.steamid ? !wantSent : !wantReceived) return false;
      const pending = isPendingState(offer.state);
      const changedSinceCutoff = cutoff !== undefined && offer.timeUpdated >= cutoff;
      if (activeOnly) return pending || changedSinceCutoff;
      if (historicalOnly) return !pending && (cutoff === undefined || changedSinceCutoff);
      return true;
    });
    selected.sort((a, b) => b.timeUpdated - a.timeUpdated || (b.tradeofferid > a.tradeofferid ? 1 : -1));
    const page = selected.slice(cursor, cursor + OFFERS_PAGE_SIZE);
    const nextCursor = cursor + OFFERS_PAGE_SIZE < selected.length ? cursor + OFFERS_PAGE_SIZE : 0;
    const glitched = world.faults.isGlitched('GetTradeOffers');
    const response: Record<string, unknown> = {};
    if (wantSent) {
      response['trade_offers_sent'] = page
        .filter((o) => o.sender === account.steamid)
        .map((o) => offerView(world, o, account.steamid, glitched));
    }
    if (wantReceived) {
      response['trade_offers_received'] = page
        .filter((o) => o.recipient === account.steamid)
        .map((o) => offerView(world, o, account.steamid, glitched));
    }
    if (flag(f, 'get_descriptions') && !glitched) {
      const collector = new DescriptionCollector(world);
      for (const o of page) collector.addOffer(o);
      response['descriptions'] = collector.list();
    }
    response['next_cursor'] = nextCursor;
    await sendWebApi(reply, { response });
  });

  route('GetTradeOffer', async (req, reply, account) => {
    const f = fieldsOf(req);
    const id = stringField(f, 'tradeofferid') ?? '';
    const offer = offers.visibleOffer(account, id);
    if (offer === undefined) {
      // Unknown or someone else's offer: empty response with a failing EResult (TOM: "Data temporarily unavailable").
      await sendWebApi(reply, { response: {} }, EResult.FileNotFound);
      return;
    }
    offers.refreshItems(offer);
    const glitched = world.faults.isGlitched('GetTradeOffer') || world.faults.isGlitched('GetTradeOffers');
    const response: Record<string, unknown> = { offer: offerView(world, offer, account.steamid, glitched) };
    if (flag(f, 'get_descriptions') && !glitched) {
      const collector = new DescriptionCollector(world);
      collector.addOffer(offer);
      response['descriptions'] = collector.list();
    }
    await sendWebApi(reply, { response });
  });

  route('GetTradeOffersSummary', async (req, reply, account) => {
    const lastVisit = intField(fieldsOf(req), 'time_last_visit') ?? 0;
    const s = {
      pending_received_count: 0,
      new_received_count: 0,
      updated_received_count: 0,
      historical_received_count: 0,
      pending_sent_count: 0,
      newly_accepted_sent_count: 0,
      updated_sent_count: 0,
      historical_sent_count: 0,
      escrow_received_count: 0,
      escrow_sent_count: 0,
    };
    for (const offer of visibleOffersOf(account)) {
      const pending = isPendingState(offer.state);
      const escrow = offer.state === ETradeOfferState.InEscrow;
      const updated = offer.timeUpdated > lastVisit;
      if (offer.recipient === account.steamid) {
        if (pending) {
          s.pending_received_count += 1;
          if (offer.timeCreated > lastVisit) s.new_received_count += 1;
        } else {
          s.historical_received_count += 1;
          if (updated) s.updated_received_count += 1;
        }
        if (escrow) s.escrow_received_count += 1;
      } else {
        if (pending) s.pending_sent_count += 1;
        else {
          s.historical_sent_count += 1;
          if (updated) s.updated_sent_count += 1;
          if (updated && offer.state === ETradeOfferState.Accepted) s.newly_accepted_sent_count += 1;
        }
        if (escrow) s.escrow_sent_count += 1;
      }
    }
    await sendWebApi(reply, { response: s });
  });

  route('GetTradeHoldDurations', async (req, reply, account) => {
    const f = fieldsOf(req);
    const target = world.account(stringField(f, 'steamid_target') ?? '');
    const token = stringField(f, 'trade_offer_access_token');
    // Without the partner's token (everyone is a non-friend here) Steam is reported to answer `{"response":{}}`
    // (§4.4, UNVERIFIED); we add x-eresult 15 so clients can tell.
    if (target === undefined || (target.steamid !== account.steamid && token !== target.tradeToken)) {
      await sendWebApi(reply, { response: {} }, EResult.AccessDenied);
      return;
    }
    const now = world.clock.now();
    const mine = holdDays(account, now) * 86_400;
    const theirs = holdDays(target, now) * 86_400;
    await sendWebApi(reply, {
      response: {
        my_escrow: { escrow_end_duration_seconds: mine },
        their_escrow: { escrow_end_duration_seconds: theirs },
        both_escrow: { escrow_end_duration_seconds: Math.max(mine, theirs) },
      },
    });
  });
}
