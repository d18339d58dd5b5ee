import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { AppError } from '@platform/core';
import { redisKeys } from '@platform/bus';
import type { Redis } from '@platform/db';
import { runWithContext, type Logger, type Metrics } from '@platform/observability';
import { errorBody, errorResponseSchema, errorSchema, handleError } from './errors.ts';
import { internalGuard } from './internal.ts';
import type { Readiness } from './readiness.ts';
import type { SiteSwitch } from './site-switch.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** 'exempt' keeps a route answering while the site is disabled (health, metrics, admin, status). */
    siteSwitch?: 'exempt';
    /** A POST that reads no body (logout, a refresh request): it needs no body schema. */
    bodyless?: boolean;
    /** Passed through to another service (the gateway): documented there, hidden here. */
    proxied?: boolean;
  }
  interface FastifyInstance {
    /** Every route as registered, for the check that each is fully described (routeSchemaProblems). */
    routeCatalog: RouteRecord[];
  }
}

export interface RouteRecord {
  method: string;
  url: string;
  schema: Record<string, unknown> | undefined;
  bodyless: boolean;
}

/**
 * Routes whose schemas do not describe them fully: every route has a response schema, a route
 * with path parameters a params schema, a GET a querystring schema, and a route that takes a
 * body (PUT, PATCH, POST unless marked bodyless) a body schema. The OpenAPI document at
 * /docs/json is generated from these, so a gap here is a gap in the documentation.
 */
export function routeSchemaProblems(app: FastifyInstance): string[] {
  const problems: string[] = [];
  for (const r of app.routeCatalog) {
    if (r.method === 'HEAD' || r.url.startsWith('/docs') || r.schema?.hide === true) continue;
    const where = `${r.method} ${r.url}`;
    const has = (k: string) => r.schema?.[k] !== undefined;
    if (!has('response')) problems.push(`${where}: no response schema`);
    if (r.url.includes(':') && !has('params')) problems.push(`${where}: no params schema`);
    if (r.method === 'GET' && !has('querystring')) problems.push(`${where}: no querystring schema`);
    const takesBody = ['PUT', 'PATCH'].includes(r.method) || (r.method === 'POST' && !r.bodyless);
    if (takesBody && !has('body')) problems.push(`${where}: no body schema`);
  }
  return problems;
}

export interface HttpAppOptions {
  service: string;
  logger: Logger;
  metrics: Metrics;
  /** trustProxy: the proxies' addresses (config TRUST_PROXY); false or [] for none. */
  http: { trustProxy: false | readonly string[]; bodyLimitBytes: number };
  /** Counters live in Redis so every worker and instance shares one budget per client. */
  rateLimit: { redis: Redis; max: number; windowMs: number; keyPrefix: string };
  /** What /readyz reports: results of the process's dependency checks, at most a second old. */
  readiness: Readiness;
  /** INTERNAL_TOKEN: /metrics (and every internal route) requires it as a bearer token. */
  internalToken: string;
  siteSwitch?: SiteSwitch;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Request log lines carry the path without its query string: queries carry OpenID assertions,
 * login state, access tokens and keys, none of which may reach the logs.
 */
function requestWithoutQuery(req: { method: string; url: string; ip: string; host?: string }) {
  return { method: req.method, url: req.url.split('?')[0], host: req.host, remoteAddress: req.ip };
}

/**
 * The Fastify instance every HTTP service starts from: request ids and context, JSON logs,
 * one error table, 404s, health, readiness, metrics, Redis-backed rate limiting and the
 * site-disable switch. It never listens; main.ts does.
 */
export async function createHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  const { logger, metrics } = options;
  // Typed as FastifyBaseLogger so the instance keeps Fastify's default generics (plugins expect them).
  const baseLogger: FastifyBaseLogger = logger;
  const app = Fastify({
    loggerInstance: baseLogger,
    // Named proxies only, never Fastify's `true`: that trusts the client-written leftmost
    // X-Forwarded-For entry, so any client could pick its own IP and rate-limit budget.
    trustProxy:
      options.http.trustProxy && options.http.trustProxy.length ? [...options.http.trustProxy] : false,
    bodyLimit: options.http.bodyLimitBytes,
    // genReqId reads (and vets) x-request-id itself; Fastify would otherwise trust it verbatim.
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    // A caller's id is kept when it looks like one, so a trace crosses services; otherwise a new one.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    childLoggerFactory: (logger, bindings, opts) =>
      logger.child(bindings, { ...opts, serializers: { ...opts.serializers, req: requestWithoutQuery } }),
    // A malformed URL ('/%zz') or an over-long parameter is refused before routing and hooks;
    // without this Fastify answers it in its own body shape, outside the error table.
    frameworkErrors: (err, req, reply) => {
      void reply.header('x-request-id', req.id);
      handleError(err, req, reply);
    },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ajv: { customOptions: { allErrors: false, removeAdditional: false, coerceTypes: 'array' } },
  });

