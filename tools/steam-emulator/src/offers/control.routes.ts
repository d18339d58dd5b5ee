/**
 * Offer-related control API under /_emulator (Steam has no such prefix): act as any account on an offer, answer
 * its confirmations, auto-policies, reversals, limits, and the "Pending offers" section of /_emulator/ui.
 * Every action goes through the same services as the Steam-shaped routes, so the same rules apply; only the
 * session, CSRF and mobile-confirmation steps are skipped (the operator acts with the user's browser and phone).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { escapeHtml } from '../lib/html.ts';
import type { World } from '../world/world.ts';
import type { Account } from '../world/types.ts';
import { APPID } from '../world/types.ts';
import { TradeNotReversibleError, type TradeService } from '../trade-history/trade.service.ts';
import type { TradeStore } from '../trade-history/trade.store.ts';
import { tradeView } from '../trade-history/trade-history.routes.ts';
import { channelOf } from '../confirmations/confirmation.service.ts';
import { SteamError } from './eresult.ts';
import { EConfirmationMethod, ETradeOfferState, isPendingState } from './offer-state.ts';
import type { OfferService, RawAsset } from './offer.service.ts';
import type { OfferStore } from './offer.store.ts';
import type { AutoPolicyMode, Offer } from './offer.types.ts';
import { offerView } from './offer.views.ts';
import { fieldsOf, stringField } from './http.ts';

export interface ControlRouteDeps {
  world: World;
  offers: OfferService;
  offerStore: OfferStore;
  trades: TradeService;
  tradeStore: TradeStore;
}

type OfferParams = { Params: { steamid: string; id: string } };
type AccountParams = { Params: { steamid: string } };

const POLICY_MODES: readonly AutoPolicyMode[] = ['accept', 'decline', 'ignore'];

export function registerOfferControlRoutes(app: FastifyInstance, deps: ControlRouteDeps): void {
  const { world, offers, offerStore, trades, tradeStore } = deps;

  const accountOr404 = async (steamid: string, reply: FastifyReply): Promise<Account | undefined> => {
    const account = world.account(steamid);
    if (account === undefined) await reply.code(404).send({ error: 'unknown account' });
    return account;
  };

  /** HTML forms on /_emulator/ui post `ui=1`: answer with a redirect back to the page instead of JSON. */
  const done = async (
    req: FastifyRequest,
    reply: FastifyReply,
    steamid: string,
    body: unknown,
  ): Promise<void> => {
    if (stringField(fieldsOf(req), 'ui') === '1') {
      await reply.redirect(`/_emulator/ui?steamid=${steamid}`, 303);
      return;
    }
    await reply.send(body);
  };

  const steamErrorReply = async (reply: FastifyReply, err: unknown): Promise<void> => {
    if (!(err instanceof SteamError)) throw err;
    await reply.code(409).send({ error: err.message, eresult: err.eresult });
  };

  const view = (offer: Offer, steamid: string) => offerView(world, offer, steamid, false);

  app.get<AccountParams>('/_emulator/accounts/:steamid/offers', async (req, reply) => {
    const account = await accountOr404(req.params.steamid, reply);
    if (account === undefined) return reply;
    offers.sweep();
    const list = offerStore
      .offersOf(account.steamid)
      .map((id) => offerStore.get(id))
      .filter((o): o is Offer => o !== undefined);
    for (const o of list) offers.refreshItems(o);
    return { offers: list.map((o) => view(o, account.steamid)) };
  });

  app.post<OfferParams>('/_emulator/accounts/:steamid/offers/:id/accept', async (req, reply) => {
    const account = await accountOr404(req.params.steamid, reply);
    if (account === undefined) return reply;
    try {
      const result = offers.accept(account, req.params.id, true);
      await done(req, reply, account.steamid, {
        offer: view(result.offer, account.steamid),
        tradeid: result.trade?.tradeid ?? null,
      });
    } catch (err) {
      await steamErrorReply(reply, err);
    }
    return reply;
  });

  for (const action of ['decline', 'cancel'] as const) {
    app.post<OfferParams>(`/_emulator/accounts/:steamid/offers/:id/${action}`, async (req, reply) => {
      const account = await accountOr404(req.params.steamid, reply);
      if (account === undefined) return reply;
      try {
        const offer =
          action === 'decline'
            ? offers.decline(account, req.params.id)
            : offers.cancel(account, req.params.id);
        await done(req, reply, account.steamid, { offer: view(offer, account.steamid) });
      } catch (err) {
        await steamErrorReply(reply, err);
      }
      return reply;
    });
  }

  // What the account's phone and mailbox hold: confirmations waiting for it (send or acceptance of an offer).
  app.get<AccountParams>('/_emulator/accounts/:steamid/confirmations', async (req, reply) => {
    const account = await accountOr404(req.params.steamid, reply);
    if (account === undefined) return reply;
    offers.sweep();
    return {
      confirmations: offers.pendingConfirmations(account.steamid).map((c) => ({
        id: c.id,
        tradeofferid: c.creatorId,
        purpose: c.purpose,
        channel: channelOf(c),
        creationTime: c.creationTime,
      })),
    };
  });

  // Allow or cancel the account's pending confirmation(s) for an offer (body/query `op=allow|cancel`): the app's
  // button, or the link in the e-mail Steam sends an account without an authenticator (§4.2).
  app.post<OfferParams>('/_emulator/accounts/:steamid/offers/:id/confirm', async (req, reply) => {
    const account = await accountOr404(req.params.steamid, reply);
    if (account === undefined) return reply;
    const allow = stringField(fieldsOf(req), 'op') !== 'cancel';
    try {
      const answered = offers.answerConfirmations(account.steamid, req.params.id, allow);
      if (answered === 0) return reply.code(404).send({ error: 'no pending confirmation for this offer' });
      const offer = offerStore.get(req.params.id);
      await done(req, reply, account.steamid, {
        answered,
        offer: offer === undefined ? null : view(offer, account.steamid),
      });
    } catch (err) {
      await steamErrorReply(reply, err);
    }
    return reply;
  });

  /**
   * Counter as the recipient: body `{ give?: assetid[], receive?: assetid[], message? }` (give = the counterer's
   * items). Without lists the original items are proposed back. The new offer is confirmed right away.
   */
  app.post<OfferParams>('/_emulator/accounts/:steamid/offers/:id/counter', async (req, reply) => {
    const account = await accountOr404(req.params.steamid, reply);
    if (account === undefined) return reply;
    const original = offerStore.get(req.params.id);
    if (original === undefined || original.recipient !== account.steamid) {
      return reply.code(404).send({ error: 'no such received offer' });
    }
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<
      string,
      unknown
    >;
    const ids = (v: unknown, fallback: string[]): string[] =>
      Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : fallback;
    const raw = (owner: string, assetids: string[]): RawAsset[] =>
      assetids.map((assetid) => ({
        appid: APPID,
        contextid: world.findAsset(owner, assetid)?.contextid ?? '2',
        assetid,
        amount: 1,
      }));
    try {
      const result = offers.send({
        sender: account,
        partnerSteamid: original.sender,
        message: typeof body['message'] === 'string' ? body['message'] : '',
        give: raw(
          account.steamid,
          ids(
            body['give'],
            original.itemsFromRecipient.map((i) => i.assetid),
          ),
        ),
        receive: raw(
          original.sender,
          ids(
            body['receive'],
            original.itemsFromSender.map((i) => i.assetid),
          ),
        ),
        token: undefined,
        countered: original.tradeofferid,
      });
      if (result.confirmation !== undefined)
        offers.answerConfirmations(account.steamid, result.offer.tradeofferid, true);
      await done(req, reply, account.steamid, {
        offer: view(result.offer, account.steamid),
        countered: view(original, account.steamid),
      });
    } catch (err) {
      await steamErrorReply(reply, err);
    }
    return reply;
  });

  // Auto-policy for received offers: `{ mode: 'accept'|'decline'|'ignore', afterMs }`.
  app.put<AccountParams>('/_emulator/accounts/:steamid/offer-policy', async (req, reply) => {
    const account = await accountOr404(req.params.steamid, reply);
    if (account === undefined) return reply;
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<
      string,
      unknown
    >;
    const mode = body['mode'];
    const afterMs = body['afterMs'] ?? 0;
    if (
      typeof mode !== 'string' ||
      !POLICY_MODES.includes(mode as AutoPolicyMode) ||
      typeof afterMs !== 'number' ||
      afterMs < 0
    ) {
      return reply
        .code(400)
        .send({ error: "mode must be 'accept'|'decline'|'ignore' and afterMs a number >= 0" });
    }
    offers.setPolicy(account.steamid, { mode: mode as AutoPolicyMode, afterMs });
    return {
      steamid: account.steamid,
      policy: offerStore.policies.get(account.steamid) ?? { mode: 'ignore', afterMs: 0 },
    };
  });

  app.delete<AccountParams>('/_emulator/accounts/:steamid/offer-policy', async (req, reply) => {
    const account = await accountOr404(req.params.steamid, reply);
    if (account === undefined) return reply;
    offers.setPolicy(account.steamid, undefined);
    return { steamid: account.steamid, policy: { mode: 'ignore', afterMs: 0 } };
  });

  app.get<{ Params: { tradeid: string } }>('/_emulator/trades/:tradeid', async (req, reply) => {
    offers.sweep();
    const trade = tradeStore.get(req.params.tradeid);
    if (trade === undefined) return reply.code(404).send({ error: 'unknown trade' });
    return { trade, initiatorView: tradeView(trade, trade.initiator) };
  });

  /**
   * Trade-protection reversal (§4.8) by body `steamid` (the previous owner; defaults to the only party that gave
   * items). Rolls back every still-protected trade of that account and restricts it for 30 days.
   */
  app.post<{ Params: { tradeid: string } }>('/_emulator/trades/:tradeid/reverse', async (req, reply) => {
    offers.sweep();
    const trade = tradeStore.get(req.params.tradeid);
    if (trade === undefined) return reply.code(404).send({ error: 'unknown trade' });
    let steamid = stringField(fieldsOf(req), 'steamid');
    if (steamid === undefined) {
      const givers = [
        ...(trade.fromInitiator.length > 0 ? [trade.initiator] : []),
        ...(trade.fromPartner.length > 0 ? [trade.partner] : []),
      ];
      if (givers.length !== 1)
        return reply.code(400).send({ error: 'both parties gave items: pass steamid' });
      steamid = givers[0];
    }
    try {
      const reversed = trades.reverse(trade.tradeid, steamid ?? '', world.clock.now());
      req.log.info({ tradeid: trade.tradeid, steamid, count: reversed.length }, 'trades reversed');
      return {
        steamid,
        restrictedUntil: world.account(steamid ?? '')?.restrictedUntil ?? 0,
        reversed: reversed.map((t) => tradeView(t, steamid ?? '')),
      };
    } catch (err) {
      if (err instanceof TradeNotReversibleError) return reply.code(409).send({ error: err.message });
      throw err;
    }
  });

  // Cancel a trade on hold (offer state 11): items go back, trade status 11 EscrowRollback.
  app.post<{ Params: { tradeid: string } }>(
    '/_emulator/trades/:tradeid/cancel-escrow',
    async (req, reply) => {
      const trade = tradeStore.get(req.params.tradeid);
      if (trade === undefined) return reply.code(404).send({ error: 'unknown trade' });
      try {
        const updated = offers.cancelEscrow(trade.tradeofferid);
        return { trade: tradeView(updated, updated.initiator) };
      } catch (err) {
        await steamErrorReply(reply, err);
        return reply;
      }
    },
  );

  app.get('/_emulator/offer-settings', () => ({
    limits: offerStore.limits,
    tradeProtection: trades.settings.tradeProtection,
  }));
  app.put('/_emulator/offer-settings', async (req, reply) => {
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<
      string,
      unknown
    >;
    const limits = body['limits'] as Record<string, unknown> | undefined;
    if (limits !== undefined) {
      const total = limits['total'] ?? offerStore.limits.total;
      const perPartner = limits['perPartner'] ?? offerStore.limits.perPartner;
      if (typeof total !== 'number' || typeof perPartner !== 'number') {
        return reply.code(400).send({ error: 'limits.total and limits.perPartner must be numbers' });
      }
      offerStore.limits = { total, perPartner };
    }
    if (typeof body['tradeProtection'] === 'boolean')
      trades.settings.tradeProtection = body['tradeProtection'];
    world.markDirty();
    return { limits: offerStore.limits, tradeProtection: trades.settings.tradeProtection };
  });

  // One section per world even when several apps are built on it (tests restart the app on the same world).
  const existing = world.uiSections.findIndex((s) => s.title === 'Pending offers');
  if (existing >= 0) world.uiSections.splice(existing, 1);
  world.uiSections.push({
    title: 'Pending offers',
    render: (account) => renderPendingOffers(world, offers, offerStore, account),
  });
}

