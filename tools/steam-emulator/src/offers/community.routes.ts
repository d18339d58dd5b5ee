/**
 * steamcommunity.com trade-offer surface (steam.md §4.2, §4.3): send, accept, cancel, decline, the one-time
 * trade-protection acknowledgement and the offer pages clients scrape for escrow days.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { escapeHtml } from '../lib/html.ts';
import { profileFacts } from '../profile/profile.ts';
import { holdDays } from '../trade-history/trade.service.ts';
import type { World } from '../world/world.ts';
import type { Account } from '../world/types.ts';
import { accountIdFromSteamid } from '../world/world.ts';
import { EResult, SteamError } from './eresult.ts';
import type { OfferService, RawAsset } from './offer.service.ts';
import type { ConfirmationChannel } from './offer.types.ts';
import { communityAccount, fieldsOf, sendCommunityError, stringField, type Fields } from './http.ts';

export interface CommunityRouteDeps {
  world: World;
  offers: OfferService;
}

/** json_tradeoffer (§4.2): `{"newversion":true,"version":N,"me":{"assets":[…]},"them":{"assets":[…]}}`. */
function parseJsonTradeOffer(raw: string | undefined): { give: RawAsset[]; receive: RawAsset[] } {
  if (raw === undefined) throw new SteamError(EResult.InvalidParam, 'json_tradeoffer missing');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new SteamError(EResult.InvalidParam, 'json_tradeoffer is not JSON');
  }
  const side = (name: 'me' | 'them'): RawAsset[] => {
    const s = (parsed as Record<string, unknown> | null)?.[name] as Record<string, unknown> | undefined;
    const assets = s?.['assets'];
    if (assets === undefined) return [];
    if (!Array.isArray(assets)) throw new SteamError(EResult.InvalidParam, `${name}.assets is not an array`);
    return assets.map((a) => (typeof a === 'object' && a !== null ? (a as RawAsset) : ({} as RawAsset)));
  };
  return { give: side('me'), receive: side('them') };
}

function parseCreateParams(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    const parsed = JSON.parse(raw) as Record<string, unknown> | null;
    const token = parsed?.['trade_offer_access_token'];
    return typeof token === 'string' ? token : undefined;
  } catch {
    throw new SteamError(EResult.InvalidParam, 'trade_offer_create_params is not JSON');
  }
}

/**
 * Referer as TOM sends it (§4.2 / §4.3): the trade window `/tradeoffer/new/?partner=<accountid>[&token=…]` for a
 * send (`/tradeoffer/<countered id>/…` for a counter-offer), the offer page `/tradeoffer/<id>/` for an accept. Only path and partner are compared, any host is fine
 * (the emulator is not served as steamcommunity.com). UNVERIFIED: how strictly Steam checks; a client that
 * follows the reference passes.
 */
function refererMatches(req: FastifyRequest, check: (url: URL) => boolean): boolean {
  const referer = req.headers.referer;
  if (referer === undefined) return false;
  try {
    return check(new URL(referer));
  } catch {
    return false;
  }
}

/**
 * The confirmation part of a send/accept answer (§4.2): which channel must confirm, and for e-mail the domain Steam
 * says it wrote to. Accounts have no e-mail address here, so the domain is the reserved `example.com` (UNVERIFIED
 * what Steam sends when no e-mail is needed: an empty string).
 */
function confirmationFlags(channel: ConfirmationChannel | undefined): Record<string, unknown> {
  return {
    needs_mobile_confirmation: channel === 'mobile',
    needs_email_confirmation: channel === 'email',
    email_domain: channel === 'email' ? 'example.com' : '',
  };
}

function badReferer(): SteamError {
  return new SteamError(EResult.InvalidParam, 'missing or unexpected Referer');
}

