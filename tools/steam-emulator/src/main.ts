// Process entry: parse flags/env once, load or generate the world, listen, autosave, close gracefully.
//   npm run emulator -- --bots 400 --items-per-bot 1000 --users 1000 --seed 42 [--port 3090] [--data-dir D] [--reset]
import { rmSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger } from '@platform/observability';
import { buildEmulatorApp } from './app.ts';
import { DEFAULT_PARAMS, generateWorld } from './world/generate.ts';
import type { Progress } from './world/generate.ts';
import { enableAutosave, readSnapshot, restoreWorld, saveWorld, snapshotPath } from './world/persistence.ts';
import type { GenerationParams } from './world/types.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface EmulatorConfig {
  host: string;
  port: number;
  dataDir: string;
  reset: boolean;
  /** Bind a non-loopback address: the control API hands out every account's password and tokens. */
  allowRemote: boolean;
  logLevel: string;
  params: Omit<GenerationParams, 'epoch'>;
  /** Params given explicitly on the command line (they win over a stored world only with --reset). */
  explicit: string[];
}

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): EmulatorConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      bots: { type: 'string' },
      'items-per-bot': { type: 'string' },
      users: { type: 'string' },
      seed: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      reset: { type: 'boolean', default: false },
      'allow-remote': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const errors: string[] = [];
  const int = (name: string, raw: string | undefined, fallback: number): number => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) errors.push(`${name} must be a non-negative integer (got ${raw})`);
    return n;
  };
  const config: EmulatorConfig = {
    host: values.host ?? env['HOST'] ?? '127.0.0.1',
    port: int('port', values.port ?? env['PORT'], 3090),
    dataDir: resolve(
      values['data-dir'] ?? env['EMULATOR_DATA_DIR'] ?? resolve(REPO_ROOT, '.data/steam-emulator'),
    ),
    reset: values.reset ?? false,
    allowRemote: values['allow-remote'] === true || env['EMULATOR_ALLOW_REMOTE'] === 'true',
    logLevel: env['LOG_LEVEL'] ?? 'info',
    params: {
      seed: int('seed', values.seed, DEFAULT_PARAMS.seed),
      bots: int('bots', values.bots, DEFAULT_PARAMS.bots),
      itemsPerBot: int('items-per-bot', values['items-per-bot'], DEFAULT_PARAMS.itemsPerBot),
      users: int('users', values.users, DEFAULT_PARAMS.users),
      userItemsMin: DEFAULT_PARAMS.userItemsMin,
      userItemsMax: DEFAULT_PARAMS.userItemsMax,
    },
    explicit: ['bots', 'items-per-bot', 'users', 'seed'].filter(
      (k) => (values as Record<string, unknown>)[k] !== undefined,
    ),
  };
  if (errors.length > 0) throw new Error(`invalid configuration:\n  ${errors.join('\n  ')}`);
  return config;
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and `localhost`: addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/**
 * Why the emulator must not listen where `config` says, or undefined when it may. Anyone who reaches it reads every
 * account's password, secrets and tokens from /_emulator, so a non-loopback bind needs an explicit opt-in.
 */
export function bindRefusal(config: Pick<EmulatorConfig, 'host' | 'allowRemote'>): string | undefined {
  if (config.allowRemote || isLoopbackHost(config.host)) return undefined;
  return (
    `refusing to listen on ${config.host}: the emulator's control API (/_emulator) hands out every account's ` +
    'password, secrets and tokens to whoever reaches it. Bind a loopback address (127.0.0.1, ::1, localhost), ' +
    'or pass --allow-remote (env EMULATOR_ALLOW_REMOTE=true) if this network is yours alone.'
  );
}

/** Progress bar on stderr; redrawn in place on a terminal, one line per 10 % otherwise (log files). */
function progressBar(label: string): Progress {
  let last = -1;
  const tty = process.stderr.isTTY;
  return (done, total) => {
    const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
    if (pct === last || (!tty && pct % 10 !== 0)) return;
    last = pct;
    if (!tty) {
      process.stderr.write(`${label} ${pct}% (${done}/${total})\n`);
      return;
    }
    const width = 30;
    const filled = Math.round((pct / 100) * width);
    process.stderr.write(
      `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% (${done}/${total})`,
    );
    if (done === total) process.stderr.write('\n');
  };
}

async function main(): Promise<void> {
  const config = loadConfig(process.argv.slice(2), process.env);
  const refusal = bindRefusal(config);
  if (refusal !== undefined) {
    process.stderr.write(`steam-emulator: ${refusal}\n`);
    process.exit(2);
  }
  if (config.reset) rmSync(snapshotPath(config.dataDir), { force: true });
  const started = performance.now();
  const stored = readSnapshot(config.dataDir);
  let world;
  if (stored !== undefined) {
    if (config.explicit.length > 0) {
      const p = stored.params;
      const differs =
        p.seed !== config.params.seed ||
        p.bots !== config.params.bots ||
        p.users !== config.params.users ||
        p.itemsPerBot !== config.params.itemsPerBot;
      if (differs) {
        process.stderr.write(
          `note: using the stored world (${JSON.stringify(p)}); pass --reset to regenerate with new params\n`,
        );
      }
    }
    world = restoreWorld(stored, progressBar('restoring world'));
  } else {
    const params: GenerationParams = { ...config.params, epoch: Math.floor(Date.now() / 1000) };
    world = generateWorld(params, progressBar('generating world'));
    saveWorld(world, config.dataDir);
  }
  const loadMs = Math.round(performance.now() - started);
  const autosave = enableAutosave(world, config.dataDir);
  const app = await buildEmulatorApp({
    world,
    logger: createLogger({ service: 'steam-emulator', level: config.logLevel }),
    dataDir: config.dataDir,
    warmCaches: true,
  });
  const close = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    autosave.flush();
    autosave.stop();
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', (s) => void close(s));
  process.once('SIGTERM', (s) => void close(s));
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const url = `http://${config.host}:${port}`;
  app.log.info({ url, loadMs, dataDir: config.dataDir, params: world.params }, 'steam emulator listening');
  process.stdout.write(
    `Steam emulator ready at ${url} (world in ${config.dataDir}, loaded in ${loadMs} ms)\n`,
  );
}

if (import.meta.main) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
