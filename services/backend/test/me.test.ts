// GET /api/v1/me and PUT /api/v1/me/trade-url behind the auth guard (sessions written as
// services/login writes them: the same SessionStore on the same Redis prefix).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionStore } from '@platform/http';
import { createLogger } from '@platform/observability';
import { accountIdFromSteamId64 } from '@platform/steam';
import {
  buildTestApp,
  captureLogs,
  eventually,
  factory,
  startStores,
  startTcpGate,
  type Stores,
} from '@platform/testing';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

const SITE = 'https://site.test';
const STEAM_ID = '76561198000000042';
const OTHER_STEAM_ID = '76561198000000043';
const ACCOUNT_ID = accountIdFromSteamId64(STEAM_ID);

let stores: Stores;
let dbs: Stores['dbs'];
let offsetMs = 0;
let userId: string;

before(async () => {
  stores = await startStores();
  dbs = stores.dbs;
  ({ id: userId } = await factory.user(dbs.main, { steamId: STEAM_ID, personaName: 'Alice' }));
});
after(() => stores.close());

async function setup(logger = createLogger({ service: 'backend', level: 'silent' })) {
  const now = () => Date.now() + offsetMs;
  const { app, ctx, close } = await buildTestApp(loadConfig, (c) => buildApp(c, { now }), {
    stores,
    logger,
    env: { ALLOWED_ORIGINS: SITE, SESSION_CACHE_MS: '0', SESSION_IDLE_TTL_SECONDS: '3600' },
  });
  const { config } = ctx;
  const sessions = new SessionStore(ctx.redis, { keyPrefix: config.redis.keyPrefix, ...config.session, now });
  const { token } = await sessions.create({ userId, steamId: STEAM_ID, ip: '127.0.0.1', userAgent: 'test' });
  const headers = { cookie: `${config.session.cookieName}=${token}`, origin: SITE };
  return { app, close, sessions, token, headers };
}

const tradeUrl = (partner: number | string, token = 'AbC-12_x') =>
  `https://steamcommunity.com/tradeoffer/new/?partner=${partner}&token=${token}`;

test('GET /api/v1/me answers the signed-in user; without a session it is 401', async (t) => {
  const { app, close, headers } = await setup();
  t.after(close);
  const me = await app.inject({ method: 'GET', url: '/api/v1/me', headers });
  assert.equal(me.statusCode, 200);
  assert.equal(me.json().steamId, STEAM_ID);
  assert.equal(me.json().personaName, 'Alice');
  const anonymous = await app.inject('/api/v1/me');
  assert.equal(anonymous.statusCode, 401);
  assert.equal(anonymous.json().error.code, 'UNAUTHENTICATED');
  const forged = await app.inject({
    method: 'GET',
    url: '/api/v1/me',
    headers: { cookie: `cs2t_session=${userId}.${'x'.repeat(43)}` },
  });
  assert.equal(forged.statusCode, 401);
});

test('a revoked or expired session is refused', async (t) => {
  t.after(() => (offsetMs = 0));
  const idle = await setup();
  t.after(idle.close);
  offsetMs = 3_601_000;
  const expired = await idle.app.inject({ method: 'GET', url: '/api/v1/me', headers: idle.headers });
  assert.equal(expired.statusCode, 401, 'idle for longer than SESSION_IDLE_TTL_SECONDS');
  offsetMs = 0;
  const revoked = await setup();
  t.after(revoked.close);
  assert.equal(
    (await revoked.app.inject({ method: 'GET', url: '/api/v1/me', headers: revoked.headers })).statusCode,
    200,
  );
  await revoked.sessions.revoke(revoked.token);
  assert.equal(
    (await revoked.app.inject({ method: 'GET', url: '/api/v1/me', headers: revoked.headers })).statusCode,
    401,
  );
});

test('PUT /api/v1/me/trade-url stores partner + token and answers the rebuilt URL', async (t) => {
  const { app, close, headers } = await setup();
  t.after(close);
  const res = await app.inject({
    method: 'PUT',
    url: '/api/v1/me/trade-url',
    headers,
    payload: { tradeUrl: tradeUrl(ACCOUNT_ID) },
  });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().tradeUrl, tradeUrl(ACCOUNT_ID));
  const row = await dbs.main
    .selectFrom('users')
    .selectAll()
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  assert.equal(row.trade_partner_id, ACCOUNT_ID);
  assert.equal(row.trade_token, 'AbC-12_x');
  const me = await app.inject({ method: 'GET', url: '/api/v1/me', headers });
  assert.equal(me.json().tradeUrl, tradeUrl(ACCOUNT_ID));
});

