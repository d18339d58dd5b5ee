// Community profile pages bots read (steam.md §2.2): `/my` (how SC finds its own profile), the profile XML
// (`getSteamUser`), and the trade URL page and its regeneration (`getTradeURL`, `changeTradeURL`, TOM
// `getOfferToken`).
import { randomBytes } from 'node:crypto';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { escapeHtml } from '../lib/html.ts';
import type { Account } from '../world/types.ts';
import type { World } from '../world/world.ts';
import { profileFacts } from './profile.ts';

const TOKEN_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

/** The account of a live `steamLoginSecure` session: community pages are cookie-only (steam.md §4.1). */
export function cookieAccount(world: World, req: FastifyRequest): Account | undefined {
  const auth = world.authenticate(req);
  return auth.ok && auth.via === 'cookie' ? auth.account : undefined;
}

/**
 * No or dead session: Steam sends the browser to its login page (steam.md §7.2); SC reads a redirect whose Location
 * contains `/login` as "Not Logged In" and emits `sessionExpired`.
 */
export function redirectToLogin(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.redirect(`/login/home/?goto=${encodeURIComponent(req.url.replace(/^\//, ''))}`, 302);
}

function cdata(s: string): string {
  return `<![CDATA[${s.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/** `<profile>` as `/profiles/<id>/?xml=1` serves it; the fields SC `CSteamUser` reads (steam.md §2.2). */
function profileXml(world: World, account: Account): string {
  const facts = profileFacts(account);
  const open = facts.visibility === 3;
  const memberSince = new Date(facts.timeCreated * 1000).toLocaleDateString('en-US', {
    month: 'long',
    day: 'numeric',
    year: 'numeric',
    timeZone: 'UTC',
  });
  const lines = [
    `<steamID64>${account.steamid}</steamID64>`,
    `<steamID>${cdata(account.persona)}</steamID>`,
    '<onlineState>offline</onlineState>',
    `<stateMessage>${cdata('Offline')}</stateMessage>`,
    `<privacyState>${open ? 'public' : 'private'}</privacyState>`,
    `<visibilityState>${facts.visibility}</visibilityState>`,
    `<avatarIcon>${cdata(facts.avatar.icon)}</avatarIcon>`,
    `<avatarMedium>${cdata(facts.avatar.medium)}</avatarMedium>`,
    `<avatarFull>${cdata(facts.avatar.full)}</avatarFull>`,
    '<vacBanned>0</vacBanned>',
    `<tradeBanState>${account.tradeBannedUntil > world.clock.now() ? 'Banned' : 'None'}</tradeBanState>`,
    '<isLimitedAccount>0</isLimitedAccount>',
    `<customURL>${cdata('')}</customURL>`,
    // Steam leaves the public-only fields out of a private profile's XML.
    ...(open
      ? [
          `<memberSince>${memberSince}</memberSince>`,
          `<headline>${cdata('')}</headline>`,
          `<location>${cdata('')}</location>`,
          `<realname>${cdata('')}</realname>`,
          `<summary>${cdata('')}</summary>`,
        ]
      : []),
  ];
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><profile>\n\t${lines.join('\n\t')}\n</profile>`;
}

