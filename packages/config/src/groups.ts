/**
 * The setting groups that several services share. A service composes its schema from these
 * and its own fields, then exports `loadConfig(env)`.
 */
import { bool, int, oneOf, optionalStr, str, url } from './fields.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function httpGroup(defaultPort: number) {
  return {
    host: str('HOST', '127.0.0.1'),
    port: int('PORT', defaultPort, { min: 0, max: 65535 }),
    trustProxy: bool('TRUST_PROXY', false),
    /** How long SIGTERM waits for in-flight requests before forcing the exit. */
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 10_000, { min: 100, max: 120_000 }),
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 1_048_576, { min: 1024 }),
  };
}

export function mysqlGroup() {
  return {
    url: url('MYSQL_URL', 'mysql://root@127.0.0.1:3306', { protocols: ['mysql:'], secret: true }),
    database: str('MYSQL_DATABASE', 'cs2trade'),
    pricingDatabase: str('PRICING_DATABASE', 'cs2trade_pricing'),
    /** 40 connections per process, as the seed's backend runs. */
    poolSize: int('MYSQL_POOL_SIZE', 40, { min: 1, max: 1000 }),
  };
}

export function redisGroup() {
  return {
    url: url('REDIS_URL', 'redis://127.0.0.1:6379', { protocols: ['redis:', 'rediss:'], secret: true }),
    /** Prefix for every key this deployment writes, so several can share one Redis. */
    keyPrefix: str('REDIS_KEY_PREFIX', 'cs2t:'),
  };
}

export function logGroup() {
  return {
    level: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
  };
}

export function rateLimitGroup() {
  return {
    max: int('RATE_LIMIT_MAX', 300, { min: 1 }),
    windowMs: int('RATE_LIMIT_WINDOW_MS', 60_000, { min: 1000 }),
  };
}

export function tracingGroup() {
  return {
    /** OTLP/HTTP endpoint (e.g. http://127.0.0.1:4318); tracing is off when unset. */
    otlpEndpoint: optionalStr('OTEL_EXPORTER_OTLP_ENDPOINT'),
  };
}

/** The groups every HTTP service has; a service adds its own groups beside them. */
export function serviceGroups(defaultPort: number) {
  return {
    http: httpGroup(defaultPort),
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
