import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import { noQuerySchema, requireUser } from '@platform/http';
import type { TradeService } from '../trades/trade.service.ts';
import { cursorQuery, tradeSchema } from './schemas.ts';

const ASSET_IDS = {
  type: 'array',
  maxItems: 200,
  items: { type: 'string', pattern: '^[1-9][0-9]{0,19}$' },
} as const;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,19}$' } },
} as const;

/** api.md "Trades": create (with an Idempotency-Key), read, list, cancel. */
export function tradesRoutes(
  app: FastifyInstance,
  deps: { trades: TradeService; guard: onRequestAsyncHookHandler },
): void {
  const { trades, guard } = deps;
  app.post<{ Body: { give?: string[]; receive?: string[] } }>(
    '/api/v1/trades',
    {
      onRequest: guard,
      schema: {
        tags: ['trades'],
        summary: 'Create a trade: give items from your Steam inventory, receive items from the site',
        description:
          'Requires an Idempotency-Key header: the same key with the same body answers the trade it created; ' +
          'with another body, 409 IDEMPOTENCY_KEY_REUSED. Prices are set by the server.',
        security: [{ session: [] }],
        headers: {
          type: 'object',
          properties: {
            'idempotency-key': { type: 'string', minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9._:-]+$' },
          },
        },
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { give: ASSET_IDS, receive: ASSET_IDS },
        },
        response: { 201: tradeSchema },
      },
    },
    async (req, reply) => {
      const key = req.headers['idempotency-key'];
      const { trade, replayed } = await trades.create(
        requireUser(req),
        { give: req.body.give ?? [], receive: req.body.receive ?? [] },
        typeof key === 'string' ? key : undefined,
      );
      if (replayed) void reply.header('idempotent-replayed', 'true');
      return reply.status(201).send(trade);
    },
  );

  app.get<{ Querystring: { limit: number; cursor?: string } }>(
    '/api/v1/trades',
    {
      onRequest: guard,
      config: { siteSwitch: 'exempt' },
      schema: {
        tags: ['trades'],
        summary: 'Your trades, newest first',
        security: [{ session: [] }],
        querystring: cursorQuery,
        response: {
          200: {
            type: 'object',
            required: ['items', 'nextCursor'],
            properties: {
              items: { type: 'array', items: tradeSchema },
              nextCursor: { type: ['string', 'null'] },
            },
          },
        },
      },
    },
    async (req) => trades.list(requireUser(req).userId, req.query.limit, req.query.cursor),
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/trades/:id',
    {
      onRequest: guard,
      config: { siteSwitch: 'exempt' },
      schema: {
        tags: ['trades'],
        summary: 'One of your trades',
        security: [{ session: [] }],
        params: idParams,
        querystring: noQuerySchema,
        response: { 200: tradeSchema },
      },
    },
    async (req) => trades.get(requireUser(req).userId, req.params.id),
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/trades/:id/cancel',
    {
      onRequest: guard,
      // Canceling stays possible while the site is disabled: it only gives back.
      config: { siteSwitch: 'exempt', bodyless: true },
      schema: {
        tags: ['trades'],
        summary: 'Cancel a trade while none of its offers was accepted',
        security: [{ session: [] }],
        params: idParams,
        response: { 200: tradeSchema },
      },
    },
    async (req) => trades.cancel(requireUser(req).userId, req.params.id),
  );
}
