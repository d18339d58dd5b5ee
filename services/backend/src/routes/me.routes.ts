import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import { noQuerySchema, requireUser } from '@platform/http';
import type { MeService } from '../users/me.service.ts';

const meView = {
  type: 'object',
  required: ['id', 'steamId', 'personaName', 'avatarUrl', 'tradeUrl', 'createdAt'],
  properties: {
    id: { type: 'string' },
    steamId: { type: 'string' },
    personaName: { type: 'string' },
    avatarUrl: { type: 'string' },
    tradeUrl: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
  },
} as const;

/** GET /api/v1/me and PUT /api/v1/me/trade-url, behind the auth guard. */
export function meRoutes(
  app: FastifyInstance,
  deps: { me: MeService; guard: onRequestAsyncHookHandler },
): void {
  app.get(
    '/api/v1/me',
    {
      onRequest: deps.guard,
      schema: {
        tags: ['account'],
        summary: 'The signed-in user: Steam id, persona, avatar, trade URL',
        security: [{ session: [] }],
        querystring: noQuerySchema,
        response: { 200: meView },
      },
    },
    async (req) => deps.me.get(requireUser(req).userId),
  );

  app.put<{ Body: { tradeUrl: string } }>(
    '/api/v1/me/trade-url',
    {
      onRequest: deps.guard,
      schema: {
        tags: ['account'],
        summary: 'Set the trade URL (it must be the signed-in account’s own)',
        security: [{ session: [] }],
        body: {
          type: 'object',
          required: ['tradeUrl'],
          additionalProperties: false,
          properties: { tradeUrl: { type: 'string', minLength: 1, maxLength: 512 } },
        },
        response: { 200: meView },
      },
    },
    async (req) => deps.me.setTradeUrl(requireUser(req).userId, req.body.tradeUrl),
  );
}
