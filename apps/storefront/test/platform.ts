// The whole platform as `npm start` runs it (scripts/start.ts: the emulator, every service that
// exists, the gateway serving the storefront), on free ports, fresh databases, a Redis key
// prefix and an emulator world of its own, for the browser suite. Services that land later
// (socket, tradebot) join through start.ts without a change here.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { deleteByPrefix } from '@platform/db';
import { freePort, startStores, uniquePrefix, type Stores } from '@platform/testing';

export const REPO = resolve(import.meta.dirname, '../../..');
export const ARTIFACTS = join(REPO, 'artifacts');
export const SCREENSHOTS = join(ARTIFACTS, 'screenshots');

export interface EmulatorAccount {
  steamid: string;
  persona: string;
  tradeUrl: string;
  accountId: number;
  kind?: string;
  /** Days Steam holds this account's trades (no mobile authenticator): 0 when none. */
  escrowDays?: number;
  /** Empty when the account has no mobile authenticator: Steam then holds its trades 15 days. */
  sharedSecret?: string;
}

export interface Platform {
  /** The public origin (the gateway). */
  origin: string;
  emulator: string;
  /** How long the site search was waited for and stayed empty after start (0: it has items). */
  siteEmptyFor: number;
  /** Which optional services run (their entry file exists). */
  has: { socket: boolean; tradebot: boolean };
  users(): Promise<EmulatorAccount[]>;
  close(): Promise<void>;
}

/** Debian's Chromium (scripts/chromium.sh installs it when missing). */
export function chromiumPath(): string {
  const which = () => spawnSync('bash', ['-c', 'command -v chromium'], { encoding: 'utf8' }).stdout.trim();
  let path = which();
  if (!path) {
    const r = spawnSync('bash', [join(REPO, 'scripts/chromium.sh')], { stdio: 'inherit' });
    if (r.status !== 0)
      throw new Error('Chromium is missing and could not be installed (scripts/chromium.sh)');
    path = which();
  }
  return path;
}

export async function startPlatform(name: string): Promise<Platform> {
  const stores: Stores = await startStores();
  const dataDir = mkdtempSync(join(tmpdir(), 'storefront-emulator-'));
  const port = async () => String(await freePort());
  const ports = {
    emulator: await port(),
    backend: await port(),
    sinv: await port(),
    cinv: await port(),
    login: await port(),
    gateway: await port(),
    socket: await port(),
    tradebot: await port(),
  };
  const origin = `http://127.0.0.1:${ports.gateway}`;
  const redisPrefix = uniquePrefix('storefront');
  const emulator = `http://127.0.0.1:${ports.emulator}`;
  mkdirSync(ARTIFACTS, { recursive: true });
  const log = createWriteStream(join(ARTIFACTS, `${name}.platform.log`));
  const child: ChildProcess = spawn(process.execPath, ['scripts/start.ts'], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      LOG_FORMAT: 'json',
      LOG_LEVEL: process.env.PLATFORM_LOG_LEVEL ?? 'info',
      NODE_ENV: 'development',
      MYSQL_DATABASE: stores.dbs.settings.database,
      PRICING_DATABASE: stores.dbs.settings.pricingDatabase,
      REDIS_KEY_PREFIX: redisPrefix,
      EMULATOR_DATA_DIR: dataDir,
      STEAM_EMULATOR_URL: emulator,
      BACKEND_PORT: ports.backend,
      SINV_PORT: ports.sinv,
      CINV_PORT: ports.cinv,
      LOGIN_PORT: ports.login,
      GATEWAY_PORT: ports.gateway,
      SOCKET_PORT: ports.socket,
      SOCKET_URL: `http://127.0.0.1:${ports.socket}`,
      TRADEBOT_PORT: ports.tradebot,
      // Reversals are looked for every second, not every 10 minutes: the suite reverses a trade.
      TRADEBOT_REVERSAL_CHECK_MS: '1000',
      // Prices every few seconds is plenty for a test; the rest keeps its defaults.
      RATE_LIMIT_MAX: '100000',
    },
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      log.write(`${line}\n`);
      lines.push(line);
    });
  }
  const up = await new Promise<boolean>((resolveUp) => {
    const timer = setTimeout(() => resolveUp(false), 180_000);
    const check = setInterval(() => {
      if (lines.some((l) => l.startsWith('The platform is up'))) {
        clearInterval(check);
        clearTimeout(timer);
        resolveUp(true);
      }
    }, 200);
    void exited.then(() => {
      clearInterval(check);
      clearTimeout(timer);
      resolveUp(false);
    });
  });
  let closing: Promise<void> | undefined;
  let siteEmptyFor = 0;
  const close = (): Promise<void> => (closing ??= shutDown());
  const shutDown = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    log.end();
    rmSync(dataDir, { recursive: true, force: true });
    // The services leave their keys (queues, sessions, streams): this run's prefix goes with it.
    await deleteByPrefix(stores.redis, redisPrefix).catch(() => {});
    await stores.close();
  };
  try {
    // Up is "answers /healthz"; a person's first page wants prices and the search loaded: wait
    // for the backend's and sinv's /readyz as a load balancer would.
    const ready = async (url: string) => {
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline) {
        const status = await fetch(url).then(
          (r) => r.status,
          () => 0,
        );
        if (status === 200) return true;
        await new Promise((r) => setTimeout(r, 250));
      }
      return false;
    };
    const readyAll =
      up &&
      (await ready(`http://127.0.0.1:${ports.backend}/readyz`)) &&
      (await ready(`http://127.0.0.1:${ports.sinv}/readyz`));
    if (!readyAll) {
      throw new Error(
        `the platform did not come up${up ? ' ready' : ''}; see artifacts/${name}.platform.log:\n${lines.slice(-30).join('\n')}`,
      );
    }
    // The bots' items reach the search after sinv's first refresh and price import: a fresh
    // platform has none for a moment. Wait for them (when the search exists), and say how long.
    const t0 = Date.now();
    let siteItems = -1;
    while (Date.now() - t0 < 90_000) {
      const res = await fetch(`${origin}/api/v1/inventory/site?limit=1`);
      if (res.status === 404) break;
      if (res.status === 200 && ((await res.json()) as { items: unknown[] }).items.length > 0) {
        siteItems = 1;
        break;
      }
      siteItems = 0;
      await new Promise((r) => setTimeout(r, 500));
    }
    log.write(
      `browser-suite: site search ${siteItems < 0 ? 'absent' : siteItems ? 'has items' : 'EMPTY'} after ${Date.now() - t0} ms\n`,
    );
    if (siteItems === 0) {
      for (const q of ['limit=2', 'limit=3&sort=price-asc', 'q=a']) {
        const r = await fetch(`${origin}/api/v1/inventory/site?${q}`).catch(() => undefined);
        log.write(`browser-suite: ${q} -> ${r?.status} ${((await r?.text()) ?? '').slice(0, 200)}\n`);
      }
      // The tests that need site items fail with this; the others still run.
      siteEmptyFor = Date.now() - t0;
    }
  } catch (err) {
    // Whatever failed (a service down, a check that threw), nothing is left running.
    await close();
    throw err;
  }
  return {
    origin,
    emulator,
    siteEmptyFor,
    has: {
      socket: existsSync(join(REPO, 'services/socket/src/main.ts')),
      tradebot: existsSync(join(REPO, 'services/tradebot/src/main.ts')),
    },
    async users() {
      const res = await fetch(`${emulator}/_emulator/accounts?kind=user`);
      const body = (await res.json()) as { accounts: EmulatorAccount[] };
      return body.accounts;
    },
    close,
  };
}
