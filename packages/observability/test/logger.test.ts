import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createLogger,
  createMetrics,
  formatLogLine,
  resolveLogFormat,
  runWithContext,
} from '@platform/observability';
import { captureLogs } from '@platform/testing';

test('log lines are JSON and carry the request id of the current context', async () => {
  const { lines, destination } = captureLogs();
  const log = createLogger({ service: 'svc', level: 'info', destination });
  await runWithContext({ requestId: 'req-1' }, async () => {
    await Promise.resolve();
    log.info('inside');
  });
  log.info('outside');
  assert.equal(lines[0]?.requestId, 'req-1');
  assert.equal(lines[0]?.service, 'svc');
  assert.equal(lines[0]?.level, 'info');
  assert.equal(lines[1]?.requestId, undefined);
});

test('secrets never reach the log', () => {
  const { lines, destination } = captureLogs();
  const log = createLogger({ service: 'svc', level: 'info', destination });
  log.info(
    { headers: { cookie: 'sid=abc', authorization: 'Bearer xyz' }, user: { token: 't0k' }, sessionId: 's' },
    'x',
  );
  const text = JSON.stringify(lines[0]);
  for (const secret of ['sid=abc', 'Bearer xyz', 't0k', '"s"'])
    assert.ok(!text.includes(secret), `${secret} leaked`);
});

test('metrics render in Prometheus text format', async () => {
  const m = createMetrics('svc');
  m.httpRequestsTotal.inc({ method: 'GET', route: '/x', status: '200' });
  const text = await m.registry.metrics();
  assert.match(text, /http_requests_total\{method="GET",route="\/x",status="200",service="svc"\} 1/);
  assert.match(text, /process_cpu_user_seconds_total/);
});

test('a failed query is logged without the values mysql2 inlines into err.sql', () => {
  const logs = captureLogs();
  const log = createLogger({ service: 'svc', level: 'info', destination: logs.destination });
  // The shape mysql2 gives a failed statement: the SQL text with its parameters filled in.
  const err = Object.assign(new Error("Data too long for column 'trade_token' at row 1"), {
    code: 'ER_DATA_TOO_LONG',
    sql: "insert into `users` (`steam_id`, `trade_token`) values ('1', 'Sekret-Token-1')",
  });
  log.error({ err }, 'query failed');
  log.error({ err: new Error('wrapped', { cause: err }) }, 'query failed');
  assert.ok(!logs.text().includes('Sekret-Token-1'), logs.text());
  assert.match(logs.text(), /ER_DATA_TOO_LONG/);
});

test('LOG_FORMAT: readable lines on a terminal, JSON otherwise; the readable line keeps what matters', () => {
  assert.equal(resolveLogFormat('auto', { isTTY: true }), 'pretty');
  assert.equal(resolveLogFormat('auto', { isTTY: false }), 'json');
  assert.equal(resolveLogFormat(undefined, {}), 'json');
  assert.equal(resolveLogFormat('json', { isTTY: true }), 'json');
  const { lines, destination } = captureLogs();
  const log = createLogger({ service: 'sinv', level: 'info', destination });
  log.warn({ botId: 3, kind: 'rate_limited', err: new Error('Steam said 429') }, 'bot refresh failed');
  const text = formatLogLine(JSON.stringify(lines[0]), { color: false });
  assert.match(
    text,
    /^\d\d:\d\d:\d\d\.\d{3} WARN {2}sinv bot refresh failed botId=3 kind=rate_limited err="Steam said 429"$/,
  );
  assert.ok(!text.includes('"level"'), 'not JSON');
  const colored = formatLogLine(JSON.stringify(lines[0]), { color: true });
  assert.ok(colored.includes('\u001b[33mWARN'), 'the level is coloured');
  // A line that is not JSON (a library printing to stdout) passes through untouched.
  assert.equal(formatLogLine('plain text', { color: true }), 'plain text');
  // Without the service (npm start labels lines itself).
  assert.doesNotMatch(formatLogLine(JSON.stringify(lines[0]), { color: false, service: false }), / sinv /);
});
