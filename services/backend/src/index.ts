// The backend's entry for other workspaces' tests and tools (a test of several services
// together, a benchmark); services never import each other at run time.
export { buildApp, createBackend, sweep, type BackendOptions } from './app.ts';
export { loadConfig, type BackendConfig } from './config.ts';
export { backendService } from './service.ts';
