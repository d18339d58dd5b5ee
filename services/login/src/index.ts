// The login service as a package, for tests that run several services together.
export { buildApp, type LoginOptions } from './app.ts';
export { loadConfig, type LoginConfig } from './config.ts';
