import type { FastifyInstance } from 'fastify';
import { AppError } from '@platform/core';
import type { BotRepository } from '../fleet/bot.repository.ts';
import type { Fleet } from '../fleet/fleet.service.ts';

const bot = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    steamId: { type: 'string' },
    accountName: { type: 'string' },
    status: { type: 'string' },
    health: { type: 'string' },
    tier: { type: 'string' },
    itemCount: { type: 'integer' },
    capacity: { type: 'integer' },
    steamErrors: { type: 'integer' },
    pausedReason: { type: ['string', 'null'] },
    heartbeatAt: { type: ['string', 'null'] },
    leaseOwner: { type: ['string', 'null'] },
    heldHere: { type: 'boolean' },
  },
} as const;
const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1 } },
} as const;

/** The fleet's internal API (the admin API will call it): bots and their state, pause and resume. */
export function botsRoutes(app: FastifyInstance, deps: { repo: BotRepository; fleet: Fleet }): void {
  const view = async (ids?: number[]) =>
    (await deps.repo.bots(ids)).map((b) => ({
      ...b,
      heartbeatAt: b.heartbeatAt?.toISOString() ?? null,
      heldHere: deps.fleet.owns(b.id),
    }));
  app.get(
    '/internal/v1/bots',
    {
      schema: {
        summary: 'Every bot with its status, health, tier, inventory count and holder',
        security: [{ internal: [] }],
        querystring: { type: 'object', additionalProperties: false, properties: {} },
        response: { 200: { type: 'object', properties: { bots: { type: 'array', items: bot } } } },
      },
    },
    async () => ({ bots: await view() }),
  );
  app.post<{ Params: { id: number }; Body: { reason?: string } | undefined }>(
    '/internal/v1/bots/:id/pause',
    {
      schema: {
        summary: 'Pause a bot: it gets no new work; offers in flight are still followed',
        security: [{ internal: [] }],
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { reason: { type: 'string', maxLength: 255 } },
        },
        response: { 200: bot },
      },
    },
    async (req) => {
      if (!(await deps.repo.setStatus(req.params.id, 'paused', req.body?.reason ?? 'paused by an operator')))
        throw new AppError('NOT_FOUND', 'There is no such bot.');
      return (await view([req.params.id]))[0];
    },
  );
  app.post<{ Params: { id: number } }>(
    '/internal/v1/bots/:id/resume',
    {
      config: { bodyless: true },
      schema: {
        summary: 'Resume a paused bot',
        security: [{ internal: [] }],
        params: idParams,
        response: { 200: bot },
      },
    },
    async (req) => {
      if (!(await deps.repo.setStatus(req.params.id, 'active', null)))
        throw new AppError('NOT_FOUND', 'There is no such bot.');
      return (await view([req.params.id]))[0];
    },
  );
}
