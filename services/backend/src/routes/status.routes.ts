import type { FastifyInstance } from 'fastify';
import { noQuerySchema, type SiteSwitch } from '@platform/http';

/** GET /api/v1/status: whether the site takes trades now. Answers even while it is disabled. */
export function statusRoutes(app: FastifyInstance, deps: { siteSwitch: SiteSwitch }): void {
  app.get(
    '/api/v1/status',
    {
      config: { siteSwitch: 'exempt' },
      schema: {
        tags: ['site'],
        summary: 'Whether the site takes trades now (answers while it is disabled)',
        querystring: noQuerySchema,
        response: {
          200: {
            type: 'object',
            required: ['siteEnabled', 'time'],
            properties: { siteEnabled: { type: 'boolean' }, time: { type: 'string' } },
          },
        },
      },
    },
    async () => ({ siteEnabled: !(await deps.siteSwitch.isDisabled()), time: new Date().toISOString() }),
  );
}
