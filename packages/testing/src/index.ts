import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { connectRedis, createRedis } from '@platform/db';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Polls `check` until it returns true; fails after `timeoutMs`. A condition, never a timing assertion. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

/** Waits until `url` answers 200 and returns that response. */
export async function waitForHttp(url: string, timeoutMs = 30_000): Promise<Response> {
  let last: Response | undefined;
  await eventually(async () => {
    last = await fetch(url).catch(() => undefined);
    return last?.status === 200;
  }, timeoutMs);
  if (!last) throw new Error(`${url} did not answer`);
  return last;
}

/** A throwaway redis-server of the test's own, so stopping it disturbs nothing else. */
export async function startPrivateRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const probeUp = async () => {
    const probe = createRedis(
      { url: new URL(`redis://127.0.0.1:${port}`), keyPrefix: '' },
      { retryStrategy: () => null },
    );
    probe.on('error', () => {});
    const ok = await connectRedis(probe, 1_000);
    probe.disconnect();
    return ok;
  };
  try {
    await eventually(probeUp, 5_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return child;
}

export async function stopProcess(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  child.kill(signal);
  return exited;
}

/** A log destination for createLogger that keeps every JSON line, to assert on what was logged. */
export function captureLogs(): {
  destination: Writable;
  lines: Record<string, unknown>[];
  /** Everything written, as text: for "this secret never appears" checks. */
  text(): string;
} {
  const raw: string[] = [];
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      cb();
    },
  });
  return { destination, lines, text: () => raw.join('\n') };
}

export * from './stores.ts';
export * from './emulator.ts';
export * from './service.ts';
export * from './factory.ts';
export * from './tcp-gate.ts';
export * from './docs.ts';
