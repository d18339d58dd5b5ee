import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, chownSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2';
import { Writable } from 'node:stream';
import { connectRedis, createRedis } from '@platform/db';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Polls `check` until it returns true; fails after `timeoutMs`. A condition, never a timing assertion. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

/** Waits until `url` answers 200 and returns that response. */
export async function waitForHttp(url: string, timeoutMs = 30_000): Promise<Response> {
  let last: Response | undefined;
  await eventually(async () => {
    last = await fetch(url).catch(() => undefined);
    return last?.status === 200;
  }, timeoutMs);
  if (!last) throw new Error(`${url} did not answer`);
  return last;
}

/** A throwaway redis-server of the test's own, so stopping it disturbs nothing else. */
export async function startPrivateRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const probeUp = async () => {
    const probe = createRedis(
      { url: new URL(`redis://127.0.0.1:${port}`), keyPrefix: '' },
      { retryStrategy: () => null },
    );
    probe.on('error', () => {});
    const ok = await connectRedis(probe, 1_000);
    probe.disconnect();
    return ok;
  };
  try {
    await eventually(probeUp, 5_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return child;
}

/** The MariaDB server binary: `mariadbd` (10.4+), else `mysqld` (older packages, and a compatibility link). */
export function mariadbServerBinary(): string {
  for (const dir of [
    ...(process.env.PATH ?? '').split(':').filter(Boolean),
    '/usr/sbin',
    '/usr/local/sbin',
  ]) {
    for (const name of ['mariadbd', 'mysqld']) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return join(dir, name);
      } catch {
        // not here
      }
    }
  }
  throw new Error('no mariadbd or mysqld found: install mariadb-server (scripts/stores.sh does)');
}

function systemUser(name: string): { uid: number; gid: number } | undefined {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === name) return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  return undefined;
}

export interface PrivateMariadb {
  url: URL;
  close(): Promise<void>;
}

/**
 * A throwaway MariaDB server of the test's own (empty data directory under the OS temp dir,
 * a free port, no grant tables: root with any password over TCP), for what must not be done to
 * the shared server, such as another default time zone. Starts in about a second. `args` are
 * extra server options, e.g. `--default-time-zone=+09:00`.
 */
export async function startPrivateMariadb(args: string[] = []): Promise<PrivateMariadb> {
  const dir = mkdtempSync(join(tmpdir(), 'private-mariadb-'));
  const port = await freePort();
  const own: string[] = [];
  if (process.getuid?.() === 0) {
    // As root the server must be told whom to run as; it then needs to own its directory.
    const mysql = systemUser('mysql');
    if (mysql) {
      chownSync(dir, mysql.uid, mysql.gid);
      own.push('--user=mysql');
    } else own.push('--user=root');
  }
  const child = spawn(
    mariadbServerBinary(),
    [
      '--no-defaults',
      `--datadir=${dir}`,
      // Its own temp dir: a server starting up deletes every `#sql*` file in its tmpdir, which
      // in the shared /tmp are the shared server's temporary tables in use.
      `--tmpdir=${dir}`,
      `--socket=${join(dir, 'sock')}`,
      `--pid-file=${join(dir, 'pid')}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      '--skip-grant-tables',
      '--skip-log-bin',
      '--innodb-buffer-pool-size=16M',
      '--innodb-log-file-size=4M',
      `--log-error=${join(dir, 'error.log')}`,
      ...own,
      ...args,
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const close = async () => {
    child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const probe = () =>
    new Promise<boolean>((resolve) => {
      const c = createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 1_000 });
      c.on('error', () => {});
      c.query('SELECT 1', (err) => {
        c.destroy();
        resolve(!err);
      });
    });
  try {
    await eventually(async () => {
      if (child.exitCode !== null) {
        let log = '';
        try {
          log = readFileSync(join(dir, 'error.log'), 'utf8');
        } catch {
          // no log written
        }
        throw new Error(`the private MariaDB exited with ${child.exitCode}:\n${log}`);
      }
      return probe();
    }, 20_000);
  } catch (err) {
    await close();
    throw err;
  }
  return { url: new URL(`mysql://root@127.0.0.1:${port}`), close };
}

export async function stopProcess(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  child.kill(signal);
  return exited;
}

/** A log destination for createLogger that keeps every JSON line, to assert on what was logged. */
export function captureLogs(): {
  destination: Writable;
  lines: Record<string, unknown>[];
  /** Everything written, as text: for "this secret never appears" checks. */
  text(): string;
} {
  const raw: string[] = [];
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      cb();
    },
  });
  return { destination, lines, text: () => raw.join('\n') };
}

export * from './stores.ts';
export * from './emulator.ts';
export * from './service.ts';
export * from './factory.ts';
export * from './tcp-gate.ts';
export * from './docs.ts';
export * from './http-server.ts';
