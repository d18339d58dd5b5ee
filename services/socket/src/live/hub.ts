import type { Server as HttpServer, IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';
import { Counter, Gauge, type Registry } from 'prom-client';
import { Server, type Socket } from 'socket.io';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import type { RedisKeys } from '@platform/bus';
import type { Redis } from '@platform/db';
import { normalizeOrigins, sessionCookie, type AccountStatus, type SessionStore } from '@platform/http';
import type { Logger } from '@platform/observability';
import { wire, type LiveMessage } from './events.ts';
import type { Replay, StreamRepository } from './stream.repository.ts';

export interface HubLimits {
  connectionsPerIp: number;
  handshakesPerIpPerMinute: number;
  messagesPer10s: number;
  maxMessageBytes: number;
  maxBufferedBytes: number;
  checkMs: number;
  sessionCheckMs: number;
}

export interface HubOptions {
  server: HttpServer;
  /** Publishes (SPUBLISH) for the adapter; the request-path client. */
  redis: Redis;
  /** The adapter's subscriber (its own connection). */
  subscriber: Redis;
  keys: RedisKeys;
  logger: Logger;
  streams: StreamRepository;
  sessions: SessionStore;
  accounts: AccountStatus;
  cookieName: string;
  allowedOrigins: readonly string[];
  trustProxy: readonly string[];
  limits: HubLimits;
  /** Most entries replayed to one reconnecting client per stream; beyond it: resync. */
  replayMax: number;
  registry: Registry;
}

interface LiveData {
  ip: string;
  userId: string | null;
  /** The session token, kept to revalidate it (never logged). */
  token: string | null;
  /** The highest seq of each stream this socket was sent. */
  userSeq: number;
  siteSeq: number;
  /** Live messages held while the socket's replay is read (null once it is live). */
  pendingUser: LiveMessage[] | null;
  pendingSite: LiveMessage[] | null;
  messages: number;
  windowStart: number;
}

type LiveSocket = Socket<
  Record<string, never>,
  Record<string, (...args: unknown[]) => void>,
  Record<string, (m: LiveMessage) => void>,
  LiveData
>;

/** Refusal at the handshake: the client's connect_error carries `data.code`. */
function refusal(code: string, message: string): Error & { data: { code: string } } {
  return Object.assign(new Error(message), { data: { code } });
}

const SITE_ROOM = 'site';
const userRoom = (userId: string) => `u:${userId}`;

/**
 * One process's Socket.IO server: who may connect (limits, the session cookie), the rooms a
 * socket is put in (only the server assigns rooms: the signed-in user's own, and the site's),
 * replay on connect, and delivery of the sequenced messages. Messages reach every socket
 * process through the Redis adapter (serverSideEmit over sharded pub/sub, so they arrive in the
 * order the sequencer sent them); each process writes them to its own sockets, holding a
 * socket's live messages while its replay is read so that it gets every seq once, in order.
 */
export class LiveHub {
  readonly io: Server;
  readonly #o: HubOptions;
  readonly #users = new Map<string, Set<LiveSocket>>();
  readonly #sitePending = new Set<LiveSocket>();
  readonly #perIp = new Map<string, number>();
  readonly #trust: ReturnType<typeof proxyaddr.compile>;
  readonly #origins: ReadonlySet<string>;
  readonly #timers: NodeJS.Timeout[] = [];
  #leaderboard: { seq: number; data: Record<string, unknown> } | undefined;
  readonly #m: { connections: Gauge; refused: Counter<'reason'>; slow: Counter; sent: Counter<'event'> };

  constructor(o: HubOptions) {
    this.#o = o;
    this.#trust = proxyaddr.compile([...o.trustProxy]);
    this.#origins = normalizeOrigins(o.allowedOrigins);
    this.io = new Server(o.server, {
      path: '/socket.io',
      serveClient: false,
      maxHttpBufferSize: o.limits.maxMessageBytes,
      adapter: createShardedAdapter(o.redis, o.subscriber, {
        channelPrefix: o.keys.live.adapterChannel(),
        subscriptionMode: 'static',
      }),
    });
    this.#m = {
      connections: new Gauge({
        name: 'socket_connections',
        help: 'Open Socket.IO connections',
        registers: [o.registry],
      }),
      refused: new Counter({
        name: 'socket_refused_total',
        help: 'Handshakes refused, by reason',
        labelNames: ['reason'],
        registers: [o.registry],
      }),
      slow: new Counter({
        name: 'socket_slow_disconnects_total',
        help: 'Clients disconnected for not reading',
        registers: [o.registry],
      }),
      sent: new Counter({
        name: 'socket_events_total',
        help: 'Live events delivered by this process (a room broadcast counts once)',
        labelNames: ['event'],
        registers: [o.registry],
      }),
    };
    this.io.use((socket, next) => {
      this.#admit(socket as LiveSocket).then(
        () => next(),
        (err: Error) => next(err),
      );
    });
    this.io.on('connection', (socket) => {
      this.#connected(socket as LiveSocket).catch((err: unknown) => {
        this.#o.logger.warn({ err: (err as Error).message }, 'socket setup failed; disconnected');
        socket.disconnect(true);
      });
    });
    this.io.on('live', (message: LiveMessage) => this.deliver(message));
    const slow = setInterval(() => this.#checkBuffers(), o.limits.checkMs);
    const sessions = setInterval(() => void this.#checkSessions(), o.limits.sessionCheckMs);
    slow.unref();
    sessions.unref();
    this.#timers.push(slow, sessions);
  }

  async start(): Promise<void> {
    const last = await this.#o.streams.latestSite('leaderboard').catch(() => undefined);
    if (last && !this.#leaderboard) this.#leaderboard = { seq: last.seq, data: last.data };
  }

  /** A sequenced message: to this process's sockets and, through the adapter, every other process's. */
  fanout(message: LiveMessage): void {
    this.deliver(message);
    this.io.serverSideEmit('live', message);
  }

  /** Writes a message to this process's sockets. */
  deliver(message: LiveMessage): void {
    if (message.stream === 'user') {
      for (const s of this.#users.get(message.userId) ?? []) {
        if (s.data.pendingUser) s.data.pendingUser.push(message);
        else this.#sendUser(s, message);
      }
      return;
    }
    if (message.event === 'leaderboard' && message.seq > (this.#leaderboard?.seq ?? 0))
      this.#leaderboard = { seq: message.seq, data: message.data };
    this.io.local.to(SITE_ROOM).emit(message.event, wire(message.seq, message.data));
    this.#m.sent.inc({ event: message.event });
    for (const s of this.#sitePending) s.data.pendingSite?.push(message);
  }

  get connections(): number {
    return this.io.of('/').sockets.size;
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    this.io.local.disconnectSockets(true);
    await new Promise<void>((resolve) => {
      // io.close() also closes the HTTP server, which Fastify has closed already.
      void this.io.close(() => resolve());
    }).catch(() => {});
  }

  #ipOf(req: IncomingMessage): string {
    return proxyaddr(req, this.#trust);
  }

  async #admit(socket: LiveSocket): Promise<void> {
    const { limits } = this.#o;
    const req = socket.request;
    const ip = this.#ipOf(req);
    const refuse = (code: string, message: string) => {
      this.#m.refused.inc({ reason: code });
      return refusal(code, message);
    };
    if ((this.#perIp.get(ip) ?? 0) >= limits.connectionsPerIp)
      throw refuse('TOO_MANY_CONNECTIONS', 'Too many open connections from your address.');
    // A page of another site must not read a signed-in user's events with their cookie.
    const origin = req.headers.origin;
    if (origin !== undefined && !this.#origins.has(originOf(origin)))
      throw refuse('ORIGIN_NOT_ALLOWED', 'Connections are accepted from the site only.');
    const window = Math.floor(Date.now() / 60_000);
    const key = this.#o.keys.live.handshakes(ip, window);
    const count = await this.#o.redis
      .multi()
      .incr(key)
      .expire(key, 120)
      .exec()
      .then((r) => Number(r?.[0]?.[1] ?? 0))
      // The counter is a guard, not a dependency: without Redis the per-process limit still holds.
      .catch(() => 0);
    if (count > limits.handshakesPerIpPerMinute)
      throw refuse('RATE_LIMITED', 'Too many connection attempts; try again in a minute.');
    let userId: string | null = null;
    const token = sessionCookie({ headers: req.headers } as never, this.#o.cookieName) ?? null;
    if (token) {
      // A Redis outage refuses the handshake (DEPENDENCY_UNAVAILABLE): the client tries again
      // rather than silently missing its own events as an anonymous socket.
      const session = await this.#o.sessions.validate(token);
      if (session && !(await this.#o.accounts.isBanned(session.userId))) userId = session.userId;
    }
    socket.data = {
      ip,
      userId,
      token: userId ? token : null,
      userSeq: 0,
      siteSeq: 0,
      pendingUser: null,
      pendingSite: null,
      messages: 0,
      windowStart: Date.now(),
    };
  }

  async #connected(socket: LiveSocket): Promise<void> {
    const d = socket.data;
    this.#perIp.set(d.ip, (this.#perIp.get(d.ip) ?? 0) + 1);
    this.#m.connections.inc();
    d.pendingSite = [];
    this.#sitePending.add(socket);
    if (d.userId) {
      d.pendingUser = [];
      let set = this.#users.get(d.userId);
      if (!set) this.#users.set(d.userId, (set = new Set()));
      set.add(socket);
      void socket.join(userRoom(d.userId));
    }
    socket.on('disconnect', () => this.#gone(socket));
    socket.use(([event, ...args], _next) => {
      // The client has nothing to send (rooms come from the session), so every message is
      // counted, answered with an error when it asks for an answer, and never handled.
      const now = Date.now();
      if (now - d.windowStart >= 10_000) {
        d.windowStart = now;
        d.messages = 0;
      }
      if (++d.messages > this.#o.limits.messagesPer10s) {
        this.#o.logger.warn({ userId: d.userId, reason: 'message_rate' }, 'socket disconnected');
        socket.disconnect(true);
        return;
      }
      const ack: unknown = args.at(-1);
      if (typeof ack === 'function')
        (ack as (r: unknown) => void)({
          error: { code: 'UNKNOWN_EVENT', message: `The server takes no "${String(event)}" messages.` },
        });
    });
    const auth = (socket.handshake.auth ?? {}) as Record<string, unknown>;
    const lastSeq = seqOf(auth.lastSeq);
    const lastSiteSeq = seqOf(auth.lastSiteSeq);
    const max = this.#o.replayMax;
    let user: Replay | undefined;
    let site: Replay;
    try {
      [user, site] = await Promise.all([
        d.userId ? this.#o.streams.replayUser(d.userId, lastSeq, max) : undefined,
        this.#o.streams.replaySite(lastSiteSeq, max),
      ]);
    } catch (err) {
      this.#o.logger.warn({ err: (err as Error).message }, 'replay not read; the client resyncs');
      user = d.userId ? { kind: 'resync', current: 0 } : undefined;
      site = { kind: 'resync', current: 0 };
    }
    if (!socket.connected) return;
    if (d.userId && user) {
      this.#replay(socket, 'user', user, lastSeq);
      for (const m of d.pendingUser ?? []) this.#sendUser(socket, m);
      d.pendingUser = null;
    }
    if (lastSiteSeq === undefined && this.#leaderboard)
      socket.emit('leaderboard', wire(this.#leaderboard.seq, this.#leaderboard.data));
    this.#replay(socket, 'site', site, lastSiteSeq);
    for (const m of d.pendingSite ?? []) this.#sendSite(socket, m);
    d.pendingSite = null;
    this.#sitePending.delete(socket);
    void socket.join(SITE_ROOM);
    socket.emit('ready', {
      signedIn: d.userId !== null,
      seq: d.userId ? d.userSeq : null,
      siteSeq: d.siteSeq,
    });
  }

  #replay(socket: LiveSocket, stream: 'user' | 'site', r: Replay, last: number | undefined): void {
    const d = socket.data;
    const set = (seq: number) => (stream === 'user' ? (d.userSeq = seq) : (d.siteSeq = seq));
    if (r.kind === 'resync') {
      socket.emit('resync', { stream, seq: r.current });
      set(r.current);
      return;
    }
    if (last === undefined) {
      set(r.current);
      return;
    }
    set(last);
    for (const e of r.entries) {
      if (stream === 'user') this.#sendUser(socket, e);
      else this.#sendSite(socket, e);
    }
  }

  #sendUser(s: LiveSocket, m: { seq: number; event: string; data: Record<string, unknown> }): void {
    if (m.seq <= s.data.userSeq) return;
    s.data.userSeq = m.seq;
    s.emit(m.event, wire(m.seq, m.data));
    this.#m.sent.inc({ event: m.event });
  }

  #sendSite(s: LiveSocket, m: { seq: number; event: string; data: Record<string, unknown> }): void {
    if (m.seq <= s.data.siteSeq) return;
    s.data.siteSeq = m.seq;
    s.emit(m.event, wire(m.seq, m.data));
  }

  #gone(socket: LiveSocket): void {
    const d = socket.data;
    if (!d?.ip) return;
    this.#m.connections.dec();
    const n = (this.#perIp.get(d.ip) ?? 1) - 1;
    if (n <= 0) this.#perIp.delete(d.ip);
    else this.#perIp.set(d.ip, n);
    this.#sitePending.delete(socket);
    if (d.userId) {
      const set = this.#users.get(d.userId);
      set?.delete(socket);
      if (set?.size === 0) this.#users.delete(d.userId);
    }
  }

  /** A client that does not read is disconnected before its buffer grows past the limit. */
  #checkBuffers(): void {
    const max = this.#o.limits.maxBufferedBytes;
    for (const s of this.io.of('/').sockets.values()) {
      const bytes = bufferedBytes(s);
      if (bytes <= max) continue;
      this.#m.slow.inc();
      this.#o.logger.warn({ userId: (s.data as LiveData).userId, bytes }, 'slow client disconnected');
      const conn = s.conn as unknown as {
        close(discard: boolean): void;
        writeBuffer: unknown[];
        transport?: { socket?: { terminate?: () => void } };
      };
      const raw = conn.transport?.socket;
      // What is queued is dropped: a plain disconnect would wait for the buffer to drain, which
      // a client that does not read never lets happen.
      conn.writeBuffer = [];
      s.disconnect(false);
      conn.close(true);
      raw?.terminate?.();
    }
  }

  /** A revoked or expired session, or a ban, ends the signed-in sockets that rode on it. */
  async #checkSessions(): Promise<void> {
    for (const set of this.#users.values()) {
      for (const s of set) {
        const { token, userId } = s.data;
        if (!token || !userId) continue;
        try {
          const session = await this.#o.sessions.validate(token);
          if (!session || (await this.#o.accounts.isBanned(userId))) {
            this.#o.logger.info({ userId }, 'session ended; socket disconnected');
            s.disconnect(true);
          }
        } catch {
          return; // Redis or MySQL away: try again next time
        }
      }
    }
  }
}

function originOf(header: string): string {
  try {
    return new URL(header).origin;
  } catch {
    return 'null';
  }
}

/** A non-negative safe integer, or undefined (absent or not a number: a new page). */
function seqOf(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** What waits to be written to a client: engine.io's queue plus the WebSocket's own buffer. */
function bufferedBytes(s: Socket): number {
  const conn = s.conn as unknown as {
    writeBuffer?: Array<{ data?: unknown }>;
    transport?: { socket?: { bufferedAmount?: number } };
  };
  let n = 0;
  for (const p of conn.writeBuffer ?? []) n += typeof p.data === 'string' ? p.data.length : 64;
  return n + (conn.transport?.socket?.bufferedAmount ?? 0);
}
