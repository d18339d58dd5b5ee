// The one public origin: the API, sign-in and live updates behind one port, passed through with
// the client's address and the request id; internal routes never. The backend and login are the
// real services (through their package entries), signing in at the Steam emulator.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { io as connect } from 'socket.io-client';
import type { FastifyInstance } from 'fastify';
import { buildApp as buildBackend, loadConfig as loadBackendConfig } from '@platform/backend';
import { buildApp as buildLogin, loadConfig as loadLoginConfig } from '@platform/login';
import { SessionStore } from '@platform/http';
import { createSocketServer, loadConfig as loadSocketConfig, type SocketServer } from '@platform/socket';
import {
  buildTestApp,
  createTestContext,
  documentationProblems,
  factory,
  startEmulator,
  startStores,
  TEST_INTERNAL_TOKEN,
  uniquePrefix,
  type Emulator,
  type Stores,
} from '@platform/testing';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

let stores: Stores;
let emulator: Emulator;
let backend: FastifyInstance;
let login: FastifyInstance;
let gateway: FastifyInstance;
let origin: string;
let live: SocketServer;
let liveContext: Awaited<ReturnType<typeof createTestContext<ReturnType<typeof loadSocketConfig>>>>;

const port = (app: FastifyInstance) => (app.server.address() as AddressInfo).port;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address() as AddressInfo;
      s.close(() => resolve(a.port));
    });
  });
}

before(async () => {
  stores = await startStores();
  emulator = await startEmulator({ bots: 1, itemsPerBot: 5, users: 2, userItemsMin: 1, userItemsMax: 2 });
  const gatewayPort = await freePort();
  origin = `http://127.0.0.1:${gatewayPort}`;
  // The services behind the gateway trust it on loopback for the client's address, and the
  // browser knows only the gateway's origin.
  const behind = {
    TRUST_PROXY: 'loopback',
    ALLOWED_ORIGINS: origin,
    SESSION_CACHE_MS: '0',
    REDIS_KEY_PREFIX: uniquePrefix('gw'),
  };
  ({ app: backend } = await buildTestApp(loadBackendConfig, (ctx) => buildBackend(ctx), {
    stores,
    env: { ...behind, RATE_LIMIT_MAX: '2' },
  }));
  ({ app: login } = await buildTestApp(loadLoginConfig, (ctx) => buildLogin(ctx), {
    stores,
    env: {
      ...behind,
      LOGIN_PUBLIC_URL: origin,
      LOGIN_DEFAULT_REDIRECT: `${origin}/`,
      STEAM_OPENID_URL: `${emulator.base}/openid/login`,
      STEAM_WEB_API_URL: emulator.base,
      STEAM_API_KEY: emulator.world.bots()[0]!.apiKey,
    },
  }));
  await backend.listen({ host: '127.0.0.1', port: 0 });
  await login.listen({ host: '127.0.0.1', port: 0 });
  // The real socket server (services/socket has its own tests of what it sends).
  liveContext = await createTestContext(loadSocketConfig, { stores, name: 'socket', env: behind });
  live = await createSocketServer(liveContext.ctx);
  await live.start();
  await live.app.listen({ host: '127.0.0.1', port: 0 });
  ({ app: gateway } = await buildTestApp(loadConfig, (ctx) => buildApp(ctx), {
    stores,
    env: {
      BACKEND_URL: `http://127.0.0.1:${port(backend)}`,
      LOGIN_URL: `http://127.0.0.1:${port(login)}`,
      SOCKET_URL: `http://127.0.0.1:${port(live.app)}`,
    },
  }));
  await gateway.listen({ host: '127.0.0.1', port: gatewayPort });
});
after(async () => {
  await gateway.close();
  await backend.close();
  await login.close();
  await live.app.close();
  await liveContext.close();
  await emulator.close();
  await stores.close();
});

test('the API passes through with its request id; each client keeps its own rate-limit budget', async () => {
  const res = await fetch(`${origin}/api/v1/status`, { headers: { 'x-request-id': 'gw-test-1' } });
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as { siteEnabled: boolean }).siteEnabled, true);
  assert.equal(res.headers.get('x-request-id'), 'gw-test-1', 'the same id end to end');
  // The backend allows 2 per client here: a third from one client is limited, another client is not.
  const from = (ip: string) => gateway.inject({ url: '/api/v1/status', remoteAddress: ip });
  assert.deepEqual(
    [
      (await from('198.51.100.7')).statusCode,
      (await from('198.51.100.7')).statusCode,
      (await from('198.51.100.7')).statusCode,
    ],
    [200, 200, 429],
  );
  assert.equal((await from('198.51.100.8')).statusCode, 200);
});

