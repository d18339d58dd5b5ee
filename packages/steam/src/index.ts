export * from './inventory.types.ts';
export * from './inventory.merge.ts';
export * from './inventory.client.ts';
export * from './openid.ts';
export * from './trade/index.ts';
