export * from './errors.ts';
export * from './types.ts';
export * from './trade.client.ts';
export * from './auth.emulator.ts';
export * from './auth.steam-session.ts';
export * from './login-limiter.ts';
export * from './bot-session.ts';
