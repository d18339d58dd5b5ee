export * from './openid.ts';
