// GET|POST /openid/login (steam.md §1, §10 rows 1-2), the XRDS discovery documents (§1.1) and
// ISteamUser/GetPlayerSummaries/v2 (§1.5).
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { escapeHtml } from '../lib/html.ts';
import { profileFacts } from '../profile/profile.ts';
import type { World } from '../world/world.ts';
import { OP_ENDPOINT, OPENID_NS } from './openid.service.ts';
import type { OpenIdService } from './openid.service.ts';

/** Cookie set by GET /_emulator/openid/auto?steamid=… : this browser is auto-approved as that account. */
export const AUTO_COOKIE = 'emulator_openid_steamid';

type Fields = Record<string, string>;

function collect(req: FastifyRequest): Fields {
  const out: Fields = {};
  const sources = [req.query, req.body];
  for (const src of sources) {
    if (typeof src !== 'object' || src === null) continue;
    for (const [k, v] of Object.entries(src as Record<string, unknown>)) {
      if (typeof v === 'string') out[k] = v;
    }
  }
  return out;
}

/**
 * Yadis/XRDS document naming the OP endpoint (steam.md §1.1). Generic relying parties (node `openid`, hence
 * passport-steam) discover `/openid` (an OP identifier: `…/server`) before sign-in and the claimed id
 * `/openid/id/<steamid64>` (a claimed identifier: `…/signon`, OpenID 2.0 §7.3.2.1) when verifying, and require the
 * URI to equal `openid.op_endpoint`, so it is always Steam's URL, whatever host the emulator is reached on.
 */
