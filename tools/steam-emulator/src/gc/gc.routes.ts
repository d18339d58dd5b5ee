// CS2 Game Coordinator stand-in for storage units (steam.md §8, §10 row 18: emulated behind an adapter, not at
// the GC wire level). JSON under /_emulator/gc; the platform's GC adapter calls these instead of
// node-globaloffensive's addToCasket / removeFromCasket / getCasketContents.
import type { FastifyPluginCallback, FastifyReply } from 'fastify';
import type { World } from '../world/world.ts';
import { addToCasket, casketContents, listCaskets, removeFromCasket } from './casket.service.ts';
import type { CasketResult } from './casket.service.ts';

interface CasketParams {
  steamid: string;
  casketId: string;
}

function answer(reply: FastifyReply, result: CasketResult) {
  if (result.ok) return reply.send(result);
  return reply.code(result.notification !== undefined ? 409 : 400).send(result);
}

export const gcPlugin: FastifyPluginCallback<{ world: World }> = (app, { world }, done) => {
  app.get<{ Params: { steamid: string } }>('/_emulator/gc/:steamid/caskets', (req, reply) => {
    if (world.account(req.params.steamid) === undefined)
      return reply.code(404).send({ error: 'unknown account' });
    return reply.send({ caskets: listCaskets(world, req.params.steamid) });
  });

  app.get<{ Params: CasketParams }>('/_emulator/gc/:steamid/caskets/:casketId', (req, reply) => {
    const items = casketContents(world, req.params.steamid, req.params.casketId);
    if (items === undefined) return reply.code(404).send({ error: 'no such storage unit' });
    return reply.send({
      casketId: req.params.casketId,
      notification: 1012,
      items: items.map((a) => ({
        assetid: a.assetid,
        classid: a.classid,
        instanceid: a.instanceid,
        market_hash_name: world.description(a).market_hash_name,
        casket_id: req.params.casketId,
        ...a.props,
      })),
    });
  });

  app.post<{ Params: CasketParams; Body: { assetid?: string } }>(
    '/_emulator/gc/:steamid/caskets/:casketId/add',
    async (req, reply) => {
      if (await world.faults.apply('gc.casket', req, reply, 'webapi')) return reply;
      const { steamid, casketId } = req.params;
      return answer(reply, addToCasket(world, steamid, casketId, req.body?.assetid ?? ''));
    },
  );

  app.post<{ Params: CasketParams; Body: { assetid?: string } }>(
    '/_emulator/gc/:steamid/caskets/:casketId/remove',
    async (req, reply) => {
      if (await world.faults.apply('gc.casket', req, reply, 'webapi')) return reply;
      const { steamid, casketId } = req.params;
      return answer(reply, removeFromCasket(world, steamid, casketId, req.body?.assetid ?? ''));
    },
  );
  done();
};
