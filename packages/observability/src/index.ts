export * from './context.ts';
export * from './logger.ts';
export * from './metrics.ts';
export * from './tracing.ts';
export * from './pretty.ts';
