/**
 * `/mobileconf/*` (steam.md §6.3): the list, the details page, and allow/cancel for one or many confirmations.
 * Keys are verified per §6.2/§6.4 by ConfirmationService.checkKey.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { escapeHtml } from '../lib/html.ts';
import type { World } from '../world/world.ts';
import type { Account } from '../world/types.ts';
import { SteamError } from '../offers/eresult.ts';
import type { OfferStore } from '../offers/offer.store.ts';
import type { OfferService } from '../offers/offer.service.ts';
import type { Confirmation } from '../offers/offer.types.ts';
import { arrayField, fieldsOf, stringField, type Fields } from '../offers/http.ts';
import { channelOf, type ConfirmationService, type TagFamily } from './confirmation.service.ts';

/** SC's "incorrect Steam Guard codes" failure (§6.3, SC issue #43); `needauth` for a missing session. */
const INVALID_KEY = {
  success: false,
  message: 'Invalid authenticator',
  detail:
    'It looks like your Steam Guard Mobile Authenticator is providing incorrect Steam Guard codes. This could be caused by an inaccurate clock or bad timezone settings on your device. If your time settings are correct, it could be that a different device has been set up to provide the Steam Guard codes for your account, which means the authenticator on this device is no longer valid.',
};
const NEED_AUTH = { success: false, needauth: true };

export interface ConfirmationRouteDeps {
  world: World;
  confirmations: ConfirmationService;
  offers: OfferService;
  offerStore: OfferStore;
}

