import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConfigError,
  bool,
  httpGroup,
  int,
  loadSchema,
  mysqlGroup,
  oneOf,
  redisGroup,
  str,
  tracingGroup,
  url,
} from '@platform/config';

const schema = {
  http: httpGroup(3000),
  mysql: mysqlGroup(),
  own: { mode: oneOf('MODE', ['a', 'b'] as const, 'a'), flag: bool('FLAG', false), secret: str('SECRET') },
};

test('defaults fill every unset variable', () => {
  const cfg = loadSchema('svc', schema, { SECRET: 's' });
  assert.equal(cfg.http.port, 3000);
  assert.equal(cfg.mysql.poolSize, 40);
  assert.equal(cfg.mysql.url.hostname, '127.0.0.1');
  assert.equal(cfg.own.mode, 'a');
});

test('every bad or missing variable is reported at once', () => {
  const env = { PORT: 'eighty', MYSQL_POOL_SIZE: '0', MYSQL_URL: 'not a url', MODE: 'c', FLAG: 'maybe' };
  let err: unknown;
  try {
    loadSchema('svc', schema, env);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof ConfigError, 'expected a ConfigError');
  const keys = err.problems.map((p) => p.split(' ')[0]);
  assert.deepEqual(keys.sort(), ['FLAG', 'MODE', 'MYSQL_POOL_SIZE', 'MYSQL_URL', 'PORT', 'SECRET']);
  assert.match(err.message, /SECRET is required/);
  assert.match(err.message, /PORT must be a whole number, got "eighty"/);
});

test('a string longer than its column is a config error, not a failure at the first write', () => {
  assert.throws(
    () => loadSchema('svc', { g: { s: str('S', 'x', { maxLength: 4 }) } }, { S: 'toolong' }),
    /S must be at most 4 characters/,
  );
  assert.equal(loadSchema('svc', { g: { s: str('S', 'x', { maxLength: 4 }) } }, { S: 'four' }).g.s, 'four');
});

test('values are parsed and typed', () => {
  const cfg = loadSchema(
    'svc',
    { g: { n: int('N', 1, { max: 10 }), u: url('U', undefined, { protocols: ['redis:'] }) } },
    { N: '7', U: 'redis://h:1' },
  );
  assert.equal(cfg.g.n, 7);
  assert.equal(cfg.g.u.port, '1');
  assert.throws(
    () => loadSchema('svc', { g: { u: url('U', undefined, { protocols: ['redis:'] }) } }, { U: 'http://x' }),
    /must use redis:/,
  );
});

test('TRUST_PROXY names the proxies; `true` (trust every hop, so a forged X-Forwarded-For) is refused', () => {
  const proxies = (v: string | undefined) =>
    loadSchema('svc', { http: httpGroup(3000) }, { TRUST_PROXY: v }).http.trustProxy;
  assert.deepEqual(proxies(undefined), []);
  assert.deepEqual(proxies('false'), []);
  assert.deepEqual(proxies(' 10.0.0.0/8, loopback,::1 '), ['10.0.0.0/8', 'loopback', '::1']);
  assert.throws(() => proxies('true'), /TRUST_PROXY must be false or the proxies' addresses/);
  assert.throws(() => proxies('10.0.0.0/33'), /got "10.0.0.0\/33"/);
});

test('a malformed OTLP endpoint is a configuration problem, not a crash at start-up', () => {
  const endpoint = (v: string | undefined) =>
    loadSchema('svc', { tracing: tracingGroup() }, { OTEL_EXPORTER_OTLP_ENDPOINT: v }).tracing.otlpEndpoint;
  assert.equal(endpoint(undefined), undefined);
  assert.equal(endpoint(' '), undefined);
  assert.equal(endpoint('http://127.0.0.1:4318'), 'http://127.0.0.1:4318/');
  assert.throws(() => endpoint('collector:4318'), /OTEL_EXPORTER_OTLP_ENDPOINT must use http: or https:/);
  assert.throws(() => endpoint('not a url'), /OTEL_EXPORTER_OTLP_ENDPOINT must be an absolute URL/);
});

test('a Redis key prefix with a brace is refused: it would become every key’s hash tag', () => {
  assert.throws(
    () => loadSchema('svc', { redis: redisGroup() }, { REDIS_KEY_PREFIX: 'a{b}:' }),
    /REDIS_KEY_PREFIX/,
  );
  assert.equal(loadSchema('svc', { redis: redisGroup() }, {}).redis.keyPrefix, 'cs2t:');
});
