import type { FastifyInstance } from 'fastify';
import type { SiteSwitch } from '@platform/http';

/** GET /api/v1/status: whether the site takes trades now. Answers even while it is disabled. */
export function statusRoutes(app: FastifyInstance, deps: { siteSwitch: SiteSwitch }): void {
  app.get(
    '/api/v1/status',
    {
      config: { siteSwitch: 'exempt' },
      schema: {
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
