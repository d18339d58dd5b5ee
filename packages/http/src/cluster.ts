import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '@platform/observability';

/**
 * Runs `start` in N worker processes that share the listening port (what the seed gets from
 * PM2 cluster mode), or in this process when N is 1. The primary restarts a worker that dies
 * unexpectedly, forwards SIGTERM/SIGINT to all workers, and exits once they have all exited.
 *
 * A worker that dies before it ever listened is not restarted: its start-up failure (a port in
 * use, a bad setting) would only repeat, and restarting it forked a new process every second
 * forever. The primary then stops the others and exits 1, like a single process would.
 */
export function runClustered(opts: { workers: number; logger: Logger; start: () => Promise<void> }): void {
  if (opts.workers <= 1 || !cluster.isPrimary) {
    opts.start().catch((err: unknown) => {
      opts.logger.fatal({ err }, 'failed to start');
      process.exit(1);
    });
    return;
  }
  let stopping = false;
  let exitCode = 0;
  const listened = new WeakSet<Worker>();
  cluster.on('listening', (worker) => listened.add(worker));
  for (let i = 0; i < opts.workers; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    // `workerPid`, not `pid`: the logger's base fields already carry the primary's pid.
    const info = { workerPid: worker.process.pid, code, signal };
    if (!stopping && listened.has(worker)) {
      opts.logger.error(info, 'worker died; starting another');
      cluster.fork();
      return;
    }
    if (!stopping) {
      opts.logger.fatal(info, 'worker failed to start; stopping');
      stop(1);
    } else if (code !== 0 && code !== null) exitCode = 1;
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
  });
  function stop(code: number): void {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
  }
  const onSignal = (signal: NodeJS.Signals) => {
    opts.logger.info({ signal, workers: opts.workers }, 'stopping workers');
    stop(0);
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  opts.logger.info({ workers: opts.workers }, 'cluster primary started');
}