const STATE_NAMES = Object.fromEntries(Object.entries(ETradeOfferState).map(([k, v]) => [v, k])) as Record<
  number,
  string
>;

function renderPendingOffers(
  world: World,
  offers: OfferService,
  store: OfferStore,
  account: Account,
): string {
  offers.sweep();
  const rows: string[] = [];
  const ids = store.offersOf(account.steamid);
  for (let i = ids.length - 1; i >= 0 && rows.length < 200; i -= 1) {
    const offer = store.get(ids[i] ?? '');
    if (offer === undefined) continue;
    offers.refreshItems(offer);
    if (!isPendingState(offer.state)) continue;
    const mine = offer.sender === account.steamid;
    const other = world.account(mine ? offer.recipient : offer.sender);
    const form = (action: string, label: string, extra = ''): string =>
      `<form method="post" action="/_emulator/accounts/${account.steamid}/offers/${offer.tradeofferid}/${action}" style="display:inline">` +
      `<input type="hidden" name="ui" value="1">${extra}<button type="submit">${label}</button></form>`;
    const channel = (method: number | undefined): string =>
      method === EConfirmationMethod.Email ? 'e-mail' : 'phone';
    const confirmButtons = (what: string, method: number | undefined): string[] => [
      form('confirm', `Confirm ${what} (${channel(method)})`),
      form('confirm', 'Deny', '<input type="hidden" name="op" value="cancel">'),
    ];
    const buttons: string[] = [];
    // The acceptor's own browser and phone: accepting here includes its confirmation.
    if (!mine && offer.state === ETradeOfferState.Active && !offer.acceptPendingConfirmation)
      buttons.push(form('accept', 'Accept'), form('decline', 'Decline'));
    if (mine) buttons.push(form('cancel', 'Cancel'));
    if (mine && offer.state === ETradeOfferState.CreatedNeedsConfirmation)
      buttons.push(...confirmButtons('sending', offer.confirmationMethod));
    if (!mine && offer.acceptPendingConfirmation)
      buttons.push(...confirmButtons('acceptance', offer.acceptConfirmationMethod));
    rows.push(
      `<tr><td>${offer.tradeofferid}</td><td>${mine ? 'sent to' : 'from'} ${escapeHtml(other?.persona ?? '?')}</td>` +
        `<td>${STATE_NAMES[offer.state] ?? offer.state}</td><td>${(mine ? offer.itemsFromSender : offer.itemsFromRecipient).length}</td>` +
        `<td>${(mine ? offer.itemsFromRecipient : offer.itemsFromSender).length}</td><td>${escapeHtml(offer.message)}</td>` +
        `<td>${new Date(offer.expirationTime * 1000).toISOString()}</td><td>${buttons.join(' ')}</td></tr>`,
    );
  }
  if (rows.length === 0) return '<p>No pending offers.</p>';
  return (
    '<table border="1" cellpadding="3"><tr><th>tradeofferid</th><th>partner</th><th>state</th><th>you give</th>' +
    `<th>you get</th><th>message</th><th>expires</th><th></th></tr>${rows.join('')}</table>`
  );
}
