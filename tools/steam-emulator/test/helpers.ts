// Harness for the world/inventory/OpenID/session/control tests: a small generated world on port 0, real HTTP.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildEmulatorApp } from '../src/app.ts';
import { generateWorld } from '../src/world/generate.ts';
import type { GenerationParams } from '../src/world/types.ts';
import type { World } from '../src/world/world.ts';

export interface Emulator {
  app: FastifyInstance;
  world: World;
  base: string;
  close(): Promise<void>;
}

export function smallParams(over: Partial<GenerationParams> = {}): GenerationParams {
  return {
    seed: 11,
    bots: 2,
    itemsPerBot: 60,
    users: 3,
    userItemsMin: 20,
    userItemsMax: 40,
    epoch: Math.floor(Date.now() / 1000),
    ...over,
  };
}

export async function startEmulator(
  opts: { world?: World; params?: Partial<GenerationParams>; dataDir?: string } = {},
): Promise<Emulator> {
  const world = opts.world ?? generateWorld(smallParams(opts.params));
  const app = await buildEmulatorApp({ world, dataDir: opts.dataDir });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { app, world, base: `http://127.0.0.1:${port}`, close: () => app.close() };
}

export function cookieHeader(steamid: string, accessToken: string, sessionid = 'abc123'): string {
  return `sessionid=${sessionid}; steamLoginSecure=${encodeURIComponent(`${steamid}||${accessToken}`)}`;
}

export async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

export function postJson(url: string, body: unknown, method = 'POST'): Promise<Response> {
  return fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
