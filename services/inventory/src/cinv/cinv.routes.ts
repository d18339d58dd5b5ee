import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { ByteLru } from '@platform/core';
import { requireUser } from '@platform/http';
import type { SteamItem } from '@platform/steam';
import type { Enricher } from '@platform/pricing';
import type { UserInventory, UserInventoryService } from './user-inventory.service.ts';

export interface CinvRouteDeps {
  inventories: UserInventoryService;
  enricher: Enricher;
  /** The login service's guard (packages/http createAuthGuard); /me answers 401 without one. */
  authGuard: onRequestAsyncHookHandler | undefined;
  rateLimit: { max: number; windowMs: number };
  /** Encoded answers kept in memory, in bytes. */
  responseCacheBytes: number;
  now?: () => Date;
}

export function itemView(item: SteamItem) {
  return {
    assetId: item.assetId,
    contextId: Number(item.contextId),
    classId: item.classId,
    instanceId: item.instanceId,
    marketHashName: item.marketHashName,
    name: item.name,
    type: item.type,
    rarity: item.rarity,
    rarityColor: item.rarityColor,
    exterior: item.exterior,
    iconUrl: item.iconUrl,
    floatValue: item.floatValue,
    paintSeed: item.paintSeed,
    stickers: item.stickers,
    inspectLink: item.inspectLink,
  };
}

/**
 * Enriched answers are kept per inventory for a second: prices, stock and the inventory itself
 * are versioned, so within that second only a trade hold or an override that ends mid-second
 * could differ. Under load this turns a cached read into a map lookup.
 */
const RESPONSE_TTL_MS = 1_000;
interface CachedResponse {
  key: string;
  at: number;
  /** Encoded once: writing a 100 kB string with non-ASCII names (★, ™) re-encodes it per request. */
  body: Buffer;
}

function responder(enricher: Enricher, now: () => Date, maxBytes: number) {
  const responses = new ByteLru<string, CachedResponse>(maxBytes);
  return (inv: UserInventory): Buffer => {
    const key = `${inv.fetchedAt.getTime()}:${inv.stale}:${inv.cached}:${enricher.version()}`;
    const hit = responses.get(inv.steamId);
    const t = Date.now();
    if (hit && hit.key === key && t - hit.at < RESPONSE_TTL_MS) return hit.body;
    const body = Buffer.from(JSON.stringify(view(inv, enricher, now())));
    responses.set(inv.steamId, { key, at: t, body }, body.byteLength);
    return body;
  };
}

function view(inv: UserInventory, enricher: Enricher, now: Date) {
  return {
    steamId: inv.steamId,
    fetchedAt: inv.fetchedAt.toISOString(),
    source: inv.source,
    stale: inv.stale,
    cached: inv.cached,
    totalCount: inv.totalCount,
    items: inv.items.map((i) => ({ ...itemView(i), ...enricher.enrich(i, now) })),
  };
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** Documentation of the answer (sent pre-encoded from the response cache, so not used to serialize). */
const inventorySchema = {
  200: {
    type: 'object',
    required: ['steamId', 'fetchedAt', 'source', 'stale', 'cached', 'totalCount', 'items'],
    properties: {
      steamId: { type: 'string' },
      fetchedAt: { type: 'string', format: 'date-time' },
      source: { enum: ['steam', 'fallback'] },
      stale: { type: 'boolean' },
      cached: { type: 'boolean' },
      totalCount: { type: 'integer' },
      items: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: true,
          properties: {
            assetId: { type: 'string' },
            marketHashName: { type: 'string' },
            price: { type: ['integer', 'null'] },
            depositPrice: { type: ['integer', 'null'] },
            withdrawPrice: { type: ['integer', 'null'] },
            tradableNow: { type: 'boolean' },
            tradeHoldUntil: { type: ['string', 'null'] },
            accepted: { type: 'boolean' },
            refusal: { type: ['string', 'null'] },
          },
        },
      },
    },
  },
} as const;

const querySchema = {
  type: 'object',
  properties: { fresh: { type: 'string', enum: ['0', '1', 'true', 'false'] } },
  additionalProperties: false,
} as const;

