// The backend's entry for other workspaces' tests and tools (a test of several services
// together, a benchmark); services never import each other at run time.
export { buildApp, type BackendOptions } from './app.ts';
export { loadConfig, type BackendConfig } from './config.ts';
