export * from './errors.ts';
export * from './money.ts';
export * from './pricing.ts';
export * from './byte-lru.ts';
export * from './trade-state.ts';
export * from './settlement.ts';
export * from './item-traits.ts';