export function registerCommunityRoutes(app: FastifyInstance, deps: CommunityRouteDeps): void {
  const { world, offers } = deps;

  /** Session + CSRF preamble shared by every community POST (§4.1). */
  const preamble = async (
    req: FastifyRequest,
    reply: FastifyReply,
    deadStatus: 401 | 403,
  ): Promise<{ account: Account; fields: Fields } | undefined> => {
    const account = await communityAccount(world, req, reply, deadStatus);
    if (account === undefined) return undefined;
    if (!world.checkSessionId(req)) {
      // A sessionid that does not match the cookie is Steam's CSRF failure; it reads as a dead session.
      await reply
        .code(deadStatus)
        .type('text/html')
        .send('<html><body><h1>Invalid session</h1></body></html>');
      return undefined;
    }
    return { account, fields: fieldsOf(req) };
  };

  app.post('/tradeoffer/new/send', async (req, reply) => {
    if (await world.faults.apply('tradeoffer.send', req, reply, 'community')) return reply;
    const ctx = await preamble(req, reply, 401);
    if (ctx === undefined) return reply;
    const { account, fields } = ctx;
    try {
      const partnerSteamid = stringField(fields, 'partner') ?? '';
      const referrerOk = refererMatches(req, (url) => {
        // A counter-offer is sent from the countered offer's page (TOM: `/tradeoffer/${id ?? 'new'}/`).
        if (!/^\/tradeoffer\/(new|\d+)\/?$/.test(url.pathname)) return false;
        const partner = url.searchParams.get('partner');
        return (
          partner === null ||
          (/^\d{17}$/.test(partnerSteamid) && partner === String(accountIdFromSteamid(partnerSteamid)))
        );
      });
      if (!referrerOk) throw badReferer();
      const { give, receive } = parseJsonTradeOffer(stringField(fields, 'json_tradeoffer'));
      const countered = stringField(fields, 'tradeofferid_countered');
      const { offer, confirmation } = offers.send({
        sender: account,
        partnerSteamid,
        message: stringField(fields, 'tradeoffermessage') ?? '',
        give,
        receive,
        token: parseCreateParams(stringField(fields, 'trade_offer_create_params')),
        countered:
          countered === undefined || countered === '' || countered === 'null' ? undefined : countered,
      });
      req.log.info(
        { tradeofferid: offer.tradeofferid, sender: offer.sender, state: offer.state },
        'offer sent',
      );
      return reply.send({ tradeofferid: offer.tradeofferid, ...confirmationFlags(confirmation) });
    } catch (err) {
      await sendCommunityError(reply, 'send', err);
      return reply;
    }
  });

  app.post<{ Params: { id: string } }>('/tradeoffer/:id/accept', async (req, reply) => {
    if (await world.faults.apply('tradeoffer.accept', req, reply, 'community')) return reply;
    const ctx = await preamble(req, reply, 403);
    if (ctx === undefined) return reply;
    try {
      const id = req.params.id;
      if (!refererMatches(req, (url) => new RegExp(`^/tradeoffer/${id}/?$`).test(url.pathname)))
        throw badReferer();
      const formId = stringField(ctx.fields, 'tradeofferid');
      if (formId !== undefined && formId !== id)
        throw new SteamError(EResult.InvalidParam, 'tradeofferid mismatch');
      const partner = stringField(ctx.fields, 'partner');
      const offer = offers.visibleOffer(ctx.account, id);
      if (partner !== undefined && offer !== undefined && partner !== offer.sender) {
        throw new SteamError(EResult.InvalidParam, 'partner is not the sender of this offer');
      }
      const result = offers.accept(ctx.account, id);
      req.log.info(
        { tradeofferid: id, tradeid: result.trade?.tradeid, state: result.offer.state },
        'offer accepted',
      );
      // §4.3: `{"tradeid", "needs_mobile_confirmation", "needs_email_confirmation"}`; no tradeid while the
      // acceptance waits for the acceptor's confirmation (TOM then reports 'pending').
      return reply.send({
        ...(result.trade !== undefined ? { tradeid: result.trade.tradeid } : {}),
        ...confirmationFlags(result.confirmation),
      });
    } catch (err) {
      await sendCommunityError(reply, 'accept', err);
      return reply;
    }
  });

  for (const action of ['cancel', 'decline'] as const) {
    app.post<{ Params: { id: string } }>(`/tradeoffer/:id/${action}`, async (req, reply) => {
      if (await world.faults.apply(`tradeoffer.${action}`, req, reply, 'community')) return reply;
      const ctx = await preamble(req, reply, 401);
      if (ctx === undefined) return reply;
      try {
        const offer =
          action === 'cancel'
            ? offers.cancel(ctx.account, req.params.id)
            : offers.decline(ctx.account, req.params.id);
        req.log.info({ tradeofferid: offer.tradeofferid, action }, 'offer closed');
        return reply.send({ tradeofferid: offer.tradeofferid });
      } catch (err) {
        await sendCommunityError(reply, action, err);
        return reply;
      }
    });
  }

  // `POST https://steamcommunity.com//trade/new/acknowledge` (double slash, as SC sends it) with
  // `sessionid, message=1` (§4.3). Answers `{"success":1}`: UNVERIFIED body, SC only checks the HTTP status.
  const acknowledge = async (req: FastifyRequest, reply: FastifyReply) => {
    if (await world.faults.apply('trade.acknowledge', req, reply, 'community')) return reply;
    const ctx = await preamble(req, reply, 401);
    if (ctx === undefined) return reply;
    if (stringField(ctx.fields, 'message') !== '1') {
      await sendCommunityError(
        reply,
        'acknowledge',
        new SteamError(EResult.InvalidParam, 'message must be 1'),
      );
      return reply;
    }
    if (!ctx.account.tradeProtectionAcknowledged) {
      ctx.account.tradeProtectionAcknowledged = true;
      world.markDirty();
      req.log.info({ steamid: ctx.account.steamid }, 'trade protection acknowledged');
    }
    return reply.send({ success: 1 });
  };
  app.post('//trade/new/acknowledge', acknowledge);
  app.post('/trade/new/acknowledge', acknowledge);

  /**
   * The trade window (new offer or existing offer) as clients scrape it (§4.3, TOM `getUserDetails`): TOM finds the
   * inline script by a regex that needs `var g_rgAppContextData` as its first statement and runs it, reading
   * `g_strYourPersonaName`, `g_rgPartnerAppContextData`, `g_strTradePartnerPersonaName`,
   * `g_bTradePartnerProbation`; escrow days and the `data-miniprofile` avatars are read from the page. The script keeps
   * Steam's order, its `$J(…)`/`UserYou`/`UserThem` calls are what TOM's sandbox provides.
   */
  const tradePage = (me: Account, them: Account): string => {
    const js = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');
    const contexts = (a: Account) => {
      const count = world.inventory(a.steamid, '2').size;
      return {
        730: {
          appid: 730,
          name: 'Counter-Strike 2',
          icon: 'https://cdn.fastly.steamstatic.com/steamcommunity/public/images/apps/730/8dbc71957312bbd3baea65848b545be9eae2a355.jpg',
          link: 'https://steamcommunity.com/app/730',
          asset_count: count,
          trade_permissions: 'FULL',
          load_failed: 0,
          owner_only: false,
          rgContexts: { 2: { asset_count: count, id: '2', name: 'Backpack' } },
        },
      };
    };
    const avatar = (a: Account): string =>
      `<img src="${escapeHtml(profileFacts(a).avatar.icon)}" data-miniprofile="${a.accountId}">`;
    const now = world.clock.now();
    return `<!DOCTYPE html>
<html class="responsive">
<head><title>Steam Community :: Trade Offer</title></head>
<body>
<div class="trade_partner_header responsive_trade_offersection">
	<div class="trade_partner_avatar">${avatar(them)}</div>
	<div class="trade_partner_headline">You're trading with ${escapeHtml(them.persona)}</div>
</div>
<div class="tradeoffer_items_ctn"><div class="trade_yours">${avatar(me)}</div></div>
		<script type="text/javascript">
		var g_rgAppContextData = ${js(contexts(me))};
		var g_rgPartnerAppContextData = ${js(contexts(them))};
		var g_rgForeignInventories = {};
		var g_rgCurrentTradeStatus = {"newversion":false,"version":1,"me":{"assets":[],"currency":[],"ready":false},"them":{"assets":[],"currency":[],"ready":false}};
		var g_strInventoryLoadURL = 'https://steamcommunity.com/profiles/${me.steamid}/inventory/json/';
		var g_strYourPersonaName = ${js(me.persona)};
		var g_strTradePartnerPersonaName = ${js(them.persona)};
		var g_ulTradePartnerSteamID = '${them.steamid}';
		var g_bTradePartnerProbation = false;
		var g_daysMyEscrow = ${holdDays(me, now)};
		var g_daysTheirEscrow = ${holdDays(them, now)};
		var g_strTradePartnerInventoryLoadURL = 'https://steamcommunity.com/tradeoffer/new/partnerinventory/';
		$J( function() {
			UserYou.SetProfileURL( 'https://steamcommunity.com/profiles/${me.steamid}' );
			UserYou.SetSteamId( '${me.steamid}' );
			UserThem.SetProfileURL( 'https://steamcommunity.com/profiles/${them.steamid}' );
			UserThem.SetSteamId( '${them.steamid}' );
		});
		</script>
</body>
</html>`;
  };

  app.get<{ Querystring: Record<string, string | undefined> }>('/tradeoffer/new/', async (req, reply) => {
    const account = await communityAccount(world, req, reply, 401);
    if (account === undefined) return reply;
    const partnerId = Number(req.query.partner ?? 'NaN');
    const partner = Number.isInteger(partnerId) ? world.accountByAccountId(partnerId) : undefined;
    if (partner === undefined || (req.query.token !== undefined && req.query.token !== partner.tradeToken)) {
      return reply
        .code(200)
        .type('text/html')
        .send(
          '<html><body><div id="error_msg">This Trade URL is no longer valid for sending a trade offer to this user.</div></body></html>',
        );
    }
    return reply.type('text/html; charset=utf-8').send(tradePage(account, partner));
  });

  app.get<{ Params: { id: string } }>('/tradeoffer/:id/', async (req, reply) => {
    const account = await communityAccount(world, req, reply, 401);
    if (account === undefined) return reply;
    offers.sweep();
    const offer = offers.visibleOffer(account, req.params.id);
    const other =
      offer === undefined
        ? undefined
        : world.account(offer.sender === account.steamid ? offer.recipient : offer.sender);
    if (other === undefined) {
      return reply
        .type('text/html')
        .send(
          '<html><body><div id="error_msg">The trade offer does not exist, or the trade offer belongs to another user.</div></body></html>',
        );
    }
    return reply.type('text/html; charset=utf-8').send(tradePage(account, other));
  });
}
