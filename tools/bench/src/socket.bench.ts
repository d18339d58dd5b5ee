// Live updates benchmark (services/socket): 10,000 connected clients over WebSocket from several
// client processes; fan-out latency (publish on the bus → received by a client) p50/p99 of a site
// event (to everyone, through the batch window) and of a user event (to its owner), messages/s
// while site events are published back to back, and the server's memory per connection. The
// baseline, in the same run: a bare Socket.IO server (no adapter, streams or auth) broadcasting
// to as many clients.
//   npm run bench -- socket [--clients 10000] [--workers 4] [--users 500] [--rounds 20] [--seconds 5]
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Bus } from '@platform/bus';
import { createRedis, deleteByPrefix } from '@platform/db';
import { createTestDatabases } from '@platform/db/testing';
import { SessionStore } from '@platform/http';
import { createLogger } from '@platform/observability';
import { factory, freePort, stopProcess, uniquePrefix, waitForHttp } from '@platform/testing';

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Worker {
  child: ChildProcess;
  request<T>(msg: object, answer: string): Promise<T>;
}

function startWorker(): Worker {
  const child = fork(new URL('./socket-clients.worker.ts', import.meta.url).pathname, [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return {
    child,
    request<T>(msg: object, answer: string) {
      return new Promise<T>((resolve) => {
        const on = (m: { type: string }) => {
          if (m.type !== answer) return;
          child.off('message', on);
          resolve(m as T);
        };
        child.on('message', on);
        child.send(msg);
      });
    },
  };
}

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

function latest(times: Map<string, number[]>): number {
  let max = 0;
  for (const list of times.values()) for (const t of list) if (t > max) max = t;
  return max;
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');

interface Report {
  received: Array<[string, number[]]>;
  counts: Record<string, number>;
  connected: number;
  summary: { marked: Record<string, number>; latest: number };
}

async function connectClients(
  workers: Worker[],
  url: string,
  total: number,
  cookies: string[],
): Promise<number> {
  const per = Math.ceil(total / workers.length);
  const t0 = now();
  const results = await Promise.all(
    workers.map((w, i) =>
      w.request<{ connected: number; failed: number }>(
        {
          type: 'connect',
          url,
          count: Math.min(per, total - i * per),
          cookies: cookies.slice(i * per, (i + 1) * per),
          parallel: 25,
        },
        'connected',
      ),
    ),
  );
  const connected = results.reduce((s, r) => s + r.connected, 0);
  console.log(`  ${connected}/${total} connected in ${((now() - t0) / 1000).toFixed(1)} s`);
  return connected;
}

async function collect(workers: Worker[]): Promise<Collected> {
  const reports = await Promise.all(workers.map((w) => w.request<Report>({ type: 'report' }, 'report')));
  const times = new Map<string, number[]>();
  const counts: Record<string, number> = {};
  const marked: Record<string, number> = {};
  let last = 0;
  for (const r of reports) {
    for (const [id, list] of r.received) times.set(id, [...(times.get(id) ?? []), ...list]);
    for (const [k, v] of Object.entries(r.counts)) counts[k] = (counts[k] ?? 0) + v;
    for (const [k, v] of Object.entries(r.summary.marked)) marked[k] = (marked[k] ?? 0) + v;
    last = Math.max(last, r.summary.latest);
  }
  return { times, counts, marked, latest: last };
}

interface Collected {
  times: Map<string, number[]>;
  counts: Record<string, number>;
  /** Marked deliveries by kind (`site`, `user`, `bench`) and the latest, kept in every mode. */
  marked: Record<string, number>;
  latest: number;
}

/** Collects once deliveries have stopped arriving (the server and the clients have caught up). */
async function quiet(workers: Worker[]): Promise<Collected> {
  let previous = -1;
  for (let i = 0; i < 60; i++) {
    await sleep(1_000);
    const c = await collect(workers);
    const total = Object.values(c.counts).reduce((a, b) => a + b, 0);
    if (total === previous) return c;
    previous = total;
  }
  return collect(workers);
}

function latencies(published: Map<string, number>, times: Map<string, number[]>, expected: number) {
  const all: number[] = [];
  let missing = 0;
  for (const [id, at] of published) {
    const got = times.get(id) ?? [];
    missing += Math.max(0, expected - got.length);
    for (const t of got) all.push(t - at);
  }
  all.sort((a, b) => a - b);
  return { p50: pct(all, 50), p99: pct(all, 99), max: all.at(-1) ?? NaN, n: all.length, missing };
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      clients: { type: 'string', default: '10000' },
      workers: { type: 'string', default: '4' },
      users: { type: 'string', default: '500' },
      rounds: { type: 'string', default: '20' },
      seconds: { type: 'string', default: '5' },
    },
  });
  const total = Number(values.clients);
  const users = Math.min(Number(values.users), total);
  const rounds = Number(values.rounds);
  const seconds = Number(values.seconds);
  console.log(
    `socket bench: ${total} clients in ${values.workers} client processes (${users} signed in), ${rounds} rounds; ` +
      'the machine is shared (other work may run beside it): compare the ratios, not the absolute numbers',
  );

  const dbs = await createTestDatabases({ poolSize: 4 });
  const prefix = uniquePrefix('bench:socket');
  const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const redisSettings = { url: redisUrl, keyPrefix: prefix, cluster: process.env.REDIS_CLUSTER === 'true' };
  const redis = createRedis(redisSettings, { lazyConnect: false, enableOfflineQueue: true });
  const logger = createLogger({ service: 'bench', level: 'warn' });
  const bus = new Bus({ redis: redisSettings, client: redis, logger });
  const workers = Array.from({ length: Number(values.workers) }, startWorker);
  const children: ChildProcess[] = [];
  try {
    // Signed-in clients: users with sessions, as the login service writes them.
    const sessions = new SessionStore(redis, {
      keyPrefix: prefix,
      idleTtlSeconds: 3600,
      absoluteTtlSeconds: 3600,
      cacheMs: 60_000,
    });
    const userIds: string[] = [];
    const cookies: string[] = [];
    for (let i = 0; i < users; i++) {
      const u = await factory.user(dbs.main, {});
      const { token } = await sessions.create({
        userId: u.id,
        steamId: u.steamId,
        ip: '127.0.0.1',
        userAgent: 'bench',
      });
      userIds.push(u.id);
      cookies.push(`cs2t_session=${token}`);
    }
    // Spread the signed-in ones over the client processes.
    const spread: string[] = new Array<string>(total).fill('');
    const per = Math.ceil(total / workers.length);
    cookies.forEach((c, i) => (spread[(i % workers.length) * per + Math.floor(i / workers.length)] = c));

    // ---- the socket server (one process, as npm start runs it) ----
    const port = await freePort();
    const server = spawn(process.execPath, ['services/socket/src/main.ts'], {
      env: {
        ...process.env,
        PORT: String(port),
        MYSQL_DATABASE: dbs.settings.database,
        PRICING_DATABASE: dbs.settings.pricingDatabase,
        REDIS_KEY_PREFIX: prefix,
        LOG_LEVEL: 'warn',
        SOCKET_MAX_CONNECTIONS_PER_IP: '100000',
        SOCKET_MAX_HANDSHAKES_PER_IP_PER_MINUTE: '1000000',
        SESSION_CACHE_MS: '60000',
        INTERNAL_TOKEN: randomUUID(),
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    children.push(server);
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/readyz`, 60_000);
    await sleep(1_000);
    const rss0 = rssOf(server.pid!);
    console.log('socket server: connecting');
    const connected = await connectClients(workers, url, total, spread);
    await sleep(2_000);
    const rss1 = rssOf(server.pid!);

    // Site events: one reservation per round, to everyone (through the batch window).
    const sitePublished = new Map<string, number>();
    for (let r = 0; r < rounds; r++) {
      const id = String(50_000_000 + r);
      const at = now();
      await bus.publish('site-items.reserved', {
        v: 1,
        type: 'site-items.reserved',
        eventId: randomUUID(),
        tradeId: String(1 + r),
        assetIds: [id],
        reservedUntil: new Date(Date.now() + 600_000).toISOString(),
        at: new Date().toISOString(),
      });
      sitePublished.set(`site:${id}`, at);
      await sleep(300);
    }
    // User events: a trade change for every signed-in user, per round.
    const userPublished = new Map<string, number>();
    for (let r = 0; r < rounds; r++) {
      await Promise.all(
        userIds.map((userId, i) => {
          const tradeId = String(1_000_000 + r * users + i);
          userPublished.set(`user:${tradeId}`, now());
          return bus.publish('trade.updated', {
            v: 1,
            type: 'trade.updated',
            eventId: randomUUID(),
            tradeId,
            userId,
            version: 1,
            trade: { id: tradeId, state: 'pending' },
            at: new Date().toISOString(),
          });
        }),
      );
      await sleep(300);
    }
    const first = await quiet(workers);
    const site = latencies(sitePublished, first.times, connected);
    const user = latencies(userPublished, first.times, 1);
    await Promise.all(workers.map((w) => w.request({ type: 'reset' }, 'reset')));

    // User events back to back: one per signed-in user at a time, unbatched.
    const u0 = now();
    let un = 0;
    while (now() - u0 < seconds * 1000) {
      const round = un++;
      await Promise.all(
        userIds.map((userId, i) => {
          const tradeId = String(5_000_000 + round * users + i);
          return bus.publish('trade.updated', {
            v: 1,
            type: 'trade.updated',
            eventId: randomUUID(),
            tradeId,
            userId,
            version: 1,
            trade: { id: tradeId, state: 'pending' },
            at: new Date().toISOString(),
          });
        }),
      );
    }
    const ub = await quiet(workers);
    const userDelivered = ub.counts['trade:update'] ?? 0;
    const userPerSecond = userDelivered / ((latest(ub.times) - u0) / 1000);
    console.log(`  user: ${un * users} trade updates published in ${seconds} s → ${userDelivered} delivered`);
    await Promise.all(workers.map((w) => w.request({ type: 'reset', keepTimes: false }, 'reset')));
    // Throughput: site events published back to back; deliveries counted at the clients.
    const t0 = now();
    let n = 0;
    while (now() - t0 < seconds * 1000) {
      await bus.publish('site-items.reserved', {
        v: 1,
        type: 'site-items.reserved',
        eventId: randomUUID(),
        tradeId: String(1 + n),
        assetIds: [String(60_000_000 + n++)],
        reservedUntil: new Date(Date.now() + 600_000).toISOString(),
        at: new Date().toISOString(),
      });
    }
    const burst = await quiet(workers);
    // Each reservation reaches every client (batched into fewer messages): changes delivered.
    const changes = burst.marked.site ?? 0;
    const perSecond = changes / ((burst.latest - t0) / 1000);
    console.log(
      `  site: ${n} reservations published in ${seconds} s → ${burst.counts['site:items'] ?? 0} site:items messages carrying ${changes} changes to clients`,
    );
    await Promise.all(workers.map((w) => w.request({ type: 'close' }, 'closed')));
    await stopProcess(server);

    // ---- the baseline: a bare Socket.IO server ----
    const bport = await freePort();
    const baseline = spawn(
      process.execPath,
      [new URL('./socket-baseline.server.ts', import.meta.url).pathname],
      {
        env: { ...process.env, PORT: String(bport) },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    children.push(baseline);
    const burl = `http://127.0.0.1:${bport}`;
    await waitForHttp(`${burl}/healthz`, 30_000);
    await sleep(1_000);
    const brss0 = rssOf(baseline.pid!);
    console.log('baseline (bare Socket.IO): connecting');
    const bconnected = await connectClients(workers, burl, total, []);
    await sleep(2_000);
    const brss1 = rssOf(baseline.pid!);
    const basePublished = new Map<string, number>();
    for (let r = 0; r < rounds; r++) {
      const id = String(r);
      basePublished.set(`bench:${id}`, now());
      await fetch(`${burl}/emit?id=${id}`, { method: 'POST' });
      await sleep(300);
    }
    const b = await quiet(workers);
    const base = latencies(basePublished, b.times, bconnected);
    await Promise.all(workers.map((w) => w.request({ type: 'reset', keepTimes: false }, 'reset')));
    const bt0 = now();
    let bn = 0;
    while (now() - bt0 < seconds * 1000) {
      await fetch(`${burl}/emit?id=t${bn++}`, { method: 'POST' });
    }
    const bburst = await quiet(workers);
    const blast = bburst.latest;
    const bPerSecond = (bburst.counts.bench ?? 0) / ((blast - bt0) / 1000);
    await Promise.all(workers.map((w) => w.request({ type: 'close' }, 'closed')));
    await stopProcess(baseline);

    const memPer = (rss1 - rss0) / Math.max(1, connected);
    const bMemPer = (brss1 - brss0) / Math.max(1, bconnected);
    console.log('');
    console.log('| measure | socket server | bare Socket.IO (baseline) | ratio |');
    console.log('| --- | --- | --- | --- |');
    console.log(`| clients connected | ${connected} | ${bconnected} | |`);
    console.log(
      `| site event fan-out p50 / p99 (ms) | ${fmt(site.p50)} / ${fmt(site.p99)} | ${fmt(base.p50)} / ${fmt(base.p99)} | ${fmt(site.p99 / base.p99)}× (p99) |`,
    );
    console.log(`| site deliveries missing | ${site.missing} of ${rounds * connected} | ${base.missing} | |`);
    console.log(
      `| user event p50 / p99 (ms), ${users} owners × ${rounds} | ${fmt(user.p50)} / ${fmt(user.p99)} | | |`,
    );
    console.log(`| user deliveries missing | ${user.missing} of ${users * rounds} | | |`);
    console.log(
      `| site changes delivered/s, back-to-back publishing (baseline: messages/s) | ${Math.round(perSecond)} | ${Math.round(bPerSecond)} | ${fmt(perSecond / bPerSecond)}× |`,
    );
    console.log(`| user messages delivered/s, back-to-back publishing | ${Math.round(userPerSecond)} | | |`);
    console.log(
      `| server memory per connection (RSS) | ${(memPer / 1024).toFixed(1)} KiB | ${(bMemPer / 1024).toFixed(1)} KiB | ${fmt(memPer / bMemPer)}× |`,
    );
    console.log(
      `target: site event p99 < 250 ms (isolated events go out at once; a burst waits for the SOCKET_SITE_BATCH_MS window): ${site.p99 < 250 ? 'met' : 'NOT met'}`,
    );
  } finally {
    for (const w of workers) w.child.kill();
    for (const c of children) await stopProcess(c, 'SIGKILL').catch(() => {});
    await bus.close();
    await deleteByPrefix(redis, prefix).catch(() => {});
    redis.disconnect();
    await dbs.drop().catch(() => {});
  }
}
