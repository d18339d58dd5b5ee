import { Writable } from 'node:stream';

/**
 * Readable log lines for a person at a terminal: `12:04:05.123 INFO  backend  listening port=3000`.
 * The JSON line stays the format of record (files, collectors, CI); this is only a view of it,
 * used when stdout is a TTY (createLogger) and by `npm start` for its children's output.
 */
export type LogFormat = 'json' | 'pretty';

const LEVELS: Record<string, { label: string; color: string }> = {
  trace: { label: 'TRACE', color: '\x1b[90m' },
  debug: { label: 'DEBUG', color: '\x1b[36m' },
  info: { label: 'INFO ', color: '\x1b[32m' },
  warn: { label: 'WARN ', color: '\x1b[33m' },
  error: { label: 'ERROR', color: '\x1b[31m' },
  fatal: { label: 'FATAL', color: '\x1b[35m' },
};
// pino's numeric levels, for lines written by a logger that was not ours.
const NUMERIC: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';
/** Fields every line has: shown in the line's head, or not at all. */
const HEAD = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname', 'v']);

function scalar(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return JSON.stringify(v);
}

/** One parsed JSON log line as one readable line (plus an indented stack for errors). */
export function formatLogRecord(
  rec: Record<string, unknown>,
  opts: { color: boolean; /** false when the caller labels the line itself (npm start) */ service?: boolean },
): string {
  const c = (code: string, text: string) => (opts.color ? `${code}${text}${RESET}` : text);
  const levelName =
    typeof rec.level === 'number'
      ? (NUMERIC[rec.level] ?? 'info')
      : typeof rec.level === 'string'
        ? rec.level
        : 'info';
  const level = LEVELS[levelName] ?? { label: levelName.toUpperCase().padEnd(5), color: '' };
  const time =
    typeof rec.time === 'string'
      ? rec.time.slice(11, 23)
      : typeof rec.time === 'number'
        ? new Date(rec.time).toISOString().slice(11, 23)
        : '';
  const service = typeof rec.service === 'string' ? rec.service : '';
  const parts = [c(DIM, time), c(level.color, level.label)];
  if (service && opts.service !== false) parts.push(c(DIM, service));
  parts.push(typeof rec.msg === 'string' ? rec.msg : '');
  let stack = '';
  const fields: string[] = [];
  for (const [k, v] of Object.entries(rec)) {
    if (HEAD.has(k) || v === undefined) continue;
    if (k === 'err' && v && typeof v === 'object') {
      const e = v as { message?: unknown; stack?: unknown; code?: unknown };
      fields.push(`err=${scalar(e.message ?? '')}`);
      if (e.code !== undefined) fields.push(`code=${scalar(e.code)}`);
      if (typeof e.stack === 'string' && (levelName === 'error' || levelName === 'fatal'))
        stack = `\n${e.stack
          .split('\n')
          .slice(1)
          .map((l) => `    ${l.trim()}`)
          .join('\n')}`;
      continue;
    }
    if ((k === 'req' || k === 'res') && v && typeof v === 'object') {
      const r = v as Record<string, unknown>;
      if (k === 'req') fields.push(`${scalar(r.method)} ${scalar(r.url)}`);
      else fields.push(`status=${scalar(r.statusCode)}`);
      continue;
    }
    if (k === 'responseTime' && typeof v === 'number') {
      fields.push(`${v.toFixed(1)}ms`);
      continue;
    }
    fields.push(`${k}=${scalar(v)}`);
  }
  const tail = fields.length ? ` ${c(DIM, fields.join(' '))}` : '';
  return `${parts.filter(Boolean).join(' ')}${tail}${c(DIM, stack)}`;
}

/** A JSON text line as a readable one; a line that is not a JSON object is passed through. */
export function formatLogLine(line: string, opts: { color: boolean; service?: boolean }): string {
  if (!line.startsWith('{')) return line;
  try {
    return formatLogRecord(JSON.parse(line) as Record<string, unknown>, opts);
  } catch {
    return line;
  }
}

/** LOG_FORMAT: `json`, `pretty`, or `auto` (pretty when stdout is a terminal and NO_COLOR-aware). */
export function resolveLogFormat(
  setting: string | undefined,
  stream: { isTTY?: boolean } = process.stdout,
): LogFormat {
  if (setting === 'json' || setting === 'pretty') return setting;
  return stream.isTTY === true ? 'pretty' : 'json';
}

export function colorWanted(stream: { isTTY?: boolean } = process.stdout): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR;
}

/** A synchronous destination that writes pino's JSON lines as readable lines to `out`. */
export function prettyDestination(
  out: NodeJS.WritableStream = process.stdout,
  opts: { color?: boolean } = {},
): Writable {
  const color = opts.color ?? colorWanted(out as { isTTY?: boolean });
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      const text = chunk
        .toString()
        .split('\n')
        .filter(Boolean)
        .map((l) => formatLogLine(l, { color }))
        .join('\n');
      out.write(`${text}\n`);
      cb();
    },
  });
}
