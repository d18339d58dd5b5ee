// Test harness: the Steam emulator served on port 0 (no mocks of Steam), real MariaDB and Redis,
// and a small cookie-carrying client for app.inject and for real HTTP.
import type { FastifyInstance } from 'fastify';
import {
  buildTestApp,
  startEmulator as startSharedEmulator,
  startStores,
  uniquePrefix as sharedPrefix,
  type Emulator,
  type Stores,
} from '@platform/testing';
import type { Logger } from '@platform/observability';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

export const SITE = 'https://site.test';
export const LOGIN_PUBLIC_URL = 'https://login.site.test';

/** A small world: one bot, three users with a few items each. */
export function startEmulator(): Promise<Emulator> {
  return startSharedEmulator({
    seed: 11,
    bots: 1,
    itemsPerBot: 5,
    users: 3,
    userItemsMin: 1,
    userItemsMax: 3,
  });
}

export { startStores, type Emulator, type Stores };

/** A unique key prefix per test, so tests never see each other's keys, queues or channels. */
export const uniquePrefix = (): string => sharedPrefix('test');

export interface LoginAppOptions {
  env?: Record<string, string>;
  now?: () => number;
  logger?: Logger;
}

/** The login service against the emulator; the env decides the rest (prefix shared when given). */
export async function loginApp(stores: Stores, emulator: Emulator, opts: LoginAppOptions = {}) {
  const apiKey = emulator.world.bots()[0]?.apiKey ?? '';
  const { app, ctx } = await buildTestApp(loadConfig, (c) => buildApp(c, opts.now ? { now: opts.now } : {}), {
    stores,
    ...(opts.logger ? { logger: opts.logger } : {}),
    env: {
      STEAM_OPENID_URL: `${emulator.base}/openid/login`,
      STEAM_WEB_API_URL: emulator.base,
      STEAM_API_KEY: apiKey,
      LOGIN_PUBLIC_URL,
      LOGIN_DEFAULT_REDIRECT: `${SITE}/`,
      ALLOWED_ORIGINS: `${SITE},https://app.site.test:8443`,
      SESSION_CACHE_MS: '0',
      ...opts.env,
    },
  });
  return { app, config: ctx.config, ctx };
}

/** name=value pairs from Set-Cookie headers (attributes dropped; an expired cookie maps to ''). */
export function setCookies(headers: Record<string, unknown> | Headers): Map<string, string> {
  const raw =
    headers instanceof Headers ? headers.getSetCookie() : ([headers['set-cookie'] ?? []].flat() as string[]);
  const out = new Map<string, string>();
  for (const line of raw) {
    const [pair = ''] = line.split(';');
    const eq = pair.indexOf('=');
    out.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  return out;
}

export function cookieHeader(cookies: Map<string, string>): string {
  return [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
}

/**
 * A started sign-in: our state cookie, and the callback Steam (the emulator, auto-approving
 * `steamid`) sends the browser to, as a path with its query.
 */
export async function harvestCallback(
  app: FastifyInstance,
  emulator: Emulator,
  steamid: string,
  returnTo = `${SITE}/trade`,
): Promise<{ cookies: Map<string, string>; callback: URL }> {
  await approveAs(emulator, steamid);
  const start = await app.inject(`/auth/steam?returnTo=${encodeURIComponent(returnTo)}`);
  if (start.statusCode !== 302) throw new Error(`start answered ${start.statusCode}: ${start.body}`);
  const cookies = setCookies(start.headers);
  const atSteam = await fetch(start.headers.location as string, { redirect: 'manual' });
  const location = atSteam.headers.get('location');
  if (atSteam.status !== 302 || location === null) throw new Error(`emulator answered ${atSteam.status}`);
  return { cookies, callback: new URL(location) };
}

export async function approveAs(emulator: Emulator, steamid: string | null): Promise<void> {
  const res = await fetch(`${emulator.base}/_emulator/openid/auto`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ steamid }),
  });
  if (!res.ok) throw new Error(`auto-approve failed: ${res.status}`);
}

export async function finish(app: FastifyInstance, callback: URL | string, cookies: Map<string, string>) {
  const url = typeof callback === 'string' ? callback : `${callback.pathname}${callback.search}`;
  return app.inject({ method: 'GET', url, headers: { cookie: cookieHeader(cookies) } });
}
