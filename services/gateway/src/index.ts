// The gateway's entry for other workspaces' tests and tools.
export { buildApp } from './app.ts';
export { loadConfig, type GatewayConfig } from './config.ts';
