// Flags and env parsing of main.ts (read once, every bad value reported together), the loopback-only bind and
// the request log lines.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@platform/observability';
import { captureLogs, stopProcess } from '@platform/testing';
import { buildEmulatorApp } from '../src/app.ts';
import { bindRefusal, loadConfig } from '../src/main.ts';
import { generateWorld } from '../src/world/generate.ts';
import { smallParams } from './helpers.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

test('flags override env; defaults otherwise', () => {
  const c = loadConfig(
    ['--bots', '400', '--items-per-bot', '1000', '--users', '1000', '--seed', '42', '--reset'],
    {
      PORT: '4000',
      LOG_LEVEL: 'warn',
    },
  );
  assert.equal(c.port, 4000);
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.logLevel, 'warn');
  assert.equal(c.reset, true);
  assert.deepEqual(
    [c.params.bots, c.params.itemsPerBot, c.params.users, c.params.seed],
    [400, 1000, 1000, 42],
  );
  assert.match(c.dataDir, /\.data\/steam-emulator$/);
  assert.equal(loadConfig(['--port', '5000'], { PORT: '4000' }).port, 5000);
});

test('bad values are all reported; unknown flags refused', () => {
  assert.throws(() => loadConfig(['--bots', 'x', '--port=-1'], {}), /port must be[\s\S]*bots must be/);
  assert.throws(() => loadConfig(['--nope'], {}));
});

test('a non-loopback host needs --allow-remote or EMULATOR_ALLOW_REMOTE=true', () => {
  for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
    assert.equal(bindRefusal(loadConfig(['--host', host], {})), undefined, host);
  }
  for (const host of ['0.0.0.0', '::', '192.168.1.5', '10.0.0.1', 'example.com', '::ffff:10.0.0.1']) {
    assert.match(bindRefusal(loadConfig(['--host', host], {})) ?? '', /--allow-remote/, host);
  }
  assert.match(bindRefusal(loadConfig([], { HOST: '0.0.0.0' })) ?? '', /refusing to listen on 0\.0\.0\.0/);
  assert.equal(bindRefusal(loadConfig(['--host', '0.0.0.0', '--allow-remote'], {})), undefined);
  assert.equal(bindRefusal(loadConfig(['--host', '0.0.0.0'], { EMULATOR_ALLOW_REMOTE: 'true' })), undefined);
  assert.notEqual(bindRefusal(loadConfig(['--host', '0.0.0.0'], { EMULATOR_ALLOW_REMOTE: '1' })), undefined);
});

test('main exits 2 with the reason before loading anything when asked to bind 0.0.0.0', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'emu-bind-'));
  try {
    const run = spawnSync(
      process.execPath,
      [MAIN, '--host', '0.0.0.0', '--port', '0', '--data-dir', dataDir],
      {
        encoding: 'utf8',
        env: { ...process.env, EMULATOR_ALLOW_REMOTE: '' },
        timeout: 60_000,
      },
    );
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /refusing to listen on 0\.0\.0\.0.*--allow-remote/s);
    assert.equal(run.stdout, '');
    assert.deepEqual(readdirSync(dataDir), [], 'no world generated or saved');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('with --allow-remote it listens on 0.0.0.0', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'emu-bind-'));
  const child = spawn(
    process.execPath,
    [MAIN, '--host', '0.0.0.0', '--allow-remote', '--port', '0', '--data-dir', dataDir, '--bots', '1'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'warn' } },
  );
  try {
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    const ready = new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const port = /ready at http:\/\/0\.0\.0\.0:(\d+)/.exec(out)?.[1];
        if (port !== undefined) resolve(port);
      });
      void exited.then((code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const port = await ready;
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(res.status, 200);
  } finally {
    await stopProcess(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('requests are logged at debug in the services’ format, without their query', async () => {
  const logs = captureLogs();
  const world = generateWorld(smallParams({ bots: 1, users: 1, itemsPerBot: 3 }));
  for (const level of ['info', 'debug'] as const) {
    const app = await buildEmulatorApp({
      world,
      logger: createLogger({ service: 'steam-emulator', level, destination: logs.destination }),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const bot = world.bots()[0]!;
    await fetch(`http://127.0.0.1:${port}/_emulator/clock?level=${level}`);
    await fetch(`http://127.0.0.1:${port}/inventory/${bot.steamid}/730/2?count=10&secret=${level}`);
    await app.close();
  }
  const requests = logs.lines.filter((l) => l['msg'] === 'request completed');
  assert.deepEqual(
    requests.map((l) => [l['level'], (l['req'] as Record<string, string>)['url']]),
    [
      ['debug', '/_emulator/clock'],
      ['debug', `/inventory/${world.bots()[0]!.steamid}/730/2`],
    ],
    'only the debug-level app logged requests, with the path only',
  );
  for (const l of requests) assert.equal(l['service'], 'steam-emulator');
  assert.doesNotMatch(logs.text(), /secret=|level=/);
});
