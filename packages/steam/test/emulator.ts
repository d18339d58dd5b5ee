// Starts the Steam emulator in-process on port 0 with a small generated world (tests only).
import type { AddressInfo } from 'node:net';
import { buildEmulatorApp, generateWorld, type World } from '@platform/steam-emulator';

export interface EmulatorHandle {
  world: World;
  url: URL;
  close(): Promise<void>;
}

export async function startEmulator(
  params: { seed?: number; bots?: number; itemsPerBot?: number; users?: number } = {},
) {
  const world = generateWorld({
    seed: params.seed ?? 11,
    bots: params.bots ?? 2,
    itemsPerBot: params.itemsPerBot ?? 120,
    users: params.users ?? 3,
    userItemsMin: 30,
    userItemsMax: 60,
    epoch: Math.floor(Date.now() / 1000),
  });
  const app = await buildEmulatorApp({ world });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    world,
    url: new URL(`http://127.0.0.1:${port}/`),
    close: () => app.close(),
  } satisfies EmulatorHandle;
}

/** The account's steamLoginSecure cookie value, as the emulator's control API gives it. */
export async function cookieOf(url: URL, steamId: string): Promise<string> {
  const res = await fetch(new URL(`_emulator/accounts/${steamId}`, url));
  const body = (await res.json()) as { steamLoginSecure: string };
  return body.steamLoginSecure;
}

export async function setFault(url: URL, name: string, rule: Record<string, unknown>): Promise<void> {
  await fetch(new URL(`_emulator/faults/${name}`, url), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(rule),
  });
}

export async function clearFaults(url: URL): Promise<void> {
  await fetch(new URL('_emulator/faults', url), { method: 'DELETE' });
}
