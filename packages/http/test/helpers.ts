import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { connectRedis, createRedis, type Redis } from '@platform/db';
import { createHttpApp, type HttpAppOptions } from '@platform/http';
import { createLogger, createMetrics } from '@platform/observability';

export const REDIS_URL = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

/** A key prefix of its own per test, so rate-limit counters never collide between runs. */
export function uniquePrefix(): string {
  return `test:${randomBytes(4).toString('hex')}:`;
}

export async function buildTestApp(overrides: Partial<HttpAppOptions> & { redis?: Redis } = {}) {
  const redis = overrides.redis ?? createRedis({ url: REDIS_URL, keyPrefix: '' });
  await connectRedis(redis);
  const app = await createHttpApp({
    service: 'test',
    logger: createLogger({ service: 'test', level: process.env.LOG_LEVEL ?? 'silent' }),
    metrics: createMetrics('test'),
    http: { trustProxy: false, bodyLimitBytes: 1024 * 16 },
    rateLimit: { redis, max: 1000, windowMs: 60_000, keyPrefix: uniquePrefix() },
    readiness: { redis: () => redis.ping() },
    ...overrides,
  });
  return { app, redis };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** A throwaway redis-server of the test's own, so stopping it disturbs nothing else. */
export async function startPrivateRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const probe = createRedis(
        { url: new URL(`redis://127.0.0.1:${port}`), keyPrefix: '' },
        { retryStrategy: () => null },
      );
      probe.on('error', () => {});
      void connectRedis(probe, 1_000).then((ok) => {
        probe.disconnect();
        resolve(ok);
      });
    });
    if (up) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error('private redis did not start');
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
