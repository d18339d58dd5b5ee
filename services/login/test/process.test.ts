import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestDatabases } from '@platform/db/testing';
import { freePort, waitForHttp as waitFor } from '@platform/testing';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

test('a bad configuration stops the login service with every problem listed', async () => {
  const child = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      STEAM_OPENID_URL: 'steamcommunity.com/openid/login',
      SESSION_IDLE_TTL_SECONDS: '5',
      SESSION_COOKIE_SECURE: 'maybe',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  assert.equal(code, 2);
  for (const key of ['STEAM_OPENID_URL', 'SESSION_IDLE_TTL_SECONDS', 'SESSION_COOKIE_SECURE'])
    assert.match(stderr, new RegExp(`- ${key} `));
});

test('the login process answers /readyz and redirects to the provider, then exits 0 on SIGTERM', async () => {
  const dbs = await createTestDatabases();
  await dbs.close();
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      PORT: String(port),
      MYSQL_DATABASE: dbs.settings.database,
      PRICING_DATABASE: dbs.settings.pricingDatabase,
      REDIS_KEY_PREFIX: `test:${process.pid}:process:`,
      STEAM_OPENID_URL: 'https://steamcommunity.com/openid/login',
      LOG_LEVEL: 'warn',
    },
    stdio: 'inherit',
  });
  try {
    const ready = await waitFor(`http://127.0.0.1:${port}/readyz`, 30_000);
    assert.equal(((await ready.json()) as { status: string }).status, 'ready');
    const start = await fetch(`http://127.0.0.1:${port}/auth/steam`, { redirect: 'manual' });
    assert.equal(start.status, 302);
    assert.match(start.headers.get('location') ?? '', /^https:\/\/steamcommunity\.com\/openid\/login\?/);
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    child.kill('SIGKILL');
    const { dropAll } = await import('@platform/db');
    await dropAll(dbs.settings);
  }
});
