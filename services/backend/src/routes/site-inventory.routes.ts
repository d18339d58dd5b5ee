import type { FastifyInstance } from 'fastify';
import { AppError } from '@platform/core';
import { itemDetailProperties } from './schemas.ts';
import {
  EXTERIORS,
  MAX_LIMIT,
  SearchQueryError,
  SORTS,
  TRADABLE,
  DEFAULT_LIMIT,
  PageCache,
  type SearchQuery,
  type SiteSearch,
} from '@platform/search';

const counts = { type: 'object', additionalProperties: { type: 'integer' } } as const;
const slugList = (pattern: string) =>
  ({ type: 'array', maxItems: 20, items: { type: 'string', pattern, maxLength: 64 } }) as const;

const querystring = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: { type: 'string', maxLength: 100 },
    minPrice: { type: 'integer', minimum: 0 },
    maxPrice: { type: 'integer', minimum: 0 },
    exterior: { type: 'array', maxItems: 5, items: { enum: EXTERIORS } },
    minFloat: { type: 'number', minimum: 0, maximum: 1 },
    maxFloat: { type: 'number', minimum: 0, maximum: 1 },
    paintSeed: { type: 'integer', minimum: 0, maximum: 100_000 },
    phase: slugList('^[a-z0-9-]+$'),
    rarity: slugList('^[a-z0-9-]+$'),
    type: slugList('^[a-z0-9-]+$'),
    weapon: { type: 'array', maxItems: 20, items: { type: 'string', minLength: 1, maxLength: 64 } },
    statTrak: { type: 'boolean' },
    souvenir: { type: 'boolean' },
    sticker: { type: 'string', minLength: 1, maxLength: 100 },
    tradable: { enum: TRADABLE, default: 'any' },
    maxTradeLockDays: { type: 'integer', minimum: 0, maximum: 30 },
    sort: { enum: SORTS, default: 'price-desc' },
    limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT },
    cursor: { type: 'string', minLength: 1, maxLength: 1024 },
    group: { type: 'boolean', default: false },
    marketHashName: { type: 'string', minLength: 1, maxLength: 255 },
    facets: { type: 'boolean', default: false },
  },
} as const;

/** One schema for both shapes of `items` (an item, or a group card): the serializer stays fast. */
const itemOrGroup = {
  type: 'object',
  properties: {
    assetId: { type: 'string' },
    marketHashName: { type: 'string' },
    name: { type: 'string' },
    price: { type: 'integer' },
    ...itemDetailProperties,
    tradeLockDays: { type: 'integer' },
    count: { type: 'integer' },
    minPrice: { type: 'integer' },
    maxPrice: { type: 'integer' },
  },
} as const;

/**
 * api.md "Site inventory": the bots' items, reserved ones never listed, trade-locked ones with
 * their days left. Public and anonymous; rate limited per client like every public route.
 */
export function siteInventoryRoutes(
  app: FastifyInstance,
  deps: { search: SiteSearch; ready: () => boolean; cacheEntries: number; cacheTtlMs: number },
): void {
  const cache = new PageCache({ maxEntries: deps.cacheEntries, ttlMs: deps.cacheTtlMs });
  app.get<{ Querystring: SearchQuery }>(
    '/api/v1/inventory/site',
    {
      schema: {
        tags: ['inventory'],
        summary:
          'The site inventory: filter, sort, page by cursor; group=true for one card per name, marketHashName for the items of one; facets=true for the filter panel',
        querystring,
        response: {
          200: {
            type: 'object',
            required: ['items', 'nextCursor', 'currency'],
            properties: {
              items: { type: 'array', items: itemOrGroup },
              nextCursor: { type: ['string', 'null'] },
              currency: { const: 'USD' },
              facets: {
                type: 'object',
                properties: {
                  exterior: counts,
                  type: counts,
                  rarity: counts,
                  weapon: counts,
                  phase: counts,
                  statTrak: counts,
                  souvenir: counts,
                  tradable: counts,
                },
              },
            },
          },
        },
      },
    },
    async (req, reply) => {
      if (!deps.ready())
        throw new AppError('DEPENDENCY_UNAVAILABLE', 'The site inventory is loading; try again in a moment.');
      void reply.type('application/json; charset=utf-8');
      const changes = deps.search.changes;
      const now = Date.now();
      const cached = changes === undefined ? undefined : cache.get(req.url, changes, now);
      if (cached) return reply.send(cached);
      try {
        // Serialized here, by the adapter when it can (the in-process index writes a page from
        // fragments it keeps), else by JSON.stringify, several times faster than the schema
        // serializer on 60 items with nullable fields (search bench). The schema above still
        // documents the answer; the contract suite checks both forms are the same answer.
        const text = deps.search.searchJson
          ? await deps.search.searchJson(req.query)
          : JSON.stringify(await deps.search.search(req.query));
        if (changes === undefined || !cache.admit(req.url)) return await reply.send(text);
        const body = Buffer.from(text);
        cache.set(req.url, changes, now, body);
        return await reply.send(body);
      } catch (err) {
        if (err instanceof SearchQueryError)
          throw new AppError('VALIDATION_FAILED', `The request is not valid: ${err.message}`, {
            field: `/querystring/${err.field}`,
          });
        throw err;
      }
    },
  );
}
