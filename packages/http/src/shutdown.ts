import type { Logger } from '@platform/observability';

export interface Closable {
  close(): Promise<unknown>;
}

/**
 * SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close pools (each service
 * registers them as onClose hooks), exit 0. If that takes longer than `timeoutMs`, exit 1
 * so an orchestrator is never left waiting on a hung process.
 */
export function closeOnSignals(target: Closable, opts: { logger: Logger; timeoutMs: number }): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    opts.logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      opts.logger.error({ timeoutMs: opts.timeoutMs }, 'graceful shutdown timed out; forcing exit');
      process.exit(1);
    }, opts.timeoutMs);
    timer.unref();
    target.close().then(
      () => {
        opts.logger.info('closed cleanly');
        process.exit(0);
      },
      (err: unknown) => {
        opts.logger.error({ err }, 'error while closing');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
