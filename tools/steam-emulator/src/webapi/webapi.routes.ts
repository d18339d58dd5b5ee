// Small WebAPI surfaces: ITwoFactorService/QueryTime (steam.md §6.2) and ISteamEconomy/GetAssetClassInfo (§3.3).
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { denyWebApi } from '../inventory/inventory.routes.ts';
import type { World } from '../world/world.ts';

export const webapiPlugin: FastifyPluginCallback<{ world: World }> = (app, { world }, done) => {
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
