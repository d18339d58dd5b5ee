import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import { noQuerySchema, requireUser } from '@platform/http';
import type { BalanceService } from '../balance/balance.service.ts';
import { cursorQuery } from './schemas.ts';

/** api.md "Balance": the balance with its protected part, and the ledger. */
export function balanceRoutes(
  app: FastifyInstance,
  deps: { balance: BalanceService; guard: onRequestAsyncHookHandler },
): void {
  const exempt = { siteSwitch: 'exempt' as const };
  app.get(
    '/api/v1/balance',
    {
      onRequest: deps.guard,
      config: exempt,
      schema: {
        tags: ['balance'],
        summary: 'Your balance: amount, the part still trade-protected, and any debt',
        security: [{ session: [] }],
        querystring: noQuerySchema,
        response: {
          200: {
            type: 'object',
            required: ['amount', 'protected', 'currency'],
            properties: {
              amount: { type: 'integer' },
              protected: { type: 'integer' },
              debt: { type: 'integer' },
              currency: { const: 'USD' },
              protectedUntil: { type: ['string', 'null'] },
            },
          },
        },
      },
    },
    async (req) => deps.balance.view(requireUser(req).userId),
  );
  app.get<{ Querystring: { limit: number; cursor?: string } }>(
    '/api/v1/balance/ledger',
    {
      onRequest: deps.guard,
      config: exempt,
      schema: {
        tags: ['balance'],
        summary: 'Every change of your balance, newest first',
        security: [{ session: [] }],
        querystring: cursorQuery,
        response: {
          200: {
            type: 'object',
            required: ['items', 'nextCursor'],
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['id', 'delta', 'balanceAfter', 'reason', 'tradeId', 'createdAt'],
                  properties: {
                    id: { type: 'string' },
                    delta: { type: 'integer' },
                    balanceAfter: { type: 'integer' },
                    reason: { type: 'string' },
                    tradeId: { type: ['string', 'null'] },
                    protectedUntil: { type: ['string', 'null'] },
                    note: { type: ['string', 'null'] },
                    createdAt: { type: 'string' },
                  },
                },
              },
              nextCursor: { type: ['string', 'null'] },
            },
          },
        },
      },
    },
    async (req) => deps.balance.ledger(requireUser(req).userId, req.query.limit, req.query.cursor),
  );
}
