import type { ServiceDefinition } from '@platform/http';
import { createBackend } from './app.ts';
import { loadConfig, type BackendConfig } from './config.ts';

/** The backend's process: the public API, and beside it prices, the outbox relay and the sweeper. */
export const backendService: ServiceDefinition<BackendConfig> = {
  name: 'backend',
  loadConfig,
  async start(ctx, { listen }) {
    const backend = await createBackend(ctx);
    await backend.start();
    await listen(backend.app, ctx.config.http.port);
  },
};
