import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '@platform/observability';
import { AppError } from '@platform/core';
import { connectRedis, createRedis, type Redis } from '@platform/db';
import { SiteSwitch } from '@platform/http';
import {
  captureLogs,
  eventually,
  freePort,
  startPrivateRedis,
  stopProcess,
  testRedisSettings,
  uniquePrefix,
} from '@platform/testing';
import { buildTestApp, INTERNAL_TOKEN, redisReadiness } from './helpers.ts';

const clients: Redis[] = [];
after(() => {
  for (const c of clients) c.disconnect();
});

test('health, request ids, 404 and errors keep one shape', async (t) => {
  const { app, redis } = await buildTestApp();
  clients.push(redis);
  app.post(
    '/api/v1/things',
    {
      schema: {
        body: {
          type: 'object',
          required: ['tradeUrl'],
          properties: { tradeUrl: { type: 'string', maxLength: 10 } },
          additionalProperties: false,
        },
      },
    },
    () => ({ ok: true }),
  );
  app.get('/api/v1/things/:id', () => ({ ok: true }));
  app.get('/api/v1/boom', () => {
    throw new Error('db password is hunter2');
  });
  app.get('/api/v1/conflict', () => {
    throw new AppError('CONFLICT', 'That item is already in another trade.');
  });
  t.after(() => app.close());

  const health = await app.inject('/healthz');
  assert.equal(health.statusCode, 200);
  assert.match(health.headers['x-request-id'] as string, /^[0-9a-f-]{36}$/);
  const traced = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
  assert.equal(traced.headers['x-request-id'], 'abc-123');
  const forged = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'a b\nc' } });
  assert.notEqual(forged.headers['x-request-id'], 'a b\nc');

  const missing = await app.inject('/nowhere?x=1');
  assert.equal(missing.statusCode, 404);
  assert.deepEqual(missing.json(), {
    error: { code: 'NOT_FOUND', message: 'Nothing is served at GET /nowhere.' },
  });

  // Refused before routing (malformed escape, over-long parameter): still the one error shape.
  for (const url of ['/api/v1/things/%zz', `/api/v1/things/${'9'.repeat(200)}`]) {
    const bad = await app.inject(url);
    assert.equal(bad.statusCode, 400, url);
    assert.equal(bad.json().error.code, 'VALIDATION_FAILED', url);
    assert.match(bad.headers['x-request-id'] as string, /^[0-9a-f-]{36}$/);
  }

  const invalid = await app.inject({ method: 'POST', url: '/api/v1/things', payload: {} });
  assert.equal(invalid.statusCode, 400);
  assert.equal(invalid.json().error.code, 'VALIDATION_FAILED');
  assert.equal(invalid.json().error.field, '/body/tradeUrl');
  const tooLong = await app.inject({
    method: 'POST',
    url: '/api/v1/things',
    payload: { tradeUrl: 'x'.repeat(11) },
  });
  assert.equal(tooLong.json().error.field, '/body/tradeUrl');
  assert.match(tooLong.json().error.message, /must NOT have more than 10 characters/);
  const unexpected = await app.inject({
    method: 'POST',
    url: '/api/v1/things',
    payload: { tradeUrl: 'x', isAdmin: true },
  });
  assert.equal(unexpected.statusCode, 400);
  assert.equal(unexpected.json().error.field, '/body/isAdmin');
  const badJson = await app.inject({
    method: 'POST',
    url: '/api/v1/things',
    headers: { 'content-type': 'application/json' },
    payload: '{"tradeUrl":',
  });
  assert.equal(badJson.statusCode, 400);
  assert.deepEqual(badJson.json(), {
    error: { code: 'VALIDATION_FAILED', message: 'The request body is not valid JSON.' },
  });
  const tooBig = await app.inject({
    method: 'POST',
    url: '/api/v1/things',
    payload: { tradeUrl: 'x'.repeat(20_000) },
  });
  assert.equal(tooBig.statusCode, 413);
  assert.equal(tooBig.json().error.code, 'PAYLOAD_TOO_LARGE');

  const boom = await app.inject('/api/v1/boom');
  assert.equal(boom.statusCode, 500);
  assert.equal(boom.json().error.code, 'INTERNAL');
  assert.ok(!boom.body.includes('hunter2'), 'a 5xx leaked internals');

  const conflict = await app.inject('/api/v1/conflict');
  assert.equal(conflict.statusCode, 409);
  assert.deepEqual(conflict.json(), {
    error: { code: 'CONFLICT', message: 'That item is already in another trade.' },
  });

  // Metrics are for the platform's Prometheus: the internal token, or 401.
  const anonymousMetrics = await app.inject('/metrics');
  assert.equal(anonymousMetrics.statusCode, 401);
  assert.equal(anonymousMetrics.json().error.code, 'UNAUTHENTICATED');
  const wrongToken = await app.inject({
    url: '/metrics',
    headers: { authorization: 'Bearer nope-nope-nope' },
  });
  assert.equal(wrongToken.statusCode, 401);
  const metrics = await app.inject({
    url: '/metrics',
    headers: { authorization: `Bearer ${INTERNAL_TOKEN}` },
  });
  assert.equal(metrics.statusCode, 200);
  assert.match(metrics.body, /http_requests_total\{method="GET",route="\/api\/v1\/conflict",status="409"/);
});

