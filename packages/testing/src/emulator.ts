// The Steam emulator in-process on port 0 with a small generated world: every workspace's tests
// talk to it over real HTTP, as the platform talks to Steam.
import type { AddressInfo } from 'node:net';
import { buildEmulatorApp, generateWorld, type World } from '@platform/steam-emulator';

export interface EmulatorParams {
  seed?: number;
  bots?: number;
  itemsPerBot?: number;
  users?: number;
  userItemsMin?: number;
  userItemsMax?: number;
  /** Unix seconds that cooldown dates derive from; now by default. */
  epoch?: number;
}

export interface Emulator {
  world: World;
  /** Base URL with a trailing slash (`new URL('inventory/…', emu.url)`). */
  url: URL;
  /** The same without the trailing slash (`${emu.base}/openid/login`). */
  base: string;
  /** A call to the control API (`/_emulator/...`), answering the parsed JSON body. */
  control(method: string, path: string, body?: unknown): Promise<unknown>;
  /** An account's ready steamLoginSecure cookie value. */
  cookieOf(steamId: string): Promise<string>;
  setFault(name: string, rule: Record<string, unknown>): Promise<void>;
  clearFaults(): Promise<void>;
  close(): Promise<void>;
}

export async function startEmulator(params: EmulatorParams = {}): Promise<Emulator> {
  const world = generateWorld({
    seed: params.seed ?? 11,
    bots: params.bots ?? 2,
    itemsPerBot: params.itemsPerBot ?? 60,
    users: params.users ?? 3,
    userItemsMin: params.userItemsMin ?? 20,
    userItemsMax: params.userItemsMax ?? 40,
    epoch: params.epoch ?? Math.floor(Date.now() / 1000),
  });
  const app = await buildEmulatorApp({ world });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  const url = new URL(`${base}/`);
  const control = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(new URL(path.replace(/^\//, ''), url), {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator ${method} ${path} answered ${res.status}: ${text.slice(0, 200)}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
  return {
    world,
    url,
    base,
    control,
    async cookieOf(steamId) {
      return ((await control('GET', `_emulator/accounts/${steamId}`)) as { steamLoginSecure: string })
        .steamLoginSecure;
    },
    async setFault(name, rule) {
      await control('PUT', `_emulator/faults/${name}`, rule);
    },
    async clearFaults() {
      await control('DELETE', '_emulator/faults');
    },
    close: () => app.close(),
  };
}
