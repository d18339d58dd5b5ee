import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { AppError } from '@platform/core';
import type { MainDatabase } from '@platform/db';
import type { SettlementService } from '../trades/settlement.service.ts';
import type { TradeRepository } from '../trades/trade.repository.ts';
import { tradeSchema } from './schemas.ts';

const ID = { type: 'string', pattern: '^[1-9][0-9]{0,19}$' } as const;
const offerParams = {
  type: 'object',
  required: ['id', 'offerId'],
  properties: { id: ID, offerId: ID },
} as const;
const ok = {
  200: { type: 'object', properties: { ok: { type: 'boolean' }, cancel: { type: 'boolean' } } },
} as const;

/**
 * The tradebot's side of a trade (service to service, behind INTERNAL_TOKEN): the plan to carry
 * out, and its reports. Each report applies exactly once, however often it is sent (docs:
 * services/backend/README.md "Settlement").
 */
export function settlementRoutes(
  app: FastifyInstance,
  deps: { db: Kysely<MainDatabase>; trades: TradeRepository; settlement: SettlementService },
): void {
  const { settlement } = deps;
  app.get<{ Params: { id: string } }>(
    '/internal/v1/trades/:id',
    {
      schema: {
        summary: 'A trade to carry out: its offers, items, the partner and the verification code',
        security: [{ internal: [] }],
        params: { type: 'object', required: ['id'], properties: { id: ID } },
        querystring: { type: 'object', additionalProperties: false, properties: {} },
        response: {
          200: {
            type: 'object',
            properties: {
              trade: tradeSchema,
              partner: {
                type: 'object',
                properties: {
                  userId: { type: 'string' },
                  steamId: { type: 'string' },
                  tradeUrl: { type: ['string', 'null'] },
                },
              },
              offers: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'string' },
                    botId: { type: ['integer', 'null'] },
                    state: { type: 'string' },
                    steamOfferId: { type: ['string', 'null'] },
                    give: { type: 'array', items: { type: 'object', additionalProperties: true } },
                    receive: { type: 'array', items: { type: 'object', additionalProperties: true } },
                  },
                },
              },
            },
          },
        },
      },
    },
    async (req) => {
      const [trade] = await deps.trades.views(deps.db, [req.params.id]);
      if (!trade) throw new AppError('NOT_FOUND', 'There is no such trade.');
      const row = await deps.db
        .selectFrom('trades as t')
        .innerJoin('users as u', 'u.id', 't.user_id')
        .select(['u.id', 'u.steam_id', 'u.trade_partner_id', 'u.trade_token'])
        .where('t.id', '=', req.params.id)
        .executeTakeFirstOrThrow();
      const [offers, items] = await Promise.all([
        deps.trades.offers(deps.db, req.params.id),
        deps.trades.items(deps.db, req.params.id),
      ]);
      const side = (offerId: string, s: 'user_gives' | 'user_receives') =>
        items
          .filter((i) => i.offer_id === offerId && i.side === s)
          .map((i) => ({ assetId: i.asset_id, contextId: i.context_id, marketHashName: i.market_hash_name }));
      return {
        trade,
        partner: {
          userId: row.id,
          steamId: row.steam_id,
          tradeUrl:
            row.trade_partner_id && row.trade_token
              ? `https://steamcommunity.com/tradeoffer/new/?partner=${row.trade_partner_id}&token=${row.trade_token}`
              : null,
        },
        offers: offers.map((o) => ({
          id: o.id,
          botId: o.bot_id,
          state: o.state,
          steamOfferId: o.steam_offer_id,
          give: side(o.id, 'user_gives'),
          receive: side(o.id, 'user_receives'),
        })),
      };
    },
  );

  app.post<{ Params: { id: string; offerId: string }; Body: { botId: number } }>(
    '/internal/v1/trades/:id/offers/:offerId/intent',
    {
      schema: {
        summary: 'The tradebot is about to send this offer from this bot (recorded before Steam is asked)',
        security: [{ internal: [] }],
        params: offerParams,
        body: {
          type: 'object',
          required: ['botId'],
          additionalProperties: false,
          properties: { botId: { type: 'integer', minimum: 1 } },
        },
        response: ok,
      },
    },
    async (req) => {
      await settlement.recordIntent(req.params.id, req.params.offerId, req.body.botId);
      return { ok: true };
    },
  );

  app.post<{ Params: { id: string; offerId: string }; Body: { steamOfferId: string } }>(
    '/internal/v1/trades/:id/offers/:offerId/sent',
    {
      schema: {
        summary: 'Steam took the offer; `cancel: true` in the answer asks the tradebot to cancel it',
        security: [{ internal: [] }],
        params: offerParams,
        body: {
          type: 'object',
          required: ['steamOfferId'],
          additionalProperties: false,
          properties: { steamOfferId: ID },
        },
        response: ok,
      },
    },
    async (req) => ({
      ok: true,
      ...(await settlement.recordSent(req.params.id, req.params.offerId, req.body.steamOfferId)),
    }),
  );

  app.post<{
    Params: { id: string; offerId: string };
    Body: {
      steamTradeId?: string;
      received?: Array<{ assetId: string; newAssetId: string; newContextId?: number }>;
    };
  }>(
    '/internal/v1/trades/:id/offers/:offerId/accepted',
    {
      schema: {
        summary: 'The user accepted the offer: items moved (with the new asset ids of what the user gave)',
        security: [{ internal: [] }],
        params: offerParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            steamTradeId: ID,
            received: {
              type: 'array',
              items: {
                type: 'object',
                required: ['assetId', 'newAssetId'],
                additionalProperties: false,
                properties: { assetId: ID, newAssetId: ID, newContextId: { type: 'integer', enum: [2, 16] } },
              },
            },
          },
        },
        response: ok,
      },
    },
    async (req) => {
      await settlement.recordAccepted(req.params.id, req.params.offerId, req.body);
      return { ok: true };
    },
  );

  app.post<{
    Params: { id: string; offerId: string };
    Body: { state: 'declined' | 'expired' | 'canceled' | 'failed'; reason?: string };
  }>(
    '/internal/v1/trades/:id/offers/:offerId/ended',
    {
      schema: {
        summary: 'The offer ended without being accepted: its items are released and its hold returned',
        security: [{ internal: [] }],
        params: offerParams,
        body: {
          type: 'object',
          required: ['state'],
          additionalProperties: false,
          properties: {
            state: { enum: ['declined', 'expired', 'canceled', 'failed'] },
            reason: { type: 'string', maxLength: 48, pattern: '^[a-z0-9_:-]+$' },
          },
        },
        response: ok,
      },
    },
    async (req) => {
      await settlement.recordEnded(req.params.id, req.params.offerId, req.body.state, req.body.reason);
      return { ok: true };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/internal/v1/trades/:id/reversed',
    {
      config: { bodyless: true },
      schema: {
        summary: "Steam's trade protection reversed this completed trade",
        security: [{ internal: [] }],
        params: { type: 'object', required: ['id'], properties: { id: ID } },
        response: ok,
      },
    },
    async (req) => {
      await settlement.recordReversed(req.params.id);
      return { ok: true };
    },
  );
}