test('past the limit: 429 with Retry-After and RateLimit headers', async (t) => {
  const redis = createRedis(testRedisSettings());
  clients.push(redis);
  assert.ok(await connectRedis(redis));
  const { app } = await buildTestApp({
    redis,
    rateLimit: { redis, max: 3, windowMs: 30_000, keyPrefix: `test:${Math.random().toString(36).slice(2)}:` },
  });
  app.get('/api/v1/ping', () => ({ pong: true }));
  t.after(() => app.close());
  await app.ready();
  for (let i = 0; i < 3; i++) {
    const ok = await app.inject('/api/v1/ping');
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.headers['ratelimit-limit'], '3');
    assert.equal(ok.headers['ratelimit-remaining'], String(2 - i));
  }
  const limited = await app.inject('/api/v1/ping');
  assert.equal(limited.statusCode, 429);
  const retryAfter = Number(limited.headers['retry-after']);
  assert.ok(retryAfter > 0 && retryAfter <= 30, `retry-after ${limited.headers['retry-after']}`);
  assert.equal(limited.headers['ratelimit-remaining'], '0');
  assert.equal(limited.json().error.code, 'RATE_LIMITED');
  // Health stays answerable for load balancers whatever a client did.
  assert.equal((await app.inject('/healthz')).statusCode, 200);
  // A 404 flood is limited too.
  assert.equal((await app.inject('/nowhere')).statusCode, 429);
});

test('behind a proxy (TRUST_PROXY=10.0.0.1), a client cannot pick its own rate-limit key with X-Forwarded-For', async (t) => {
  const redis = createRedis(testRedisSettings());
  clients.push(redis);
  assert.ok(await connectRedis(redis));
  const { app } = await buildTestApp({
    redis,
    http: { trustProxy: ['10.0.0.1'], bodyLimitBytes: 1024 },
    rateLimit: { redis, max: 2, windowMs: 30_000, keyPrefix: uniquePrefix() },
  });
  app.get('/api/v1/ip', (req) => ({ ip: req.ip }));
  t.after(() => app.close());
  // The load balancer (10.0.0.1) appends the address it saw (5.5.5.5); the rest the client wrote.
  const via = (forged: string) =>
    app.inject({
      url: '/api/v1/ip',
      remoteAddress: '10.0.0.1',
      headers: { 'x-forwarded-for': `${forged}, 5.5.5.5` },
    });
  const first = await via('1.1.1.1');
  assert.equal(first.json().ip, '5.5.5.5');
  assert.equal((await via('1.1.1.2')).statusCode, 200);
  assert.equal((await via('1.1.1.3')).statusCode, 429);
  // Another client behind the same load balancer keeps its own budget.
  const other = await app.inject({
    url: '/api/v1/ip',
    remoteAddress: '10.0.0.1',
    headers: { 'x-forwarded-for': '6.6.6.6' },
  });
  assert.equal(other.statusCode, 200);
  // A client reaching the service directly cannot forge its address either.
  const direct = await app.inject({
    url: '/api/v1/ip',
    remoteAddress: '7.7.7.7',
    headers: { 'x-forwarded-for': '8.8.8.8' },
  });
  assert.equal(direct.json().ip, '7.7.7.7');
});

