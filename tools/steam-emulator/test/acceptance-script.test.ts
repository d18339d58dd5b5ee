// Runs scripts/acceptance.sh (curl + jq + openssl, no repo code) against a live emulator: the
// issue's outside-client check, kept in the suite so it cannot rot.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startEmulator } from './helpers.ts';
import type { Emulator } from './helpers.ts';

const script = fileURLToPath(new URL('../scripts/acceptance.sh', import.meta.url));
const missing = ['curl', 'jq', 'openssl', 'xxd'].filter(
  (bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0,
);

let emu: Emulator;
before(async () => {
  emu = await startEmulator({ params: { bots: 2, itemsPerBot: 5000, users: 4 } });
});
after(() => emu.close());

test(
  'an outside client logs in, pages, sends, confirms, accepts and sees new asset ids',
  { skip: missing.length ? `needs ${missing.join(', ')}` : false },
  async () => {
    const child = spawn('bash', [script, emu.base], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    assert.equal(code, 0, out.slice(-3000));
    assert.doesNotMatch(out, /FAIL/);
    assert.match(out, /ok/);
  },
);
