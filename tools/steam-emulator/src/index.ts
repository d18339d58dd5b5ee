export { buildEmulatorApp } from './app.ts';
export type { EmulatorAppOptions } from './app.ts';
export { World } from './world/world.ts';
export { generateWorld, DEFAULT_PARAMS } from './world/generate.ts';
export { saveWorld, readSnapshot, restoreWorld, snapshotPath } from './world/persistence.ts';
export type * from './world/types.ts';
export { priceFeed, type PriceRow } from './control/prices.ts';
