import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, createMetrics, runWithContext } from '@platform/observability';
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
