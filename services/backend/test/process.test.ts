import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestDatabases } from '@platform/db/testing';
import { freePort, waitForHttp as waitFor } from '@platform/testing';

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
      },
      stdio: 'inherit',
    });
    try {
      await waitFor(`http://127.0.0.1:${port}/healthz`, 30_000);
      const ready = await waitFor(`http://127.0.0.1:${port}/readyz`, 30_000);
      assert.equal(((await ready.json()) as { status: string }).status, 'ready');
      const status = await fetch(`http://127.0.0.1:${port}/api/v1/status`);
      assert.equal(status.status, 200);
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
