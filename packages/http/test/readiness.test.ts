import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { Readiness } from '@platform/http';

test('/readyz answers from results at most maxAge old: polling it does not run the checks', async (t) => {
  let calls = 0;
  const readiness = new Readiness({ maxAgeMs: 1_000, intervalMs: 200 });
  readiness.add('db', () => {
    calls++;
  });
  t.after(() => readiness.stop());
  await readiness.start();
  const before = calls;
  for (let i = 0; i < 200; i++) assert.equal((await readiness.report()).ready, true);
  assert.ok(calls - before <= 1, `200 reports ran the check ${calls - before} times`);
});

test('a check that fails or hangs past maxAge counts as unavailable; it recovers on its own', async (t) => {
  let mode: 'ok' | 'fail' | 'hang' = 'ok';
  const readiness = new Readiness({ maxAgeMs: 300, intervalMs: 50 });
  readiness.add('redis', () => {
    if (mode === 'fail') throw new Error('connection refused');
    if (mode === 'hang') return new Promise(() => {});
    return undefined;
  });
  t.after(() => readiness.stop());
  await readiness.start();
  assert.equal((await readiness.report()).ready, true);
  mode = 'fail';
  await delay(150);
  const failed = await readiness.report();
  assert.deepEqual(
    [failed.ready, failed.failing, failed.errors.redis],
    [false, ['redis'], 'connection refused'],
  );
  mode = 'ok';
  await delay(150);
  assert.equal((await readiness.report()).ready, true);
  mode = 'hang';
  await delay(500);
  const hung = await readiness.report();
  assert.deepEqual([hung.ready, hung.errors.redis], [false, 'timed out']);
});