export function registerConfirmationRoutes(app: FastifyInstance, deps: ConfirmationRouteDeps): void {
  const { world, confirmations, offers, offerStore } = deps;

  /** Session from the mobile app's cookies, then the (a, k, t, tag) key check. Replies on failure. */
  const authorize = async (
    req: FastifyRequest,
    reply: FastifyReply,
    family: TagFamily,
  ): Promise<{ account: Account; fields: Fields } | undefined> => {
    const auth = world.authenticate(req);
    if (!auth.ok || auth.via !== 'cookie') {
      await reply.send(NEED_AUTH);
      return undefined;
    }
    const fields = fieldsOf(req);
    const check = confirmations.checkKey(
      auth.account,
      {
        a: stringField(fields, 'a'),
        k: stringField(fields, 'k'),
        t: stringField(fields, 't'),
        tag: stringField(fields, 'tag'),
      },
      family,
      world.clock.now(),
    );
    if (!check.ok) {
      req.log.info(
        { steamid: auth.account.steamid, reason: check.reason, family },
        'confirmation key refused',
      );
      await reply.send(check.reason === 'needauth' ? NEED_AUTH : INVALID_KEY);
      return undefined;
    }
    offers.sweep();
    return { account: auth.account, fields };
  };

  const entry = (conf: Confirmation): Record<string, unknown> => {
    const offer = offerStore.get(conf.creatorId);
    const otherId =
      offer === undefined ? undefined : offer.sender === conf.owner ? offer.recipient : offer.sender;
    const other = otherId === undefined ? undefined : world.account(otherId);
    const mine = offer?.sender === conf.owner;
    const giving =
      offer === undefined ? 0 : mine ? offer.itemsFromSender.length : offer.itemsFromRecipient.length;
    const receiving =
      offer === undefined ? 0 : mine ? offer.itemsFromRecipient.length : offer.itemsFromSender.length;
    return {
      type: 2, // EConfirmationType.Trade (§6.1)
      type_name: 'Trade Offer',
      id: conf.id,
      creator_id: conf.creatorId,
      nonce: conf.nonce,
      creation_time: conf.creationTime,
      cancel: 'Cancel',
      accept: conf.purpose === 'send' ? 'Send Offer' : 'Accept',
      icon: other?.avatarUrl ?? '',
      multi: false,
      headline: other?.persona ?? '',
      summary: [`You will give up ${giving} item(s)`, `You will receive ${receiving} item(s)`],
      warn: null,
    };
  };

  app.get('/mobileconf/getlist', async (req, reply) => {
    if (await world.faults.apply('mobileconf.getlist', req, reply, 'mobileconf')) return reply;
    const ctx = await authorize(req, reply, 'list');
    if (ctx === undefined) return reply;
    // E-mailed confirmations are answered through the mail, not the app (§4.2 needs_email_confirmation).
    return reply.send({
      success: true,
      conf: confirmations.list(ctx.account.steamid, 'mobile').map(entry),
    });
  });

  // SC reads the offer id from `.tradeoffer` whose id is `tradeofferid_<id>` (§6.3).
  app.get<{ Params: { id: string } }>('/mobileconf/detailspage/:id', async (req, reply) => {
    if (await world.faults.apply('mobileconf.detailspage', req, reply, 'mobileconf')) return reply;
    const ctx = await authorize(req, reply, 'details');
    if (ctx === undefined) return reply;
    const conf = confirmations.get(ctx.account.steamid, req.params.id);
    if (conf === undefined || channelOf(conf) !== 'mobile') {
      return reply
        .type('text/html')
        .send('<html><body><div id="mobileconf_empty">Nothing to confirm</div></body></html>');
    }
    const e = entry(conf);
    return reply
      .type('text/html')
      .send(
        `<html><body><div class="mobileconf_trade_area"><div class="tradeoffer" id="tradeofferid_${escapeHtml(conf.creatorId)}">` +
          `<div class="tradeoffer_partner">${escapeHtml(String(e['headline']))}</div></div></div></body></html>`,
      );
  });

  const respond = async (
    reply: FastifyReply,
    account: Account,
    op: string | undefined,
    pairs: Array<[string, string]>,
  ): Promise<void> => {
    if (op !== 'allow' && op !== 'cancel') {
      await reply.send({ success: false, message: 'Invalid op' });
      return;
    }
    const found: Confirmation[] = [];
    for (const [cid, ck] of pairs) {
      const conf = confirmations.get(account.steamid, cid);
      if (conf === undefined || channelOf(conf) !== 'mobile' || conf.nonce !== ck) {
        await reply.send({
          success: false,
          message: 'Could not find the confirmation or it was already handled.',
        });
        return;
      }
      found.push(conf);
    }
    try {
      for (const conf of found) confirmations.respond(conf, op === 'allow');
    } catch (err) {
      if (!(err instanceof SteamError)) throw err;
      reply.log.info({ eresult: err.eresult, detail: err.message }, 'confirmation action failed');
      await reply.send({ success: false, message: `${err.message} (${err.eresult})` });
      return;
    }
    reply.log.info({ steamid: account.steamid, op, count: found.length }, 'confirmations answered');
    await reply.send({ success: true });
  };

  app.get('/mobileconf/ajaxop', async (req, reply) => {
    if (await world.faults.apply('mobileconf.ajaxop', req, reply, 'mobileconf')) return reply;
    const op = stringField(fieldsOf(req), 'op');
    const ctx = await authorize(req, reply, op === 'cancel' ? 'cancel' : 'allow');
    if (ctx === undefined) return reply;
    await respond(reply, ctx.account, op, [
      [stringField(ctx.fields, 'cid') ?? '', stringField(ctx.fields, 'ck') ?? ''],
    ]);
    return reply;
  });

  app.post('/mobileconf/multiajaxop', async (req, reply) => {
    if (await world.faults.apply('mobileconf.multiajaxop', req, reply, 'mobileconf')) return reply;
    const op = stringField(fieldsOf(req), 'op');
    const ctx = await authorize(req, reply, op === 'cancel' ? 'cancel' : 'allow');
    if (ctx === undefined) return reply;
    const cids = arrayField(ctx.fields, 'cid');
    const cks = arrayField(ctx.fields, 'ck');
    if (cids.length === 0 || cids.length !== cks.length) {
      return reply.send({ success: false, message: 'cid and ck must be arrays of the same length' });
    }
    await respond(
      reply,
      ctx.account,
      op,
      cids.map((cid, i) => [cid, cks[i] ?? '']),
    );
    return reply;
  });
}