function wantsFresh(req: FastifyRequest): boolean {
  const fresh = (req.query as { fresh?: string }).fresh;
  return fresh === '1' || fresh === 'true';
}

/**
 * cinv's routes: anyone's inventory by SteamID64 (as the seed's cinvbot serves it), and the
 * signed-in user's own. Both are limited per client IP more tightly than the service default,
 * since each miss costs a Steam request.
 */
export function cinvRoutes(app: FastifyInstance, deps: CinvRouteDeps): void {
  const rateLimit = { max: deps.rateLimit.max, timeWindow: deps.rateLimit.windowMs };
  const now = deps.now ?? (() => new Date());
  const respond = responder(deps.enricher, now, deps.responseCacheBytes);
  app.get(
    '/api/v1/inventories/:steamId',
    {
      config: { rateLimit },
      schema: {
        tags: ['user inventory'],
        summary: "Anyone's CS2 inventory by SteamID64, priced (cached; anonymous Steam reads are budgeted)",
        response: inventorySchema,
        params: {
          type: 'object',
          required: ['steamId'],
          properties: { steamId: { type: 'string', pattern: '^\\d{17}$' } },
        },
        querystring: querySchema,
      },
    },
    async (req, reply) => {
      const { steamId } = req.params as { steamId: string };
      const inv = await deps.inventories.get(steamId, {
        fresh: wantsFresh(req),
        requester: { kind: 'anonymous', ip: req.ip },
      });
      return reply.type(JSON_TYPE).send(respond(inv));
    },
  );
  const guard: onRequestAsyncHookHandler = deps.authGuard ?? (async () => {});
  app.get(
    '/api/v1/me/inventory',
    {
      config: { rateLimit },
      onRequest: guard,
      schema: {
        tags: ['user inventory'],
        summary: "The signed-in user's own CS2 inventory, priced",
        security: [{ session: [] }],
        querystring: querySchema,
        response: inventorySchema,
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      const inv = await deps.inventories.get(user.steamId, {
        fresh: wantsFresh(req),
        requester: { kind: 'user', userId: user.userId },
      });
      return reply.type(JSON_TYPE).send(respond(inv));
    },
  );
}

/**
 * Service to service (behind the internal token): a user's inventory as Steam gave it, not
 * priced (the caller prices with its own price book), no older than `maxAgeMs` when given.
 * `fresh=1` with `requester` (a user id) asks Steam again, limited per requester as the public
 * route is.
 */
export function cinvInternalRoutes(app: FastifyInstance, deps: { inventories: UserInventoryService }): void {
  app.get(
    '/internal/v1/inventories/:steamId',
    {
      schema: {
        summary: "A user's inventory as Steam gave it (not priced), no older than maxAgeMs",
        security: [{ internal: [] }],
        params: {
          type: 'object',
          required: ['steamId'],
          properties: { steamId: { type: 'string', pattern: '^\\d{17}$' } },
        },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            maxAgeMs: { type: 'integer', minimum: 0 },
            fresh: { type: 'string', enum: ['0', '1', 'true', 'false'] },
            requester: { type: 'string', pattern: '^[1-9]\\d{0,19}$' },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['steamId', 'fetchedAt', 'stale', 'totalCount', 'items'],
            properties: {
              steamId: { type: 'string' },
              fetchedAt: { type: 'string' },
              stale: { type: 'boolean' },
              totalCount: { type: 'integer' },
              items: { type: 'array', items: { type: 'object', additionalProperties: true } },
            },
          },
        },
      },
    },
    async (req) => {
      const { steamId } = req.params as { steamId: string };
      const q = req.query as { maxAgeMs?: number; fresh?: string; requester?: string };
      const inv = await deps.inventories.get(steamId, {
        fresh: q.fresh === '1' || q.fresh === 'true',
        requester: { kind: 'user', userId: q.requester ?? 'internal' },
        ...(q.maxAgeMs === undefined ? {} : { maxAgeMs: q.maxAgeMs }),
      });
      return {
        steamId: inv.steamId,
        fetchedAt: inv.fetchedAt.toISOString(),
        stale: inv.stale,
        totalCount: inv.totalCount,
        items: inv.items.map((i) => ({ ...i, tradableAfter: i.tradableAfter?.toISOString() ?? null })),
      };
    },
  );
}
