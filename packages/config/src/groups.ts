/**
 * The setting groups that several services share. A service composes its schema from these
 * and its own fields, then exports `loadConfig(env)`.
 */
import { isIP } from 'node:net';
import { bool, devOnly, int, oneOf, optionalUrl, str, url, type Field } from './fields.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function httpGroup(defaultPort: number) {
  return {
    host: str('HOST', '127.0.0.1'),
    port: int('PORT', defaultPort, { min: 0, max: 65535 }),
    trustProxy: trustedProxies('TRUST_PROXY'),
    /** How long SIGTERM waits for in-flight requests before forcing the exit. */
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 10_000, { min: 100, max: 120_000 }),
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 1_048_576, { min: 1024 }),
  };
}

/**
 * TRUST_PROXY: the addresses of the proxies in front of the service (IPs, CIDRs, or `loopback`,
 * `linklocal`, `uniquelocal`); the client IP, which rate limits key on, is the first
 * X-Forwarded-For hop from the right that is not one of them. `true` is refused: trusting every
 * hop takes the leftmost entry, which the client writes itself, so it could pick its own IP and
 * rate-limit budget. (A bare hop count is no better: Fastify refuses it, since a client that
 * reaches the service directly could still forge the header.)
 */
function trustedProxies(key: string): Field<string[]> {
  const NAMED = ['loopback', 'linklocal', 'uniquelocal'];
  const valid = (entry: string) => {
    if (NAMED.includes(entry)) return true;
    const [ip, bits, extra] = entry.split('/');
    const family = isIP(ip ?? '');
    if (family === 0 || extra !== undefined) return false;
    if (bits === undefined) return true;
    const n = /^\d{1,3}$/.test(bits) ? Number(bits) : -1;
    return n >= 0 && n <= (family === 4 ? 32 : 128);
  };
  return {
    key,
    secret: false,
    read(env) {
      const raw = env[key]?.trim() ?? '';
      if (['', 'false', 'no', 'off', '0'].includes(raw.toLowerCase())) return { ok: true, value: [] };
      const entries = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const bad = entries.filter((e) => !valid(e));
      if (bad.length === 0) return { ok: true, value: entries };
      return {
        ok: false,
        problem: `${key} must be false or the proxies' addresses (e.g. 10.0.0.0/8,loopback), got "${bad.join(',')}"`,
      };
    },
  };
}

export function mysqlGroup() {
  return {
    /** mysql://user:pass@host:port; `mysql://root@localhost/?socket=/run/mysqld/mysqld.sock` for a local unix socket. */
    url: url('MYSQL_URL', 'mysql://root@127.0.0.1:3306', { protocols: ['mysql:'], secret: true }),
    database: str('MYSQL_DATABASE', 'cs2trade'),
    pricingDatabase: str('PRICING_DATABASE', 'cs2trade_pricing'),
    /** 40 connections per process, as the seed's backend runs. */
    poolSize: int('MYSQL_POOL_SIZE', 40, { min: 1, max: 1000 }),
    /** Longest wait for a free pool connection: past it, DEPENDENCY_UNAVAILABLE rather than a hang. */
    acquireTimeoutMs: int('MYSQL_ACQUIRE_TIMEOUT_MS', 5_000, { min: 100, max: 600_000 }),
  };
}

export function redisGroup() {
  return {
    url: url('REDIS_URL', 'redis://127.0.0.1:6379', { protocols: ['redis:', 'rediss:'], secret: true }),
    /**
     * Prefix for every key this deployment writes, so several can share one Redis. No braces:
     * hash tags (`{...}`) are placed by packages/bus's key module, and a brace in the prefix
     * would become the tag of every key.
     */
    keyPrefix: str('REDIS_KEY_PREFIX', 'cs2t:', {
      pattern: /^[^{}\s]{0,64}$/,
      patternHint: 'up to 64 characters, no braces or spaces',
    }),
    /** REDIS_URL names one node of a Redis Cluster (`scripts/redis-cluster.sh` starts a local one). */
    cluster: bool('REDIS_CLUSTER', false),
  };
}

export function logGroup() {
  return {
    level: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    /** json, pretty (readable coloured lines), or auto: pretty on a terminal, JSON otherwise. */
    format: oneOf('LOG_FORMAT', ['auto', 'json', 'pretty'] as const, 'auto'),
  };
}

export function rateLimitGroup() {
  return {
    max: int('RATE_LIMIT_MAX', 300, { min: 1 }),
    windowMs: int('RATE_LIMIT_WINDOW_MS', 60_000, { min: 1000 }),
  };
}

/** An optional URL, kept as text; checked here so a typo is listed with the other problems. */
function optionalUrlText(key: string, protocols: string[]): Field<string | undefined> {
  const parsed = optionalUrl(key, { protocols });
  return {
    key,
    secret: false,
    read(env) {
      const r = parsed.read(env);
      return r.ok ? { ok: true, value: r.value?.toString() } : r;
    },
  };
}

export function tracingGroup() {
  return {
    /** OTLP/HTTP endpoint (e.g. http://127.0.0.1:4318); tracing is off when unset. */
    otlpEndpoint: optionalUrlText('OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:']),
  };
}

/**
 * Service-to-service calls: internal routes (`/internal/*`) and `/metrics` require
 * `Authorization: Bearer <INTERNAL_TOKEN>`. A browser cannot send that header cross-site without
 * a CORS preflight no service grants, so no internal route is reachable by a forged form post.
 * `npm start` generates one token per run and gives it to every service.
 */
export function internalGroup() {
  return {
    token: devOnly(
      str('INTERNAL_TOKEN', 'local-development-internal-token', {
        secret: true,
        pattern: /^[\x21-\x7e]{16,256}$/,
        patternHint: '16 to 256 printable characters without spaces',
      }),
      { why: 'a token everybody knows' },
    ),
  };
}

/** The groups every HTTP service has; a service adds its own groups beside them. */
export function serviceGroups(defaultPort: number) {
  return {
    http: httpGroup(defaultPort),
    internal: internalGroup(),
    cluster: clusterGroup(),
    mysql: mysqlGroup(),
    redis: redisGroup(),
    rateLimit: rateLimitGroup(),
    log: logGroup(),
    tracing: tracingGroup(),
  };
}

export function clusterGroup() {
  return {
    /** Worker processes; 1 runs in-process without the cluster module. */
    workers: int('WORKERS', 1, { min: 1, max: 64 }),
  };
}
