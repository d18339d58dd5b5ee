import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createTestDatabases } from '@platform/db/testing';
import { freePort, TEST_INTERNAL_TOKEN, waitForHttp as waitFor } from '@platform/testing';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

test('a bad configuration stops the backend with every problem listed', async () => {
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, PORT: 'x', MYSQL_POOL_SIZE: '-1', REDIS_URL: 'http://nope', LOG_LEVEL: 'loud' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  assert.equal(code, 2);
  for (const key of ['PORT', 'MYSQL_POOL_SIZE', 'REDIS_URL', 'LOG_LEVEL'])
    assert.match(stderr, new RegExp(`- ${key} `));
});

for (const workers of [1, 2]) {
  test(`the backend process (WORKERS=${workers}) answers /healthz and /readyz, then exits 0 on SIGTERM`, async () => {
    const dbs = await createTestDatabases();
    await dbs.close();
    const port = await freePort();
    const child = spawn(process.execPath, [main], {
      env: {
        ...process.env,
        PORT: String(port),
        WORKERS: String(workers),
        MYSQL_DATABASE: dbs.settings.database,
        PRICING_DATABASE: dbs.settings.pricingDatabase,
        LOG_LEVEL: 'warn',
        INTERNAL_TOKEN: TEST_INTERNAL_TOKEN,
      },
      stdio: 'inherit',
    });
    try {
      await waitFor(`http://127.0.0.1:${port}/healthz`, 30_000);
      const ready = await waitFor(`http://127.0.0.1:${port}/readyz`, 30_000);
      assert.equal(((await ready.json()) as { status: string }).status, 'ready');
      const status = await fetch(`http://127.0.0.1:${port}/api/v1/status`);
      assert.equal(status.status, 200);
      // Each worker answers scrapes in turn: its series must be told apart from the others'.
      const metrics = await (
        await fetch(`http://127.0.0.1:${port}/metrics`, {
          headers: { authorization: `Bearer ${TEST_INTERNAL_TOKEN}` },
        })
      ).text();
      if (workers > 1) assert.match(metrics, /process_cpu_user_seconds_total\{[^}]*pid="\d+"/);
      else assert.doesNotMatch(metrics, /pid="/);
      const exited = new Promise<number | null>((r) => child.once('exit', r));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      child.kill('SIGKILL');
      const { dropAll } = await import('@platform/db');
      await dropAll(dbs.settings);
    }
  });
}

test('WORKERS=2 on a port already taken: the primary exits 1 instead of forking workers forever', async (t) => {
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  t.after(() => busy.close());
  const port = (busy.address() as { port: number }).port;
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, PORT: String(port), WORKERS: '2', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  // Before the fix the primary restarted the failing workers about once a second, forever.
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const [code, signal] = await new Promise<[number | null, string | null]>((r) =>
    child.once('exit', (c, s) => r([c, s])),
  );
  clearTimeout(killer);
  assert.equal(signal, null, `the primary kept restarting workers:\n${out.slice(-2000)}`);
  assert.equal(code, 1);
  assert.doesNotMatch(out, /worker died; starting another/);
});
