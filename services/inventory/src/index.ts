// The inventory service's entry for other workspaces' tests and tools (benchmarks); services
// never import each other at run time.
export { buildCinvApp, buildSinvApp } from './app.ts';
export { loadConfig, type InventoryConfig } from './config.ts';
export { inventoryService } from './service.ts';
export {
  createCinv,
  createPricing,
  createSinv,
  seedBotsFromEmulator,
  type InventoryContext,
  type Pricing,
} from './runtime.ts';
