import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTracing, tracesUrl } from '@platform/observability';

test('tracing is off unless an endpoint is configured', async () => {
  const t = await startTracing({ service: 'svc', otlpEndpoint: undefined });
  assert.equal(t.enabled, false);
});

test('with an endpoint, spans of incoming HTTP requests reach the OTLP collector', async () => {
  // A stand-in collector: records the paths the exporter posts to.
  const posts: string[] = [];
  const collector = createServer((req, res) => {
    posts.push(req.url ?? '');
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  // In a child process: tracing must start before http is loaded, as main.ts does it.
  const script = `
    import { startTracing, tracesUrl } from '@platform/observability';
    const t = await startTracing({ service: 'svc', otlpEndpoint: ${JSON.stringify(endpoint)} });
    // Fastify loads http through require(), which is what the instrumentation hooks.
    const { createRequire } = await import('node:module');
    const { createServer } = createRequire(import.meta.url)('node:http');
    const s = createServer((q, r) => r.end('ok'));
    await new Promise((r) => s.listen(0, '127.0.0.1', r));
    await fetch('http://127.0.0.1:' + s.address().port + '/traced');
    s.close();
    await t.shutdown();
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' });
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  collector.close();
  assert.equal(code, 0);
  assert.ok(posts.includes('/v1/traces'), `collector saw ${JSON.stringify(posts)}`);
});

test('the traces URL keeps the endpoint path, as the OTLP spec says', () => {
  assert.equal(tracesUrl('http://127.0.0.1:4318'), 'http://127.0.0.1:4318/v1/traces');
  assert.equal(tracesUrl('http://gw:4318/otlp'), 'http://gw:4318/otlp/v1/traces');
  assert.equal(tracesUrl('http://gw:4318/otlp/'), 'http://gw:4318/otlp/v1/traces');
});
