export * from './schema.ts';
export * from './pool.ts';
export * from './migrate.ts';
export * from './settings.repository.ts';
export { mainMigrations, pricingMigrations } from './migrations/index.ts';
export * from './redis.ts';
export * from './transact.ts';
export * from './ids.ts';
