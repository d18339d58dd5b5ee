// The socket server against real parts: fresh MariaDB databases and Redis, the service built as
// production builds it (createSocketServer on a test context), listening on an ephemeral port,
// and socket.io-client connecting over a real WebSocket.
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import type { Env } from '@platform/config';
import { SessionStore } from '@platform/http';
import { createTestContext, eventually, factory, type Stores, type TestContext } from '@platform/testing';
import { createSocketServer, type SocketServer } from '../src/app.ts';
import { loadConfig, type SocketConfig } from '../src/config.ts';

export interface Live {
  server: SocketServer;
  ctx: TestContext<SocketConfig>['ctx'];
  url: string;
  close(): Promise<void>;
}

/** Settings that make the tests quick: short batch window and poll, no settle time. */
export const FAST: Env = {
  SOCKET_SITE_BATCH_MS: '50',
  SOCKET_POLL_MS: '100',
  SOCKET_POLL_SETTLE_MS: '0',
  SOCKET_LEASE_MS: '1000',
  LEADERBOARD_INTERVAL_MS: '200',
  SESSION_CACHE_MS: '0',
  SOCKET_SESSION_CHECK_MS: '200',
};

export async function startLive(stores: Stores, env: Env): Promise<Live> {
  const test = await createTestContext(loadConfig, { stores, name: 'socket', env: { ...FAST, ...env } });
  const server = await createSocketServer(test.ctx);
  await server.start();
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  return {
    server,
    ctx: test.ctx,
    url,
    async close() {
      await server.app.close();
      await test.close();
    },
  };
}

/** A signed-in user: a user row and a session (as the login service writes it), as a cookie. */
export async function signedIn(
  live: { ctx: Live['ctx'] },
  stores: Stores,
): Promise<{ userId: string; cookie: string }> {
  const user = await factory.user(stores.dbs.main, {});
  const sessions = new SessionStore(live.ctx.redis, {
    keyPrefix: live.ctx.config.redis.keyPrefix,
    ...live.ctx.config.session,
  });
  const { token } = await sessions.create({
    userId: user.id,
    steamId: user.steamId,
    ip: '127.0.0.1',
    userAgent: 'test',
  });
  return { userId: user.id, cookie: `${live.ctx.config.session.cookieName}=${token}` };
}

export interface Received {
  event: string;
  data: Record<string, unknown>;
}

export interface Client {
  socket: ClientSocket;
  events: Received[];
  /** Events of one name, in the order received. */
  of(event: string): Array<Record<string, unknown>>;
  ready: Promise<Record<string, unknown>>;
  close(): void;
}

/** A socket.io client that records every event it gets. */
export function client(
  url: string,
  opts: {
    cookie?: string;
    auth?: Record<string, unknown>;
    transports?: string[];
    reconnection?: boolean;
  } = {},
): Client {
  const socket = connect(url, {
    path: '/socket.io',
    transports: opts.transports ?? ['websocket'],
    reconnection: opts.reconnection ?? false,
    forceNew: true,
    ...(opts.cookie ? { extraHeaders: { cookie: opts.cookie } } : {}),
    ...(opts.auth ? { auth: opts.auth } : {}),
  });
  const events: Received[] = [];
  socket.onAny((event: string, data: Record<string, unknown>) => events.push({ event, data }));
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    socket.once('ready', resolve);
    socket.once('connect_error', reject);
  });
  return {
    socket,
    events,
    of: (event) => events.filter((e) => e.event === event).map((e) => e.data),
    ready,
    close: () => socket.disconnect(),
  };
}

export function tradeUpdated(userId: string, tradeId: string, version: number, state: string) {
  return {
    v: 1 as const,
    type: 'trade.updated' as const,
    eventId: randomUUID(),
    tradeId,
    userId,
    version,
    trade: { id: tradeId, state, updatedAt: new Date().toISOString() },
    at: new Date().toISOString(),
  };
}

export function reserved(tradeId: string, assetIds: string[]) {
  return {
    v: 1 as const,
    type: 'site-items.reserved' as const,
    eventId: randomUUID(),
    tradeId,
    assetIds,
    reservedUntil: new Date(Date.now() + 600_000).toISOString(),
    at: new Date().toISOString(),
  };
}

export { eventually };
