import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import { requireUser } from '@platform/http';
import type { UserItemsService } from '../inventory/user-items.service.ts';
import { userItemSchema } from './schemas.ts';

/** api.md "The user's inventory": priced by the site, with what it accepts and why not. */
export function inventoryRoutes(
  app: FastifyInstance,
  deps: { userItems: UserItemsService; guard: onRequestAsyncHookHandler },
): void {
  app.get<{ Querystring: { fresh?: string } }>(
    '/api/v1/inventory/me',
    {
      onRequest: deps.guard,
      schema: {
        tags: ['inventory'],
        summary: 'Your Steam inventory, priced (what the site pays), with what can be deposited and why not',
        security: [{ session: [] }],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { fresh: { type: 'string', enum: ['true', 'false', '1', '0'] } },
        },
        response: {
          200: {
            type: 'object',
            required: ['items', 'currency', 'fetchedAt', 'stale'],
            properties: {
              items: { type: 'array', items: userItemSchema },
              currency: { const: 'USD' },
              fetchedAt: { type: 'string' },
              stale: { type: 'boolean' },
            },
          },
        },
      },
    },
    async (req) =>
      deps.userItems.inventory(requireUser(req), req.query.fresh === 'true' || req.query.fresh === '1'),
  );
}