const refusedTradeUrls: [string, string, string][] = [
  ['not a URL', 'steamcommunity.com/tradeoffer/new/?partner=1&token=abcdefgh', 'not_a_url'],
  ['http', tradeUrl(ACCOUNT_ID).replace('https:', 'http:'), 'host'],
  [
    'another host',
    tradeUrl(ACCOUNT_ID).replace('steamcommunity.com', 'steamcommunity.com.evil.test'),
    'host',
  ],
  ['a look-alike host', tradeUrl(ACCOUNT_ID).replace('steamcommunity.com', 'steamcommunlty.com'), 'host'],
  ['userinfo', tradeUrl(ACCOUNT_ID).replace('https://', 'https://evil@'), 'host'],
  ['a port', tradeUrl(ACCOUNT_ID).replace('.com/', '.com:8443/'), 'host'],
  ['another path', tradeUrl(ACCOUNT_ID).replace('/tradeoffer/new/', '/tradeoffer/'), 'path'],
  ['missing token', `https://steamcommunity.com/tradeoffer/new/?partner=${ACCOUNT_ID}`, 'parameters'],
  ['an extra parameter', `${tradeUrl(ACCOUNT_ID)}&redirect=evil`, 'parameters'],
  ['a duplicate partner', `${tradeUrl(ACCOUNT_ID)}&partner=${ACCOUNT_ID}`, 'parameters'],
  ['a fragment', `${tradeUrl(ACCOUNT_ID)}#x`, 'parameters'],
  ['a non-numeric partner', tradeUrl('abc'), 'partner'],
  ['a partner beyond 32 bits', tradeUrl('4294967296'), 'partner'],
  ['a SteamID64 as partner', tradeUrl(STEAM_ID), 'partner'],
  ["someone else's partner", tradeUrl(accountIdFromSteamId64(OTHER_STEAM_ID)), 'not_yours'],
  ['a token with odd characters', tradeUrl(ACCOUNT_ID, 'abc$efgh'), 'token'],
  ['a token too long', tradeUrl(ACCOUNT_ID, 'a'.repeat(17)), 'token'],
  ['a token too short', tradeUrl(ACCOUNT_ID, 'abc'), 'token'],
];

test('PUT /api/v1/me/trade-url refuses every malformed or foreign trade URL with TRADE_URL_INVALID', async (t) => {
  const { app, close, headers } = await setup();
  t.after(close);
  for (const [label, url, reason] of refusedTradeUrls) {
    const res = await app.inject({
      method: 'PUT',
      url: '/api/v1/me/trade-url',
      headers,
      payload: { tradeUrl: url },
    });
    assert.equal(res.statusCode, 400, label);
    assert.equal(res.json().error.code, 'TRADE_URL_INVALID', label);
    assert.equal(res.json().error.reason, reason, label);
    assert.equal(res.json().error.field, '/body/tradeUrl', label);
  }
});

test('CSRF: PUT /api/v1/me/trade-url from another origin, or with none, is refused', async (t) => {
  const { app, close, headers } = await setup();
  t.after(close);
  for (const origin of ['https://evil.test', 'https://site.test.evil.test', undefined]) {
    const res = await app.inject({
      method: 'PUT',
      url: '/api/v1/me/trade-url',
      headers: { cookie: headers.cookie, ...(origin ? { origin } : {}) },
      payload: { tradeUrl: tradeUrl(ACCOUNT_ID) },
    });
    assert.equal(res.statusCode, 403, String(origin));
    assert.equal(res.json().error.code, 'CSRF_REJECTED');
  }
});

test('every refusal is logged at warn with its code and reason, never the trade URL', async (t) => {
  const logs = captureLogs();
  const logger = createLogger({ service: 'backend', level: 'info', destination: logs.destination });
  const { app, close, headers } = await setup(logger);
  t.after(close);
  const put = (payload: unknown) =>
    app.inject({ method: 'PUT', url: '/api/v1/me/trade-url', headers, payload: payload as object });
  assert.equal((await put({ tradeUrl: tradeUrl(ACCOUNT_ID, 'Secret-Tok') })).statusCode, 200);
  assert.equal((await put({ tradeUrl: tradeUrl(1, 'Secret-Tok') })).statusCode, 400);
  assert.equal((await put({ url: 'x' })).statusCode, 400);
  await dbs.main.updateTable('users').set({ banned_at: new Date() }).where('id', '=', userId).execute();
  t.after(() => dbs.main.updateTable('users').set({ banned_at: null }).where('id', '=', userId).execute());
  const banned = await app.inject({ method: 'GET', url: '/api/v1/me', headers });
  assert.equal(banned.statusCode, 401);
  const warned = logs.lines
    .filter((l) => l.level === 'warn')
    .map((l) => `${String(l.code)}/${String(l.reason)}`);
  assert.deepEqual(warned, [
    'TRADE_URL_INVALID/not_yours',
    'VALIDATION_FAILED/undefined',
    'UNAUTHENTICATED/user_banned',
  ]);
  assert.ok(!logs.text().includes('Secret-Tok'), 'the trade token reached the log');
});

test('MySQL down: /api/v1/me answers 503 DEPENDENCY_UNAVAILABLE, never 500', async (t) => {
  const mysqlUrl = new URL(process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306');
  const gate = await startTcpGate({ host: mysqlUrl.hostname, port: Number(mysqlUrl.port || 3306) });
  t.after(() => gate.stop());
  const url = new URL(mysqlUrl);
  url.host = gate.address;
  const { app, ctx, close } = await buildTestApp(loadConfig, (c) => buildApp(c), {
    stores,
    env: { ALLOWED_ORIGINS: SITE, SESSION_CACHE_MS: '0', MYSQL_URL: url.toString() },
  });
  t.after(close);
  const sessions = new SessionStore(ctx.redis, {
    keyPrefix: ctx.config.redis.keyPrefix,
    ...ctx.config.session,
  });
  const { token } = await sessions.create({ userId, steamId: STEAM_ID, ip: '127.0.0.1', userAgent: 'test' });
  const headers = { cookie: `${ctx.config.session.cookieName}=${token}` };
  assert.equal((await app.inject({ url: '/api/v1/me', headers })).statusCode, 200);
  gate.close();
  const down = await app.inject({ url: '/api/v1/me', headers });
  assert.equal(down.statusCode, 503, down.body);
  assert.equal(down.json().error.code, 'DEPENDENCY_UNAVAILABLE');
  gate.open();
  await eventually(async () => (await app.inject({ url: '/api/v1/me', headers })).statusCode === 200);
});
