// Flags and env parsing of main.ts (read once, every bad value reported together).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../src/main.ts';

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
