// Inventory surfaces: community /inventory (steam.md §3.1), IEconService inventory methods and the trade-window
// partner inventory (steam.md §3.3).
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import type { TokenBuckets } from '../lib/token-bucket.ts';
import type { World } from '../world/world.ts';
import { arrayField } from '../offers/http.ts';
import { InventorySerializer, MAX_COUNT } from './inventory.service.ts';

interface InventoryParams {
  steamid: string;
  appid: string;
  contextid: string;
}

type Query = Record<string, string | undefined>;

const EMPTY = '{"total_inventory_count":0,"success":1,"rwgrsn":-2}';

function parseCount(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return MAX_COUNT; // default when omitted (UNVERIFIED, see README)
  if (!/^\d+$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= 1 && n <= MAX_COUNT ? n : undefined;
}

/**
 * A WebAPI service method's input: plain query fields, or the request message as `input_json` (how Steam's service
 * methods take nested fields); `filters.assetids` also as bracketed keys `filters[assetids][0]=…`. steam.md §3.3
 * names the fields, not the encoding: UNVERIFIED which forms Steam accepts. Undefined when input_json is not JSON.
 */
function serviceRequest(query: Query): { q: Query; assetids: string[] } | undefined {
  let input: Record<string, unknown> = {};
  if (query.input_json !== undefined) {
    try {
      const parsed: unknown = JSON.parse(query.input_json);
      if (typeof parsed !== 'object' || parsed === null) return undefined;
      input = parsed as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }
  const q: Query = { ...query };
  for (const [key, value] of Object.entries(input)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      q[key] = String(value);
  }
  const filters = input['filters'];
  const fromJson =
    typeof filters === 'object' && filters !== null
      ? (filters as Record<string, unknown>)['assetids']
      : undefined;
  const assetids = Array.isArray(fromJson) ? fromJson.map(String) : arrayField(query, 'filters[assetids]');
  return { q, assetids: assetids.filter((id) => /^\d+$/.test(id)) };
}

/**
 * Cursor: an empty `start_assetid` (clients that build `start_assetid=${last ?? ''}`) or 0 (the proto default of
 * the uint64 field) means "first page"; assetids are never 0.
 */
function parseStartAssetid(raw: string | undefined): string | undefined {
  return raw === undefined || raw === '' || raw === '0' ? undefined : raw;
}

export interface InventoryPluginOptions {
  world: World;
  buckets: TokenBuckets;
  /** Encode all descriptions up front (about 1 s for 60k descriptions); off in tests. */
  warm?: boolean;
}

export const inventoryPlugin: FastifyPluginCallback<InventoryPluginOptions> = (
  app,
  { world, buckets, warm },
  done,
) => {
  const serializer = new InventorySerializer(world);
  if (warm === true) serializer.warm();

  const sendJson = (reply: FastifyReply, code: number, body: string) =>
    reply.code(code).header('content-type', 'application/json; charset=utf-8').send(body);

  const communityInventory = async (
    req: FastifyRequest<{ Params: InventoryParams; Querystring: Query }>,
    reply: FastifyReply,
  ) => {
    if (await world.faults.apply('inventory', req, reply, 'inventory')) return reply;
    const limit = world.inventoryRateLimit;
    if (!buckets.take(req.ip, limit.refillPerSecond, limit.burst)) return sendJson(reply, 429, 'null');
    const { steamid, appid, contextid } = req.params;
    const count = parseCount(req.query.count);
    // count > 1000 ⇒ HTTP 400 since May 2025 (steam.md §3.1); body null like Steam's other refusals.
    if (count === undefined) return sendJson(reply, 400, 'null');
    const owner = world.account(steamid);
    if (owner === undefined) return sendJson(reply, 400, 'null');
    const auth = world.authenticate(req);
    const viewerIsOwner = auth.ok && auth.account.steamid === steamid;
    if (!auth.ok && auth.reason === 'expired' && cookieSteamid(req) === steamid) {
      // A 403 on your own inventory means the session is dead (steam.md §3.1).
      return sendJson(reply, 403, 'null');
    }
    if (owner.privateInventory && !viewerIsOwner) return sendJson(reply, 403, 'null');
    if (appid !== '730' || (contextid !== '2' && contextid !== '16')) return sendJson(reply, 200, EMPTY);
    const page = serializer.page(steamid, contextid, {
      count,
      startAssetid: parseStartAssetid(req.query.start_assetid),
      ownerView: viewerIsOwner,
    });
    if (world.faults.isGlitched('inventory')) {
      // CS2 "empty but not empty": success without assets while total_inventory_count > 0 (steam.md §3.1).
      return sendJson(reply, 200, `{"total_inventory_count":${page.total},"success":1,"rwgrsn":-2}`);
    }
    return sendParts(reply, serializer.communityParts(page));
  };
  app.get('/inventory/:steamid/:appid/:contextid', communityInventory);
  app.get('/inventory/:steamid/:appid/:contextid/', communityInventory);

  const webapiInventory = async (req: FastifyRequest<{ Querystring: Query }>, reply: FastifyReply) => {
    if (await world.faults.apply('GetInventoryItemsWithDescriptions', req, reply, 'webapi')) return reply;
    const auth = world.authenticate(req);
    if (!auth.ok) return denyWebApi(reply);
    const request = serviceRequest(req.query);
    if (request === undefined) return reply.code(400).header('x-eresult', '8').send({ response: {} });
    const { q, assetids } = request;
    const steamid = q.steamid ?? auth.account.steamid;
    const owner = world.account(steamid);
    const contextid = q.contextid ?? '2';
    const count = parseCount(q.count);
    if (owner === undefined || count === undefined || (contextid !== '2' && contextid !== '16')) {
      return reply.code(400).header('x-eresult', '8').send({ response: {} });
    }
    const self = owner.steamid === auth.account.steamid;
    if (owner.privateInventory && !self)
      return reply.code(403).header('x-eresult', '15').send({ response: {} });
    const withDescriptions = q.get_descriptions !== '0' && q.get_descriptions !== 'false';
    const withProps = q.get_asset_properties !== '0' && q.get_asset_properties !== 'false';
    let page = serializer.page(steamid, contextid, {
      count,
      startAssetid: parseStartAssetid(q.start_assetid),
      ownerView: self,
    });
    const missing: string[] = [];
    if (assetids.length > 0) {
      // filters.assetids: exactly those assets, the ones the viewer cannot see in this context as missing_assets.
      const now = world.clock.now();
      const inv = world.inventory(steamid, contextid);
      const found = [];
      for (const id of new Set(assetids)) {
        const asset = inv.get(id);
        if (asset !== undefined && serializer.isVisible(asset, self, now)) found.push(asset);
        else missing.push(id);
      }
      page = { assets: found, total: page.total, more: false, lastAssetid: undefined };
    }
    return reply
      .header('x-eresult', '1')
      .header('content-type', 'application/json; charset=utf-8')
      .send(serializer.webapiJson(page, withDescriptions, withProps, { contextid, assetids: missing }));
  };
  app.get('/IEconService/GetInventoryItemsWithDescriptions/v1', webapiInventory);
  app.get('/IEconService/GetInventoryItemsWithDescriptions/v1/', webapiInventory);

  const schema = async (req: FastifyRequest, reply: FastifyReply) => {
    if (await world.faults.apply('GetAssetPropertySchema', req, reply, 'webapi')) return reply;
    // propertyid meanings follow third-party fixtures: 1 = pattern seed, 2 = float (steam.md §3.1, UNVERIFIED).
    return reply.header('x-eresult', '1').send({
      response: {
        property_schemas: [
          {
            id: 1,
            name: 'paint_seed',
            type: 'int',
            int_min: 0,
            int_max: 1000,
            localized_label: 'Pattern Template',
          },
          {
            id: 2,
            name: 'paint_wear',
            type: 'float',
            float_min: 0,
            float_max: 1,
            localized_label: 'Wear Rating',
          },
        ],
      },
    });
  };
  app.get('/IEconService/GetAssetPropertySchema/v1', schema);
  app.get('/IEconService/GetAssetPropertySchema/v1/', schema);

  // Trade-window partner inventory (steam.md §3.3): tradable items only, legacy rg* shape, one page.
  app.get<{ Querystring: Query }>('/tradeoffer/new/partnerinventory/', async (req, reply) => {
    if (await world.faults.apply('partnerinventory', req, reply, 'community')) return reply;
    const auth = world.authenticate(req);
    if (!auth.ok) return reply.code(auth.reason === 'missing' ? 401 : 403).send(null);
    if (!world.checkSessionId(req)) return reply.code(403).send(null);
    const partner = world.account(req.query.partner ?? '');
    if (partner === undefined || req.query.appid !== '730' || req.query.contextid !== '2') {
      return reply.send({ success: false });
    }
    const now = world.clock.now();
    const rgInventory: Record<string, unknown> = {};
    const rgDescriptions: Record<string, unknown> = {};
    const rgAssetProperties: Record<string, unknown> = {};
    let pos = 1;
    for (const asset of world.inventory(partner.steamid, '2').list()) {
      if (asset.tradableAfter > now) continue;
      const d = world.description(asset);
      if (d.tradable !== 1) continue;
      rgInventory[asset.assetid] = {
        id: asset.assetid,
        classid: asset.classid,
        instanceid: asset.instanceid,
        amount: String(asset.amount),
        pos: pos++,
      };
      rgDescriptions[asset.descKey] = d;
      const props: unknown[] = [];
      if (asset.props.paintSeed !== undefined)
        props.push({ propertyid: 1, int_value: String(asset.props.paintSeed) });
      if (asset.props.paintWear !== undefined)
        props.push({ propertyid: 2, float_value: asset.props.paintWear });
      if (props.length > 0) rgAssetProperties[asset.assetid] = props;
    }
    return reply.send({
      success: true,
      rgInventory,
      rgDescriptions,
      rgAssetProperties,
      more: false,
      more_start: false,
    });
  });
  done();
};

/** Writes a multi-buffer body straight to the socket (corked ⇒ one writev), bypassing Fastify's serializer. */
function sendParts(reply: FastifyReply, parts: Buffer[]) {
  let length = 0;
  for (const p of parts) length += p.length;
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': length });
  res.cork();
  for (const p of parts) res.write(p);
  res.end();
  return reply;
}

/** Expired/invalid WebAPI credentials: 403 HTML "Access is denied…" (steam.md §4.1, TOM#350). */
export function denyWebApi(reply: FastifyReply) {
  return reply
    .code(403)
    .type('text/html')
    .send(
      '<html><head><title>Forbidden</title></head><body><h1>Forbidden</h1>Access is denied. Retrying will not help. Please verify your <pre>key=</pre> parameter.</body></html>',
    );
}

function cookieSteamid(req: FastifyRequest): string | undefined {
  const cookie = req.cookies['steamLoginSecure'];
  if (cookie === undefined) return undefined;
  const decoded = decodeURIComponent(cookie);
  const sep = decoded.indexOf('||');
  return sep < 0 ? undefined : decoded.slice(0, sep);
}
