export * from './validate.ts';
export * from './queues.ts';
export * from './events.ts';
export * from './site-snapshot.ts';
