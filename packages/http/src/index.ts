export * from './app.ts';
export * from './errors.ts';
export * from './site-switch.ts';
export * from './shutdown.ts';
export * from './cluster.ts';
export * from './sessions.ts';
export * from './csrf.ts';
export * from './auth.ts';