  const routeCatalog: RouteRecord[] = [];
  app.decorate('routeCatalog', routeCatalog);
  app.addHook('onRoute', (route) => {
    if (route.config?.proxied) route.schema = { ...route.schema, hide: true };
    // Every described route answers errors in the one shape (ErrorBody), documented once here.
    if (route.schema?.response && typeof route.schema.response === 'object') {
      const response = route.schema.response as Record<string, unknown>;
      route.schema.response = { '4xx': errorResponseSchema, '5xx': errorResponseSchema, ...response };
    }
    for (const method of [route.method].flat()) {
      routeCatalog.push({
        method,
        url: route.url,
        schema: route.schema as Record<string, unknown> | undefined,
        bodyless: route.config?.bodyless === true,
      });
    }
  });

  app.addHook('onRequest', (req, reply, done) => {
    void reply.header('x-request-id', req.id);
    runWithContext({ requestId: req.id }, done);
  });
  app.addHook('onResponse', (req, reply, done) => {
    const labels = {
      method: req.method,
      route: req.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    metrics.httpRequestDuration.observe(labels, reply.elapsedTime / 1000);
    metrics.httpRequestsTotal.inc(labels);
    done();
  });
  app.setErrorHandler(handleError);

  // OpenAPI from the route schemas (registered before any route, so it sees them all): the
  // document at /docs/json, a page at /docs.
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: `${options.service} API`, version: '1' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'cs2t_session' },
          internal: { type: 'http', scheme: 'bearer', description: 'INTERNAL_TOKEN (service to service)' },
        },
      },
    },
  });

  // Once closing, answers in flight tell the client to drop the connection, so a keep-alive
  // socket does not hold the shutdown open after its last request finished.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });

  await app.register(rateLimit, {
    global: true,
    max: options.rateLimit.max,
    timeWindow: options.rateLimit.windowMs,
    redis: options.rateLimit.redis,
    nameSpace: redisKeys(options.rateLimit.keyPrefix).rateLimit(options.service),
    // Redis down must not take the API down with it; /readyz reports the outage.
    skipOnError: true,
    enableDraftSpec: true,
    errorResponseBuilder: (_req, context) =>
      new AppError('RATE_LIMITED', `Too many requests; try again in ${context.after}.`, {
        retryAfterSeconds: Math.ceil(context.ttl / 1000),
      }),
  });

  if (options.siteSwitch) {
    const siteSwitch = options.siteSwitch;
    app.addHook('onRequest', async (req) => {
      if (req.routeOptions.config.siteSwitch === 'exempt') return;
      if (await siteSwitch.isDisabled()) throw new AppError('SITE_DISABLED');
    });
  }

  const exempt = { siteSwitch: 'exempt' as const, rateLimit: false as const };
  const ops = { tags: ['operations'], querystring: { type: 'object', additionalProperties: true } } as const;
  app.get(
    '/healthz',
    {
      config: exempt,
      logLevel: 'warn',
      schema: {
        ...ops,
        summary: 'The process is alive (no dependency is checked)',
        response: { 200: { type: 'object', required: ['status'], properties: { status: { const: 'ok' } } } },
      },
    },
    () => ({ status: 'ok' }),
  );
  const checksSchema = { type: 'object', additionalProperties: { enum: ['ok', 'unavailable'] } } as const;
  app.get(
    '/readyz',
    {
      config: exempt,
      logLevel: 'warn',
      schema: {
        ...ops,
        summary: 'Every dependency answered within the last second',
        response: {
          200: { type: 'object', properties: { status: { const: 'ready' }, checks: checksSchema } },
          503: {
            type: 'object',
            properties: { error: errorSchema, checks: checksSchema },
          },
        },
      },
    },
    async (_req, reply) => {
      const report = await options.readiness.report();
      if (report.ready) return { status: 'ready', checks: report.checks };
      app.log.warn({ failing: report.failing, errors: report.errors }, 'not ready');
      const err = new AppError(
        'DEPENDENCY_UNAVAILABLE',
        `Not ready: ${report.failing.join(', ')} unavailable.`,
        {
          failing: report.failing,
        },
      );
      return reply.status(503).send({ ...errorBody(err), checks: report.checks });
    },
  );
  // Metrics name routes, error rates and process internals: for the platform's Prometheus only.
  app.get(
    '/metrics',
    {
      config: exempt,
      logLevel: 'warn',
      onRequest: internalGuard(options.internalToken),
      schema: {
        ...ops,
        tags: ['internal'],
        summary: 'Prometheus metrics (Authorization: Bearer INTERNAL_TOKEN)',
        security: [{ internal: [] }],
        response: { 200: { type: 'string' } },
      },
    },
    async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });

  // Unknown paths are rate limited too, so scanning costs the scanner.
  app.setNotFoundHandler({ preHandler: app.rateLimit() }, (req) => {
    throw new AppError('NOT_FOUND', `Nothing is served at ${req.method} ${req.url.split('?')[0]}.`);
  });

  return app;
}
