import type { FastifyInstance } from 'fastify';
import type { Enricher } from '@platform/pricing';
import type { SinvJobs } from './sinv.jobs.ts';
import type { BotSnapshot, SnapshotItem, SnapshotStore } from './snapshot.store.ts';

export interface SinvRouteDeps {
  snapshot: SnapshotStore;
  enricher: Enricher;
  now?: () => Date;
}

/**
 * sinv's reads come from the Redis snapshot, not MySQL. Internal (behind the internal token):
 * the public, searchable listing is the backend's `GET /api/v1/inventory/site` (packages/search).
 */
export function sinvRoutes(app: FastifyInstance, deps: SinvRouteDeps): void {
  const now = deps.now ?? (() => new Date());
  app.get(
    '/internal/v1/site-inventory',
    {
      schema: {
        summary: 'The bots’ items from the snapshot, in bot order (offset pages); service to service',
        security: [{ internal: [] }],
        response: {
          200: {
            type: 'object',
            required: ['bots', 'total', 'count', 'items'],
            properties: {
              bots: { type: 'integer' },
              total: { type: 'integer' },
              count: { type: 'integer' },
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    assetId: { type: 'string' },
                    botId: { type: 'integer' },
                    contextId: { type: 'integer' },
                    marketHashName: { type: 'string' },
                    floatValue: { type: ['number', 'null'] },
                    paintSeed: { type: ['integer', 'null'] },
                    stale: { type: 'boolean' },
                    price: { type: ['integer', 'null'] },
                    withdrawPrice: { type: ['integer', 'null'] },
                    tradableNow: { type: 'boolean' },
                    tradeHoldUntil: { type: ['string', 'null'] },
                  },
                },
              },
            },
          },
        },
        querystring: {
          type: 'object',
          properties: {
            botId: { type: 'integer', minimum: 1 },
            // Pages keep an answer bounded: the whole site is 400k items.
            limit: { type: 'integer', minimum: 1, maximum: 5000, default: 1000 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
      },
    },
    async (req) => {
      const { botId, limit, offset } = req.query as { botId?: number; limit: number; offset: number };
      let bots: number;
      let total: number;
      let page: Array<{ s: BotSnapshot; i: SnapshotItem }>;
      if (botId) {
        const s = await deps.snapshot.readBot(botId);
        bots = s ? 1 : 0;
        total = s?.items.length ?? 0;
        page = s ? s.items.slice(offset, offset + limit).map((i) => ({ s, i })) : [];
      } else {
        // Only the bots this page overlaps are decoded, not the whole site per request.
        ({ bots, total, page } = await deps.snapshot.readPage(offset, limit));
      }
      const at = now();
      const items = page.map(({ s, i }) => {
        const tradableAfter = i.tradableAfter === null ? null : new Date(i.tradableAfter * 1000);
        const e = deps.enricher.enrich(
          {
            marketHashName: i.marketHashName,
            typeTag: null,
            category: i.category,
            tradable: i.tradable,
            tradableAfter,
          },
          at,
        );
        return {
          assetId: i.assetId,
          botId: s.botId,
          contextId: i.contextId,
          marketHashName: i.marketHashName,
          floatValue: i.floatValue,
          paintSeed: i.paintSeed,
          stale: s.stale,
          price: e.price,
          withdrawPrice: e.withdrawPrice,
          tradableNow: e.tradableNow,
          tradeHoldUntil: e.tradeHoldUntil,
        };
      });
      return { bots, total, count: items.length, items };
    },
  );
}

/** Service-to-service (behind the internal token): queue a refresh of one bot. */
export function sinvInternalRoutes(app: FastifyInstance, deps: { jobs: SinvJobs }): void {
  app.post(
    '/internal/v1/bots/:botId/refresh',
    {
      config: { bodyless: true },
      schema: {
        summary: "Queue a refresh of one bot's inventory (deduplicated per bot)",
        security: [{ internal: [] }],
        response: {
          202: {
            type: 'object',
            required: ['queued', 'jobId'],
            properties: { queued: { type: 'boolean' }, jobId: { type: ['string', 'null'] } },
          },
        },
        params: {
          type: 'object',
          required: ['botId'],
          properties: { botId: { type: 'integer', minimum: 1 } },
        },
      },
    },
    async (req, reply) => {
      const { botId } = req.params as { botId: number };
      const job = await deps.jobs.refreshBot(botId, 'manual');
      return reply.code(202).send({ queued: true, jobId: job.id ?? null });
    },
  );
}
