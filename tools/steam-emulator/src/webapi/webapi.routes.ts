// Small Steam surfaces: trade URL page/regeneration (steam.md §2.2), ITwoFactorService/QueryTime (§6.2) and
// ISteamEconomy/GetAssetClassInfo (§3.3).
import { randomBytes } from 'node:crypto';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { denyWebApi } from '../inventory/inventory.routes.ts';
import { escapeHtml } from '../lib/html.ts';
import type { World } from '../world/world.ts';

const TOKEN_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

export const webapiPlugin: FastifyPluginCallback<{ world: World }> = (app, { world }, done) => {
  // Own trade URL, scraped from HTML by SC getTradeURL (steam.md §2.2).
  app.get<{ Params: { steamid: string } }>('/profiles/:steamid/tradeoffers/privacy', async (req, reply) => {
    if (await world.faults.apply('tradeoffers.privacy', req, reply, 'community')) return reply;
    const auth = world.authenticate(req);
    if (!auth.ok || auth.account.steamid !== req.params.steamid) {
      // Dead or foreign session: Steam sends you to the login page (steam.md §7.2).
      return reply.redirect('/login/home/?goto=' + encodeURIComponent(req.url), 302);
    }
    const url = world.tradeUrl(auth.account);
    return reply
      .type('text/html; charset=utf-8')
      .send(
        `<!doctype html><html><body><div class="trade_offer_access_url"><input type="text" id="trade_offer_access_url" class="trade_offer_access_url" value="${escapeHtml(url)}" readonly></div></body></html>`,
      );
  });

  // Regenerates the token; body is a JSON string (steam.md §2.2). The old trade URL stops working.
  const newTradeUrl = async (req: FastifyRequest, reply: FastifyReply) => {
    if (await world.faults.apply('tradeoffers.newtradeurl', req, reply, 'community')) return reply;
    const auth = world.authenticate(req);
    if (!auth.ok) return reply.code(401).send(null);
    if (!world.checkSessionId(req)) return reply.code(403).send(null);
    const token = [...randomBytes(8)].map((b) => TOKEN_CHARS[b % TOKEN_CHARS.length]).join('');
    auth.account.tradeToken = token;
    world.markDirty();
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(token));
  };
  app.post('/my/tradeoffers/newtradeurl', newTradeUrl);
  app.post('/profiles/:steamid/tradeoffers/newtradeurl', newTradeUrl);

  const queryTime = async (req: FastifyRequest, reply: FastifyReply) => {
    if (await world.faults.apply('QueryTime', req, reply, 'webapi')) return reply;
    // The world clock, so authenticators synchronise with advanced time (steam.md §6.2 getTimeOffset).
    return reply.header('x-eresult', '1').send({
      response: {
        server_time: String(world.clock.now()),
        skew_tolerance_seconds: '60',
        large_time_jink: '86400',
        probe_frequency_seconds: 3600,
        adjusted_time_probe_frequency_seconds: 300,
        hint_probe_frequency_seconds: 60,
        sync_timeout: 60,
        try_again_seconds: 900,
        max_attempts: 3,
      },
    });
  };
  app.post('/ITwoFactorService/QueryTime/v1', queryTime);
  app.post('/ITwoFactorService/QueryTime/v1/', queryTime);

  const classInfo = async (
    req: FastifyRequest<{ Querystring: Record<string, string | undefined> }>,
    reply: FastifyReply,
  ) => {
    if (await world.faults.apply('GetAssetClassInfo', req, reply, 'webapi')) return reply;
    if (!world.authenticate(req).ok) return denyWebApi(reply);
    const q = req.query;
    const n = Math.min(Number(q.class_count ?? 0) || 0, 1000);
    const result: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const classid = q[`classid${i}`];
      if (classid === undefined) continue;
      const instanceid = q[`instanceid${i}`] ?? '0';
      const d = world.descriptions.get(`${classid}_${instanceid}`);
      if (d !== undefined) result[instanceid === '0' ? classid : `${classid}_${instanceid}`] = d;
    }
    result['success'] = true;
    return reply.header('x-eresult', '1').send({ result });
  };
  app.get('/ISteamEconomy/GetAssetClassInfo/v1', classInfo);
  app.get('/ISteamEconomy/GetAssetClassInfo/v1/', classInfo);
  done();
};
