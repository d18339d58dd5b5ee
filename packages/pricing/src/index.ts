export * from './config.ts';
export * from './enrich.ts';
export * from './price-book.ts';
export * from './price-reader.ts';
export * from './prices.ts';