test('sign-in through the gateway: Steam returns to it, the cookie is set on it, the API accepts it', async () => {
  const alice = emulator.world.users()[0]!;
  await emulator.control('POST', '_emulator/openid/auto', { steamid: alice.steamid });
  try {
    const jar = new Map<string, string>();
    const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    let url = `${origin}/auth/steam?returnTo=${encodeURIComponent(`${origin}/`)}`;
    const hops: string[] = [];
    for (let hop = 0; hop < 6 && url !== `${origin}/`; hop++) {
      const target = new URL(url);
      const res = await fetch(target, {
        redirect: 'manual',
        headers: target.origin === origin ? { cookie: cookie() } : {},
      });
      hops.push(`${res.status} ${target.origin}${target.pathname}`);
      if (target.origin === origin) {
        for (const line of res.headers.getSetCookie()) {
          const [pair = ''] = line.split(';');
          const eq = pair.indexOf('=');
          jar.set(pair.slice(0, eq), pair.slice(eq + 1));
        }
      }
      url = new URL(res.headers.get('location') ?? '', target).toString();
    }
    assert.deepEqual(hops, [
      `302 ${origin}/auth/steam`,
      `302 ${emulator.base}/openid/login`,
      `302 ${origin}/auth/steam/return`,
    ]);
    assert.equal(url, `${origin}/`, 'the sign-in lands on the public origin');
    const me = await fetch(`${origin}/api/v1/me`, { headers: { cookie: cookie() } });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { steamId: string }).steamId, alice.steamid);
  } finally {
    await emulator.control('POST', '_emulator/openid/auto', { steamid: null });
  }
});

test('live updates at /socket.io pass through, WebSocket and long-polling, signed in by the cookie', async () => {
  const user = await factory.user(stores.dbs.main, {});
  const { config } = liveContext.ctx;
  const sessions = new SessionStore(liveContext.ctx.redis, {
    keyPrefix: config.redis.keyPrefix,
    ...config.session,
  });
  const { token } = await sessions.create({
    userId: user.id,
    steamId: user.steamId,
    ip: '127.0.0.1',
    userAgent: 'test',
  });
  for (const transport of ['websocket', 'polling']) {
    const socket = connect(origin, {
      transports: [transport],
      forceNew: true,
      reconnection: false,
      extraHeaders: { cookie: `${config.session.cookieName}=${token}`, origin },
    });
    const ready = await new Promise<{ signedIn: boolean; seq: number }>((resolve, reject) => {
      socket.once('ready', resolve);
      socket.once('connect_error', reject);
    });
    assert.equal(ready.signedIn, true, `${transport}: the session cookie passed through`);
    const update = new Promise<{ seq: number; trade: { id: string } }>((resolve) =>
      socket.once('trade:update', resolve),
    );
    await liveContext.ctx.bus.publish('trade.updated', {
      v: 1,
      type: 'trade.updated',
      eventId: `gw-${transport}`,
      tradeId: transport === 'websocket' ? '11' : '12',
      userId: user.id,
      version: 1,
      trade: { id: transport === 'websocket' ? '11' : '12', state: 'pending' },
      at: new Date().toISOString(),
    });
    const got = await update;
    assert.equal(got.seq, ready.seq + 1);
    assert.equal(got.trade.id, transport === 'websocket' ? '11' : '12');
    socket.disconnect();
  }
  // A page of another origin is refused: it must not read a user's events with their cookie.
  const foreign = connect(origin, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    extraHeaders: { cookie: `${config.session.cookieName}=${token}`, origin: 'https://evil.test' },
  });
  const refused = await new Promise<Error & { data?: { code: string } }>((resolve) =>
    foreign.once('connect_error', resolve),
  );
  assert.equal(refused.data?.code, 'ORIGIN_NOT_ALLOWED');
  foreign.disconnect();
});

test('internal routes are never reachable through the public origin', async () => {
  const res = await fetch(`${origin}/internal/v1/trades/1`, {
    headers: { authorization: `Bearer ${TEST_INTERNAL_TOKEN}` },
  });
  assert.equal(res.status, 404);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
});

test("the gateway's own routes are described and served at /docs", async () => {
  assert.deepEqual(await documentationProblems(gateway), []);
});

test("the storefront's settings: Steam's community site unless the emulator stands in for it", async () => {
  const res = await fetch(`${origin}/storefront.json`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { steamCommunityUrl: 'https://steamcommunity.com', emulatorUrl: null });
});
