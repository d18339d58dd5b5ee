// `npm start`: the whole platform on this machine. Brings up MariaDB and Redis, applies
// migrations, then runs every service that exists (and the Steam emulator) as child
// processes, prefixes their output, prints their URLs, and stops them all on Ctrl-C.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { colorWanted, formatLogLine, resolveLogFormat } from '@platform/observability';
import { ensureStorefrontBuilt } from '@platform/storefront/build';

interface ServiceSpec {
  name: string;
  entry: string;
  url: string;
  env?: Record<string, string>;
  /** Gets STEAM_API_KEY: the operator's own, or locally one the emulator accepts. */
  needsSteamApiKey?: boolean;
}

const env = process.env;
const EMULATOR_URL = env.STEAM_EMULATOR_URL ?? 'http://127.0.0.1:3090';
/**
 * One token per run for service-to-service calls and /metrics (INTERNAL_TOKEN), unless the
 * operator set one: nothing on this machine can guess it from the source.
 */
const INTERNAL_TOKEN = env.INTERNAL_TOKEN ?? randomBytes(24).toString('base64url');
/**
 * On a terminal the services' JSON lines are shown as readable, coloured lines with the
 * service's name; piped or with LOG_FORMAT=json they pass through as JSON lines.
 */
const pretty = resolveLogFormat(env.LOG_FORMAT) === 'pretty';
const color = pretty && colorWanted();
/**
 * The gateway is the one origin a browser uses: sign-in returns there, the session cookie is
 * set there, and it is the origin the services accept writes from. The services behind it trust
 * the loopback hop for the client's address (TRUST_PROXY).
 */
const GATEWAY_PORT = env.GATEWAY_PORT ?? '8080';
const PUBLIC_URL = env.PUBLIC_URL ?? `http://127.0.0.1:${GATEWAY_PORT}`;
const behindGateway = {
  TRUST_PROXY: env.TRUST_PROXY ?? 'loopback',
  ALLOWED_ORIGINS:
    env.ALLOWED_ORIGINS ??
    [PUBLIC_URL, `http://localhost:${GATEWAY_PORT}`, 'http://127.0.0.1:3000', 'http://localhost:3000'].join(
      ',',
    ),
};
/** Every port can be moved (the browser test runs a whole platform on free ports). */
const SINV_PORT = env.SINV_PORT ?? '3010';
const CINV_PORT = env.CINV_PORT ?? '3011';
const fromEmulator = {
  STEAM_COMMUNITY_URL: env.STEAM_COMMUNITY_URL ?? EMULATOR_URL,
  STEAM_EMULATOR_URL: EMULATOR_URL,
  PRICE_FEED_URL: env.PRICE_FEED_URL ?? `${EMULATOR_URL}/_emulator/prices`,
};
const NAME_COLORS = ['\x1b[36m', '\x1b[35m', '\x1b[34m', '\x1b[33m', '\x1b[32m', '\x1b[96m', '\x1b[95m'];

/** Later services join this list as they land; a missing entry file is skipped. */
const services: ServiceSpec[] = [
  {
    name: 'steam-emulator',
    entry: 'tools/steam-emulator/src/main.ts',
    url: EMULATOR_URL,
    env: { PORT: new URL(EMULATOR_URL).port || '80' },
  },
  {
    name: 'backend',
    entry: 'services/backend/src/main.ts',
    url: `http://127.0.0.1:${env.BACKEND_PORT ?? '3000'}`,
    env: {
      PORT: env.BACKEND_PORT ?? '3000',
      ...behindGateway,
      CINV_URL: env.CINV_URL ?? `http://127.0.0.1:${CINV_PORT}`,
    },
  },
  {
    // sinv: the site inventory from the emulator's bots (seeded into `bots` at start), prices.
    name: 'sinv',
    entry: 'services/inventory/src/main.ts',
    url: `http://127.0.0.1:${SINV_PORT}`,
    env: { INVENTORY_ROLE: 'sinv', SINV_PORT, EMULATOR_SEED_BOTS: 'true', ...fromEmulator },
  },
  {
    // cinv: user inventories, two workers (the seed runs it in PM2 cluster mode).
    name: 'cinv',
    entry: 'services/inventory/src/main.ts',
    url: `http://127.0.0.1:${CINV_PORT}`,
    env: { INVENTORY_ROLE: 'cinv', CINV_PORT, WORKERS: '2', ...fromEmulator },
  },
  {
    name: 'login',
    entry: 'services/login/src/main.ts',
    url: `http://127.0.0.1:${env.LOGIN_PORT ?? '3040'}`,
    env: {
      PORT: env.LOGIN_PORT ?? '3040',
      ...behindGateway,
      LOGIN_PUBLIC_URL: env.LOGIN_PUBLIC_URL ?? PUBLIC_URL,
      LOGIN_DEFAULT_REDIRECT: env.LOGIN_DEFAULT_REDIRECT ?? `${PUBLIC_URL}/`,
      STEAM_OPENID_URL: `${EMULATOR_URL}/openid/login`,
      STEAM_WEB_API_URL: EMULATOR_URL,
    },
    needsSteamApiKey: true,
  },
  {
    // Live updates (Socket.IO), reached by browsers through the gateway's /socket.io.
    name: 'socket',
    entry: 'services/socket/src/main.ts',
    url: `http://127.0.0.1:${env.SOCKET_PORT ?? '3020'}`,
    env: { PORT: env.SOCKET_PORT ?? '3020', ...behindGateway },
  },
  {
    // The bot fleet: logs the emulator's bots in, sends, confirms and follows the offers, settles through the backend.
    name: 'tradebot',
    entry: 'services/tradebot/src/main.ts',
    url: `http://127.0.0.1:${env.TRADEBOT_PORT ?? '3100'}`,
    env: {
      PORT: env.TRADEBOT_PORT ?? '3100',
      BACKEND_URL: `http://127.0.0.1:${env.BACKEND_PORT ?? '3000'}`,
      STEAM_COMMUNITY_URL: EMULATOR_URL,
      STEAM_WEB_API_URL: EMULATOR_URL,
      STEAM_EMULATOR_URL: EMULATOR_URL,
    },
  },
  {
    // The public origin: the storefront, /api/v1, /auth and /socket.io behind one host:port.
    name: 'gateway',
    entry: 'services/gateway/src/main.ts',
    url: PUBLIC_URL,
    env: {
      PORT: GATEWAY_PORT,
      BACKEND_URL: `http://127.0.0.1:${env.BACKEND_PORT ?? '3000'}`,
      LOGIN_URL: `http://127.0.0.1:${env.LOGIN_PORT ?? '3040'}`,
      SOCKET_URL: `http://127.0.0.1:${env.SOCKET_PORT ?? '3020'}`,
    },
  },
];