export const profilePlugin: FastifyPluginCallback<{ world: World }> = (app, { world }, done) => {
  // SC `_myProfile` asks `/my` without following the redirect and reads `/profiles/<id>` out of its Location, which
  // must name steamcommunity.com (steam.md §2.2); `/my/<page>` leads to the same page of your profile.
  const my = async (req: FastifyRequest<{ Params: { '*'?: string } }>, reply: FastifyReply) => {
    const account = cookieAccount(world, req);
    if (account === undefined) return redirectToLogin(req, reply);
    const rest = req.params['*'] ?? '';
    const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    return reply.redirect(`${profileFacts(account).profileUrl}${rest}${query}`, 302);
  };
  app.get('/my', my);
  app.get('/my/*', my);

  // The profile page; with `?xml=1` the XML SC `getSteamUser` parses (steam.md §2.2). Public, no session needed.
  const profile = async (
    req: FastifyRequest<{ Params: { steamid: string }; Querystring: { xml?: string } }>,
    reply: FastifyReply,
  ) => {
    const account = world.account(req.params.steamid);
    if (req.query.xml === '1') {
      const body =
        account === undefined
          ? `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><response><error>${cdata('The specified profile could not be found.')}</error></response>`
          : profileXml(world, account);
      return reply.type('text/xml; charset=utf-8').send(body);
    }
    if (account === undefined) {
      // SC's community-error check reads `<h1>Sorry!</h1>` + `<h3>reason</h3>`.
      return reply
        .type('text/html; charset=utf-8')
        .send(
          '<!DOCTYPE html><html><head><title>Steam Community :: Error</title></head><body><div class="error_ctn">' +
            '<h1>Sorry!</h1><h3>The specified profile could not be found.</h3></div></body></html>',
        );
    }
    const data = JSON.stringify({
      url: profileFacts(account).profileUrl,
      steamid: account.steamid,
      personaname: account.persona,
      summary: '',
    }).replace(/</g, '\\u003c');
    return reply
      .type('text/html; charset=utf-8')
      .send(
        `<!DOCTYPE html><html><head><title>Steam Community :: ${escapeHtml(account.persona)}</title></head><body>\n` +
          `<script type="text/javascript">\n\tg_rgProfileData = ${data};\n</script>\n` +
          `<div class="profile_header"><span class="actual_persona_name">${escapeHtml(account.persona)}</span></div>\n</body></html>`,
      );
  };
  app.get('/profiles/:steamid', profile);
  app.get('/profiles/:steamid/', profile);

  // Own trade URL, scraped from HTML by SC getTradeURL (steam.md §2.2).
  app.get<{ Params: { steamid: string } }>('/profiles/:steamid/tradeoffers/privacy', async (req, reply) => {
    if (await world.faults.apply('tradeoffers.privacy', req, reply, 'community')) return reply;
    const account = cookieAccount(world, req);
    // Dead, missing or foreign session: Steam sends you to the login page (steam.md §7.2).
    if (account === undefined || account.steamid !== req.params.steamid) return redirectToLogin(req, reply);
    // The URL goes in with a bare `&`: SC's getTradeURL hands out the matched text as the URL, and bots feed it to
    // TOM's createOffer, which would read `amp;token` from an escaped one. Its characters need no escaping.
    const url = world.tradeUrl(account);
    return reply
      .type('text/html; charset=utf-8')
      .send(
        `<!doctype html><html><body><div class="trade_offer_access_url"><input type="text" id="trade_offer_access_url" class="trade_offer_access_url" value="${url}" readonly></div></body></html>`,
      );
  });

  // Regenerates the token; body is a JSON string (steam.md §2.2). The old trade URL stops working.
  const newTradeUrl = async (req: FastifyRequest<{ Params: { steamid?: string } }>, reply: FastifyReply) => {
    if (await world.faults.apply('tradeoffers.newtradeurl', req, reply, 'community')) return reply;
    const account = cookieAccount(world, req);
    if (account === undefined) return reply.code(401).send(null);
    if (!world.checkSessionId(req)) return reply.code(403).send(null);
    if (req.params.steamid !== undefined && req.params.steamid !== account.steamid) {
      return reply.code(403).send(null);
    }
    const token = [...randomBytes(8)].map((b) => TOKEN_CHARS[b % TOKEN_CHARS.length]).join('');
    account.tradeToken = token;
    world.markDirty();
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(token));
  };
  app.post('/my/tradeoffers/newtradeurl', newTradeUrl);
  app.post('/profiles/:steamid/tradeoffers/newtradeurl', newTradeUrl);
  done();
};