test('the site-disable switch: public routes 503 SITE_DISABLED, health and exempt routes keep working', async (t) => {
  let disabled = false;
  const siteSwitch = new SiteSwitch({ get: <T>() => Promise.resolve(disabled as T) }, { ttlMs: 0 });
  const { app, redis } = await buildTestApp({ siteSwitch });
  clients.push(redis);
  app.get('/api/v1/public', () => ({ ok: true }));
  app.get('/api/v1/admin/thing', { config: { siteSwitch: 'exempt' } }, () => ({ ok: true }));
  t.after(() => app.close());

  assert.equal((await app.inject('/api/v1/public')).statusCode, 200);
  disabled = true;
  const off = await app.inject('/api/v1/public');
  assert.equal(off.statusCode, 503);
  assert.equal(off.json().error.code, 'SITE_DISABLED');
  assert.equal((await app.inject('/api/v1/admin/thing')).statusCode, 200);
  assert.equal((await app.inject('/healthz')).statusCode, 200);
  assert.equal(
    (await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${INTERNAL_TOKEN}` } }))
      .statusCode,
    200,
  );
  assert.equal((await app.inject('/readyz')).statusCode, 200);
  disabled = false;
  assert.equal((await app.inject('/api/v1/public')).statusCode, 200);
});

test('the site switch keeps its last value while MySQL stalls, instead of holding every request', async (t) => {
  let read: () => Promise<boolean> = () => Promise.resolve(false);
  const siteSwitch = new SiteSwitch({ get: <T>() => read() as Promise<T> }, { ttlMs: 0, maxWaitMs: 50 });
  const { app, redis } = await buildTestApp({ siteSwitch });
  clients.push(redis);
  app.get('/api/v1/public', () => ({ ok: true }));
  t.after(() => app.close());
  assert.equal((await app.inject('/api/v1/public')).statusCode, 200);
  read = () => new Promise(() => {}); // a query that never answers
  const stalled = await Promise.race([
    app.inject('/api/v1/public').then((r) => r.statusCode),
    new Promise((r) => setTimeout(() => r('still waiting after 2 s'), 2_000)),
  ]);
  assert.equal(stalled, 200);
});

test('/readyz turns 503 naming Redis when it stops, and 200 when it returns', async (t) => {
  const port = await freePort();
  let server = await startPrivateRedis(port);
  const redis = createRedis(
    { url: new URL(`redis://127.0.0.1:${port}`), keyPrefix: '' },
    { retryStrategy: () => 100 },
  );
  redis.on('error', () => {});
  clients.push(redis);
  assert.ok(await connectRedis(redis));
  const { app } = await buildTestApp({ redis, readiness: redisReadiness(redis) });
  t.after(async () => {
    await app.close();
    await stopProcess(server);
  });
  await eventually(async () => (await app.inject('/readyz')).statusCode === 200);

  await stopProcess(server);
  await eventually(async () => (await app.inject('/readyz')).statusCode === 503);
  const down = await app.inject('/readyz');
  assert.equal(down.json().error.code, 'DEPENDENCY_UNAVAILABLE');
  assert.deepEqual(down.json().error.failing, ['redis']);
  assert.equal(down.json().checks.redis, 'unavailable');
  // Liveness does not depend on Redis, and a Redis outage does not fail requests through the rate limiter.
  assert.equal((await app.inject('/healthz')).statusCode, 200);

  server = await startPrivateRedis(port);
  await eventually(async () => (await app.inject('/readyz')).statusCode === 200);
});

test('request log lines carry the path, never the query string; refusals are warn lines with their code', async (t) => {
  const { lines, destination } = captureLogs();
  const { app, redis } = await buildTestApp({
    logger: createLogger({ service: 'test', level: 'info', destination }),
  });
  clients.push(redis);
  app.get('/api/v1/thing', () => ({ ok: true }));
  t.after(() => app.close());
  await app.inject('/api/v1/thing?access_token=sekret-1');
  await app.inject('/nowhere?openid.sig=sekret-2');
  const text = JSON.stringify(lines);
  assert.ok(!text.includes('sekret'), 'a query string reached the log');
  assert.ok(lines.some((l) => (l.req as { url?: string } | undefined)?.url === '/api/v1/thing'));
  const refusal = lines.find((l) => l.msg === 'request refused');
  assert.equal(refusal?.level, 'warn');
  assert.equal(refusal?.code, 'NOT_FOUND');
});
