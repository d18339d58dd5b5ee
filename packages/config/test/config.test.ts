import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, bool, httpGroup, int, loadSchema, mysqlGroup, oneOf, str, url } from '@platform/config';

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
