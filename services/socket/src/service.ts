import type { ServiceDefinition } from '@platform/http';
import { createSocketServer } from './app.ts';
import { loadConfig, type SocketConfig } from './config.ts';

/** The socket server's process: Socket.IO on the service's port, and the sequencer beside it. */
export const socketService: ServiceDefinition<SocketConfig> = {
  name: 'socket',
  loadConfig,
  async start(ctx, { listen }) {
    const server = await createSocketServer(ctx);
    await server.start();
    await listen(server.app, ctx.config.http.port);
  },
};
