// Closed-loop HTTP load from a worker thread (the client must not share the measured server's
// event loop), recording every latency so p50/p99 are exact. Requests are either one URL (GET)
// or a list the connections take in turn (each used once, e.g. trades with their own keys).
import { Worker } from 'node:worker_threads';

export interface LoadRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface Load {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
  /** Status codes seen, with counts. */
  statuses: Record<string, number>;
}

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { origin, durationMs, concurrency, requests, expect } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const latencies = [];
const statuses = {};
let errors = 0;
let next = 0;
const started = performance.now();
const deadline = started + durationMs;
const one = (r) => new Promise((resolve) => {
  const t0 = performance.now();
  const req = http.request(origin + r.path, { method: r.method, headers: r.headers || {}, agent }, (res) => {
    statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1;
    if (res.statusCode !== expect) errors++;
    res.resume();
    res.on('end', () => { latencies.push(performance.now() - t0); resolve(); });
  });
  req.on('error', () => { errors++; resolve(); });
  req.end(r.body);
});
const worker = async () => {
  while (performance.now() < deadline) {
    const r = requests.length === 1 ? requests[0] : requests[next++];
    if (!r) break;
    await one(r);
  }
};
Promise.all(Array.from({ length: concurrency }, worker)).then(() => {
  agent.destroy();
  parentPort.postMessage({ latencies, errors, statuses, elapsed: (performance.now() - started) / 1000 });
});
`;

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

export const ms = (n: number) => `${n.toFixed(1)} ms`;

/**
 * Runs the load for `seconds` at `concurrency` connections against `origin` (e.g.
 * http://127.0.0.1:3000). With several requests, each is sent once, in order; the run ends early
 * when they run out.
 */
export function load(
  origin: string,
  requests: LoadRequest[],
  opts: { seconds: number; concurrency: number; expect?: number },
): Promise<Load> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, {
      eval: true,
      workerData: {
        origin,
        durationMs: opts.seconds * 1000,
        concurrency: opts.concurrency,
        requests,
        expect: opts.expect ?? 200,
      },
    });
    w.once('error', reject);
    w.once(
      'message',
      (m: { latencies: number[]; errors: number; statuses: Record<string, number>; elapsed: number }) => {
        const sorted = m.latencies.sort((a, b) => a - b);
        resolve({
          requests: sorted.length,
          perSecond: sorted.length / m.elapsed,
          p50: percentile(sorted, 0.5),
          p99: percentile(sorted, 0.99),
          errors: m.errors,
          statuses: m.statuses,
        });
        void w.terminate();
      },
    );
  });
}
