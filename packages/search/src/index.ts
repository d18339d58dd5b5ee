export * from './port.ts';
export * from './index-row.ts';
export * from './memory-index.ts';
export * from './items.source.ts';
export * from './live-index.ts';
export * from './page-cache.ts';
export * from './opensearch.ts';
export * from './opensearch-feed.ts';
