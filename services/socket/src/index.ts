// The socket server's entry for other workspaces' tests and tools (the gateway's test, the bench).
export { buildApp, createSocketServer, type SocketServer } from './app.ts';
export { loadConfig, type SocketConfig } from './config.ts';
export { socketService } from './service.ts';
export { CONSUMED } from './live/sequencer.ts';
export { USER_EVENTS, SITE_EVENTS, type LiveMessage } from './live/events.ts';
