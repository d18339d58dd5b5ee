// scripts/stores.sh against a MariaDB "installed before": stopped, its server binary named
// mysqld, and root allowed in through the unix socket only (what mariadb-install-db and Debian's
// package set up). The script must start it and give root the TCP login the platform uses.
// Everything is private to this test (data directory, socket, port, a copy of the binary), so
// the shared server on 3306 is never touched: start-stop-daemon matches processes by binary,
// hence the copy rather than a link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chownSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { freePort, mariadbServerBinary } from '../src/index.ts';

const run = promisify(execFile);
const script = new URL('../../../scripts/stores.sh', import.meta.url).pathname;

function mysqlUser(): { uid: number; gid: number } {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === 'mysql') return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  throw new Error('no mysql system user: is mariadb-server installed?');
}

async function tcpRootLogin(port: number): Promise<string> {
  try {
    const c = await createConnection({ host: '127.0.0.1', port, user: 'root', password: '' });
    await c.query('SELECT 1');
    await c.end();
    return 'ok';
  } catch (err) {
    return (err as Error).message;
  }
}

test(
  'stores.sh starts a stopped MariaDB whose binary is mysqld and gives socket-only root a TCP login',
  { skip: process.getuid?.() !== 0 ? 'starting MariaDB needs root (the script says so to others)' : false },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'stores-sh-'));
    const bin = join(dir, 'bin');
    const data = join(dir, 'data');
    const pidFile = join(dir, 'pid');
    mkdirSync(bin);
    const { uid, gid } = mysqlUser();
    chownSync(dir, uid, gid);
    t.after(async () => {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
      } catch {
        // never started
      }
      // The server's files go with it; give it a moment to exit first.
      await new Promise((r) => setTimeout(r, 200));
      rmSync(dir, { recursive: true, force: true });
    });
    // Installed before: a data directory whose root authenticates by unix socket only.
    await run('mariadb-install-db', [
      '--no-defaults',
      `--datadir=${data}`,
      '--user=mysql',
      '--skip-test-db',
      '--innodb-log-file-size=4M',
    ]);
    copyFileSync(mariadbServerBinary(), join(bin, 'mysqld'));
    // PATH without /usr/sbin: the script must find the server as mysqld (and nothing named mariadbd).
    symlinkSync('/usr/sbin/start-stop-daemon', join(bin, 'start-stop-daemon'));
    const port = await freePort();
    const env = {
      PATH: `${bin}:/usr/bin:/bin`,
      MYSQL_URL: `mysql://root@127.0.0.1:${port}`,
      MYSQL_SOCKET: join(dir, 'sock'),
      MARIADB_EXTRA_ARGS: [
        `--datadir=${data}`,
        // Not the shared /tmp: a starting server deletes the `#sql*` temp files it finds there.
        `--tmpdir=${data}`,
        `--socket=${join(dir, 'sock')}`,
        `--pid-file=${pidFile}`,
        `--log-error=${join(dir, 'error.log')}`,
        '--skip-log-bin',
        '--innodb-buffer-pool-size=16M',
        '--innodb-log-file-size=4M',
      ].join(' '),
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    };
    assert.notEqual(await tcpRootLogin(port), 'ok');

    const first = await run('bash', [script], { env });
    assert.match(first.stdout, new RegExp(`starting MariaDB \\(${bin}/mysqld\\)`));
    assert.match(first.stdout, /unix socket only; giving root an empty-password TCP login/);
    assert.equal(await tcpRootLogin(port), 'ok');

    // Running again finds it reachable and usable, and changes nothing.
    const second = await run('bash', [script], { env });
    assert.match(second.stdout, new RegExp(`MariaDB reachable on 127.0.0.1:${port}`));
    assert.doesNotMatch(second.stdout, /giving root/);
    assert.equal(await tcpRootLogin(port), 'ok');

    // Running, but root back to the unix socket only (a server someone installed and started):
    // the reachable path grants the TCP login too.
    await run('mariadb', [
      '-uroot',
      '-S',
      join(dir, 'sock'),
      '-e',
      "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket; DROP USER 'root'@'127.0.0.1'; DROP USER 'root'@'::1';",
    ]);
    assert.notEqual(await tcpRootLogin(port), 'ok');
    const third = await run('bash', [script], { env });
    assert.match(third.stdout, /unix socket only; giving root an empty-password TCP login/);
    assert.match(third.stdout, new RegExp(`MariaDB reachable on 127.0.0.1:${port}`));
    assert.equal(await tcpRootLogin(port), 'ok');
  },
);