function step(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`start: "${cmd} ${args.join(' ')}" failed`);
    process.exit(r.status ?? 1);
  }
}

step('bash', ['scripts/stores.sh']);
step(process.execPath, ['packages/db/src/cli/migrate.ts']);
// The storefront (apps/storefront), built when its sources changed, served by the gateway; locally
// the emulator stands in for Steam's pages it links to.
const gatewaySpec = services.find((x) => x.name === 'gateway');
if (gatewaySpec) {
  gatewaySpec.env = {
    ...gatewaySpec.env,
    STOREFRONT_STEAM_COMMUNITY_URL: env.STOREFRONT_STEAM_COMMUNITY_URL ?? EMULATOR_URL,
    STOREFRONT_EMULATOR_URL: env.STOREFRONT_EMULATOR_URL ?? EMULATOR_URL,
  };
  if (!env.STOREFRONT_DIR) {
    try {
      gatewaySpec.env.STOREFRONT_DIR = await ensureStorefrontBuilt();
    } catch (err) {
      // The API still runs; the gateway then serves a page pointing at it.
      console.error(`start: the storefront did not build: ${(err as Error).message}`);
    }
  }
}

const children = new Map<string, ChildProcess>();
let stopping = false;
let exitCode = 0;

let launched = 0;
function launch(s: ServiceSpec, extraEnv: Record<string, string> = {}): void {
  const child = spawn(process.execPath, [s.entry], {
    env: { ...env, ...s.env, ...extraEnv, INTERNAL_TOKEN, LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.set(s.name, child);
  const label = s.name.padEnd(14);
  const tag = color ? `${NAME_COLORS[launched++ % NAME_COLORS.length]}${label}\x1b[0m` : label;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      process.stdout.write(
        pretty ? `${tag} ${formatLogLine(line, { color, service: false })}\n` : `${line}\n`,
      );
    });
  }
  child.on('exit', (code, signal) => {
    children.delete(s.name);
    if (!stopping) {
      console.error(`start: ${s.name} exited (${signal ?? code}); stopping the rest`);
      stop(1);
    } else if (children.size === 0) process.exit(exitCode);
  });
}

function stop(code: number): void {
  if (stopping) return;
  stopping = true;
  exitCode = code;
  console.log('start: stopping all services');
  for (const c of children.values()) c.kill('SIGTERM');
  if (children.size === 0) process.exit(code);
  setTimeout(() => {
    for (const c of children.values()) c.kill('SIGKILL');
    process.exit(code || 1);
  }, 15_000).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

async function healthy(url: string, timeoutMs = 60_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!stopping && Date.now() < deadline) {
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/**
 * The site's Steam Web API key (GetPlayerSummaries at sign-in). An operator sets STEAM_API_KEY;
 * locally, any key the emulator knows will do, so take a bot's from its control API.
 */
async function steamApiKey(): Promise<string | undefined> {
  if (env.STEAM_API_KEY) return env.STEAM_API_KEY;
  const res = await fetch(`${EMULATOR_URL}/_emulator/accounts?kind=bot`).catch(() => undefined);
  if (!res?.ok) return undefined;
  const body = (await res.json()) as { accounts?: { apiKey?: string }[] } | { apiKey?: string }[];
  const accounts = Array.isArray(body) ? body : (body.accounts ?? []);
  return accounts[0]?.apiKey;
}

const present = services.filter((x) => existsSync(x.entry));
const emulator = present.find((x) => x.name === 'steam-emulator');
// The emulator first: the services read its bots and accounts as they start.
if (emulator) {
  launch(emulator);
  if (!(await healthy(emulator.url))) {
    console.error('start: the Steam emulator did not come up');
    stop(1);
  }
}
const apiKey = present.some((x) => x.needsSteamApiKey) ? await steamApiKey() : undefined;
for (const s of present.filter((x) => x !== emulator && !stopping)) {
  launch(s, s.needsSteamApiKey && apiKey ? { STEAM_API_KEY: apiKey } : {});
}

// Print the URLs once each service answers /healthz.
for (const s of present) {
  if (!(await healthy(s.url))) console.error(`start: ${s.name} does not answer ${s.url}/healthz`);
}
if (!stopping) {
  console.log('\nThe platform is up:');
  for (const s of present.filter((x) => children.has(x.name))) console.log(`  ${s.name.padEnd(16)} ${s.url}`);
  console.log(`Open ${PUBLIC_URL} (the storefront; sign in through Steam there). Ctrl-C stops everything.\n`);
}
