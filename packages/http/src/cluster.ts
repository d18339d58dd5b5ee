import cluster from 'node:cluster';
import type { Logger } from '@platform/observability';

/**
 * Runs `start` in N worker processes that share the listening port (what the seed gets from
 * PM2 cluster mode), or in this process when N is 1. The primary restarts a worker that dies
 * unexpectedly, forwards SIGTERM/SIGINT to all workers, and exits once they have all exited.
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
  for (let i = 0; i < opts.workers; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping) {
      opts.logger.error({ pid: worker.process.pid, code, signal }, 'worker died; starting another');
      cluster.fork();
      return;
    }
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    opts.logger.info({ signal, workers: opts.workers }, 'stopping workers');
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  opts.logger.info({ workers: opts.workers }, 'cluster primary started');
}
