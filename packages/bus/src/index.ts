export * from './validate.ts';
export * from './queues.ts';
export * from './events.ts';
export * from './catalog.ts';
export * from './keys.ts';
export * from './bus.ts';
export * from './site-snapshot.ts';
export * from './outbox.ts';
