import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('a request in flight during SIGTERM completes, new connections are refused, the process exits 0', async () => {
  const script = fileURLToPath(new URL('./fixtures/slow-server.ts', import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', () => reject(new Error(`exited early: ${out}`)));
  });
  const exited = new Promise<number | null>((r) => child.once('exit', r));

  const inflight = fetch(`http://127.0.0.1:${port}/slow`);
  await new Promise((r) => setTimeout(r, 300)); // the request is now being handled
  child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 200));
  await assert.rejects(
    fetch(`http://127.0.0.1:${port}/healthz`),
    'a new connection was accepted while closing',
  );

  const res = await inflight;
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { finished: true });
  assert.equal(await exited, 0);
  assert.match(out, /pools closed/);
});
