// A bench client process (socket.bench.ts forks several): opens many socket.io clients over
// WebSocket and records when each one receives each marked event, on a clock shared with the
// parent (performance.timeOrigin + performance.now()).
import { io, type Socket } from 'socket.io-client';

interface Start {
  type: 'connect';
  url: string;
  count: number;
  cookies: string[];
  parallel: number;
}

const now = () => performance.timeOrigin + performance.now();
const sockets: Socket[] = [];
/** Marker id → receive times (one per client that got it). */
const received = new Map<string, number[]>();
const counts: Record<string, number> = {};
/**
 * Throughput phases keep no per-delivery times (10,000 clients × thousands of changes would not
 * fit one IPC message): only how many marked deliveries of each kind and the latest time.
 */
let keepTimes = true;
const summary = { marked: {} as Record<string, number>, latest: 0 };

function record(id: string, at: number): void {
  const kind = id.slice(0, id.indexOf(':'));
  summary.marked[kind] = (summary.marked[kind] ?? 0) + 1;
  if (at > summary.latest) summary.latest = at;
  if (!keepTimes) return;
  let list = received.get(id);
  if (!list) received.set(id, (list = []));
  list.push(at);
}

function attach(s: Socket): void {
  s.on('site:items', (m: { reserved: string[] }) => {
    const at = now();
    counts['site:items'] = (counts['site:items'] ?? 0) + 1;
    for (const id of m.reserved) record(`site:${id}`, at);
  });
  s.on('trade:update', (m: { trade: { id: string } }) => {
    counts['trade:update'] = (counts['trade:update'] ?? 0) + 1;
    record(`user:${m.trade.id}`, now());
  });
  s.on('bench', (m: { id: string }) => {
    counts.bench = (counts.bench ?? 0) + 1;
    record(`bench:${m.id}`, now());
  });
}

async function connectAll(start: Start): Promise<void> {
  let next = 0;
  let failed = 0;
  const one = async (): Promise<void> => {
    while (next < start.count) {
      const i = next++;
      const cookie = start.cookies[i];
      const s = io(start.url, {
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
        timeout: 60_000,
        ...(cookie ? { extraHeaders: { cookie } } : {}),
      });
      attach(s);
      sockets.push(s);
      await new Promise<void>((resolve) => {
        s.once('connect', () => resolve());
        s.once('connect_error', () => {
          failed++;
          resolve();
        });
      });
      if (sockets.length % 500 === 0)
        process.send?.({ type: 'progress', connected: sockets.length - failed });
    }
  };
  await Promise.all(Array.from({ length: start.parallel }, one));
  process.send?.({ type: 'connected', connected: sockets.length - failed, failed });
}

process.on('message', (msg: { type: string } & Partial<Start>) => {
  if (msg.type === 'connect') void connectAll(msg as Start);
  else if (msg.type === 'reset') {
    received.clear();
    for (const k of Object.keys(counts)) delete counts[k];
    summary.marked = {};
    summary.latest = 0;
    keepTimes = (msg as { keepTimes?: boolean }).keepTimes ?? true;
    process.send?.({ type: 'reset' });
  } else if (msg.type === 'report') {
    process.send?.({
      type: 'report',
      received: [...received],
      counts,
      summary,
      connected: sockets.filter((s) => s.connected).length,
    });
  } else if (msg.type === 'close') {
    for (const s of sockets) s.disconnect();
    sockets.length = 0;
    // The next server's clients start afresh, with receive times kept.
    received.clear();
    for (const k of Object.keys(counts)) delete counts[k];
    summary.marked = {};
    summary.latest = 0;
    keepTimes = true;
    process.send?.({ type: 'closed' });
  } else if (msg.type === 'exit') process.exit(0);
});