function xrds(type: 'server' | 'signon'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<xrds:XRDS xmlns:xrds="xri://$xrds" xmlns="xri://$xrd*($v*2.0)">
	<XRD>
		<Service priority="0">
			<Type>http://specs.openid.net/auth/2.0/${type}</Type>
			<URI>${OP_ENDPOINT}</URI>
		</Service>
	</XRD>
</xrds:XRDS>
`;
}

function kv(isValid: boolean): string {
  return `ns:${OPENID_NS}\nis_valid:${isValid ? 'true' : 'false'}\n`;
}

export interface OpenIdPluginOptions {
  world: World;
  openid: OpenIdService;
}

export const openidPlugin: FastifyPluginCallback<OpenIdPluginOptions> = (app, { world, openid }, done) => {
  const login = async (req: FastifyRequest, reply: FastifyReply) => {
    const f = collect(req);
    const mode = f['openid.mode'];
    if (mode === 'check_authentication') {
      if (await world.faults.apply('openid.check_authentication', req, reply, 'text')) return reply;
      const valid = !world.faults.isGlitched('openid.check_authentication') && openid.checkAuthentication(f);
      return reply.type('text/plain; charset=utf-8').send(kv(valid));
    }
    if (mode !== 'checkid_setup') {
      return reply.code(400).type('text/html').send('<html><body>Invalid OpenID request</body></html>');
    }
    if (await world.faults.apply('openid.checkid_setup', req, reply, 'text')) return reply;
    const returnTo = f['openid.return_to'];
    if (f['openid.ns'] !== OPENID_NS || returnTo === undefined || !URL.canParse(returnTo)) {
      return reply.code(400).type('text/html').send('<html><body>Invalid OpenID request</body></html>');
    }
    const auto = openid.autoApproveSteamid ?? req.cookies[AUTO_COOKIE];
    if (auto !== undefined && world.account(auto) !== undefined) {
      return reply.redirect(openid.redirectUrl(returnTo, openid.assertion(auto, returnTo)), 302);
    }
    return reply.type('text/html; charset=utf-8').send(loginPage(world, f, returnTo));
  };
  app.get('/openid/login', login);
  app.post('/openid/login', login);

  const discovery =
    (type: 'server' | 'signon') =>
    async (req: FastifyRequest<{ Params: { steamid?: string } }>, reply: FastifyReply) => {
      if (await world.faults.apply('openid.discovery', req, reply, 'text')) return reply;
      // Any SteamID64 gets a document, known or not: discovery says who the provider is, not who exists
      // (UNVERIFIED for unknown ids; a forged assertion still fails check_authentication).
      if (req.params.steamid !== undefined && !/^\d{17}$/.test(req.params.steamid)) {
        return reply.code(404).type('text/html').send('<html><body>Not Found</body></html>');
      }
      return reply.type('application/xrds+xml; charset=utf-8').send(xrds(type));
    };
  for (const path of ['/openid', '/openid/']) app.get(path, discovery('server'));
  for (const path of ['/openid/id/:steamid', '/openid/id/:steamid/']) app.get(path, discovery('signon'));

  // Emulator-only form target of the login page (the user picks an account or cancels).
  app.post('/openid/login/_emulator_approve', async (req, reply) => {
    const f = collect(req);
    const returnTo = f['openid.return_to'];
    if (returnTo === undefined || !URL.canParse(returnTo)) return reply.code(400).send('bad return_to');
    const manual = f['steamid_manual'];
    const steamid = manual !== undefined && manual !== '' ? manual : (f['steamid'] ?? '');
    if (f['action'] === 'cancel' || world.account(steamid) === undefined) {
      return reply.redirect(
        openid.redirectUrl(returnTo, { 'openid.ns': OPENID_NS, 'openid.mode': 'cancel' }),
        302,
      );
    }
    return reply.redirect(openid.redirectUrl(returnTo, openid.assertion(steamid, returnTo)), 302);
  });

  const summaries = async (
    req: FastifyRequest<{ Querystring: Record<string, string | undefined> }>,
    reply: FastifyReply,
  ) => {
    if (await world.faults.apply('GetPlayerSummaries', req, reply, 'webapi')) return reply;
    const auth = world.authenticate(req);
    if (!auth.ok) {
      return reply
        .code(403)
        .type('text/html')
        .send(
          '<html><head><title>Forbidden</title></head><body><h1>Forbidden</h1>Access is denied. Retrying will not help. Please verify your <pre>key=</pre> parameter.</body></html>',
        );
    }
    // passport-steam 1.0.18 passes the whole claimed-id URL as the steamid (steam.md §1.5) and works against Steam,
    // so Steam reads the id out of it (UNVERIFIED how): a trailing SteamID64 counts.
    const ids = (req.query.steamids ?? '')
      .split(',')
      .map((s) => /(\d{17})\/?$/.exec(s.trim())?.[1] ?? s)
      .filter((s) => s !== '')
      .slice(0, 100);
    const players = [];
    for (const id of ids) {
      const a = world.account(id);
      if (a === undefined) continue;
      const facts = profileFacts(a);
      players.push({
        steamid: a.steamid,
        communityvisibilitystate: facts.visibility,
        profilestate: 1,
        personaname: a.persona,
        profileurl: facts.profileUrl,
        avatar: facts.avatar.icon,
        avatarmedium: facts.avatar.medium,
        avatarfull: facts.avatar.full,
        avatarhash: a.avatarUrl.slice(-40),
        personastate: 0,
        primaryclanid: '103582791429521408',
        timecreated: facts.timeCreated,
        personastateflags: 0,
      });
    }
    return reply.header('x-eresult', '1').send({ response: { players } });
  };
  app.get('/ISteamUser/GetPlayerSummaries/v2', summaries);
  app.get('/ISteamUser/GetPlayerSummaries/v2/', summaries);
  app.get('/ISteamUser/GetPlayerSummaries/v0002/', summaries);
  done();
};

function loginPage(world: World, f: Fields, returnTo: string): string {
  const hidden = Object.entries(f)
    .filter(([k]) => k.startsWith('openid.'))
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  const options = [...world.users().slice(0, 200), ...world.bots().slice(0, 20)]
    .map((a) => `<option value="${a.steamid}">${escapeHtml(a.persona)} (${a.kind}, ${a.steamid})</option>`)
    .join('');
  const realm = f['openid.realm'] ?? new URL(returnTo).origin;
  return `<!doctype html><html><head><meta charset="utf-8"><title>Steam Community :: Sign In (emulator)</title></head>
<body style="font-family:sans-serif;background:#1b2838;color:#c7d5e0;padding:2em">
<h1>Sign in through Steam (emulator)</h1>
<p>${escapeHtml(realm)} wants to know your Steam identity.</p>
<form method="post" action="/openid/login/_emulator_approve">${hidden}
<label>Account <select name="steamid">${options}</select></label>
<p>or SteamID64 <input name="steamid_manual" placeholder="7656119…"></p>
<button name="action" value="approve" type="submit">Sign In</button>
<button name="action" value="cancel" type="submit">Cancel</button>
</form></body></html>`;
}
