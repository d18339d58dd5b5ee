import { pino, type Logger, type LoggerOptions } from 'pino';
import { currentContext } from './context.ts';
import { prettyDestination, resolveLogFormat } from './pretty.ts';

export type { Logger } from 'pino';

/**
 * Paths that may carry a secret. pino replaces them before the line is written, so no
 * session id, token, cookie or password reaches the logs whatever a caller passes.
 */
export const REDACTED_PATHS = [
  // mysql2 puts the failing statement on its errors with every value inlined (a trade token,
  // a key): the message and code say what failed, the values stay out.
  'err.sql',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.sessionId',
  '*.secret',
  '*.apiKey',
  'password',
  'token',
  'accessToken',
  'sessionId',
  'secret',
  'apiKey',
];

export interface LoggerSettings {
  service: string;
  level: string;
  /** Where lines go; stdout by default. Tests pass a stream to read what was logged (always JSON). */
  destination?: pino.DestinationStream;
  /**
   * LOG_FORMAT: `json`, `pretty` (readable, coloured lines), or `auto` (the default): pretty when
   * stdout is a terminal, JSON otherwise (a pipe, a file, a collector).
   */
  format?: string;
}

export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    base: { service: settings.service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // Every line written while a request (or job) is in flight carries its request id.
    // (Fastify's request loggers already bind requestId; the line must not carry it twice.)
    mixin(_merge, _level, logger) {
      const ctx = currentContext();
      if (!ctx) return {};
      const bound = 'requestId' in logger.bindings();
      return {
        ...(bound ? {} : { requestId: ctx.requestId }),
        ...(ctx.userId ? { userId: ctx.userId } : {}),
      };
    },
    formatters: { level: (label) => ({ level: label }) },
  };
  if (settings.destination) return pino(options, settings.destination);
  return resolveLogFormat(settings.format) === 'pretty' ? pino(options, prettyDestination()) : pino(options);
}
