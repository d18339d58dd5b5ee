import { existsSync } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import httpProxy from '@fastify/http-proxy';
import fastifyStatic from '@fastify/static';
import { AppError } from '@platform/core';
import { createServiceApp, noQuerySchema, type ServiceContext } from '@platform/http';
import type { GatewayConfig } from './config.ts';

/**
 * What the services behind learn of the client: its address (the gateway is the edge; when it
 * has trusted proxies of its own, TRUST_PROXY, req.ip is already the client behind them), the
 * scheme and host it used, and the request id, so one request is one id in every log.
 */
function forwarded<H extends object>(
  req: Pick<FastifyRequest, 'ip' | 'protocol' | 'host' | 'id'>,
  headers: H,
): H {
  return {
    ...headers,
    'x-forwarded-for': req.ip,
    'x-forwarded-proto': req.protocol,
    'x-forwarded-host': req.host,
    'x-request-id': req.id,
  };
}

/**
 * The platform's one public origin (api.md "Conventions"): the storefront at /, the REST API at
 * /api/v1, sign-in at /auth and live updates at /socket.io, so the browser needs no CORS and the
 * session cookie stays first-party. Routes are passed through as they are; rate limits, the
 * site switch and auth are the services' own. Internal routes are never passed through.
 */
export async function buildApp(ctx: ServiceContext<GatewayConfig>): Promise<FastifyInstance> {
  const app = await createServiceApp('gateway', ctx);
  const { upstreams } = ctx.config;
  const passThrough = { proxied: true, rateLimit: false, siteSwitch: 'exempt' } as const;
  const replyOptions = { rewriteRequestHeaders: forwarded };

  for (const [prefix, upstream] of [
    ['/api/v1', upstreams.backend],
    ['/auth', upstreams.login],
  ] as const) {
    await app.register(httpProxy, {
      upstream: upstream.origin,
      prefix,
      rewritePrefix: prefix,
      config: passThrough,
      replyOptions,
    });
  }
  await app.register(httpProxy, {
    upstream: upstreams.socket.origin,
    prefix: '/socket.io',
    rewritePrefix: '/socket.io',
    websocket: true,
    config: passThrough,
    replyOptions,
    // The plugin calls rewriteRequestHeaders for the upstream socket too (its default only
    // passes the cookie), but its types leave the option out. The Origin goes on as well: the
    // socket server refuses other sites' pages (cross-site WebSocket hijacking with the cookie).
    wsClientOptions: {
      rewriteRequestHeaders: (headers: Record<string, unknown>, req: FastifyRequest) =>
        forwarded(req, {
          ...headers,
          ...(req.headers.cookie ? { cookie: req.headers.cookie } : {}),
          ...(req.headers.origin ? { origin: req.headers.origin } : {}),
        }),
    } as object,
  });
  app.all('/internal/*', { config: { proxied: true } }, () => {
    throw new AppError('NOT_FOUND', 'Nothing is served here.');
  });

  const { storefront } = ctx.config;
  // What the storefront needs to know of this deployment and cannot learn from the API.
  app.get(
    '/storefront.json',
    {
      schema: {
        summary: "The storefront's settings: where Steam's pages are (locally, the emulator's)",
        querystring: noQuerySchema,
        response: {
          200: {
            type: 'object',
            required: ['steamCommunityUrl', 'emulatorUrl'],
            properties: { steamCommunityUrl: { type: 'string' }, emulatorUrl: { type: ['string', 'null'] } },
          },
        },
      },
    },
    () => ({
      steamCommunityUrl: storefront.steamCommunityUrl.origin,
      emulatorUrl: storefront.emulatorUrl?.origin ?? null,
    }),
  );
  const dir = storefront.dir;
  if (dir && existsSync(dir)) {
    // wildcard: files are looked up per request, so a rebuild (new hashed names) is served at once.
    // Hashed assets are immutable; index.html is revalidated so a new build is picked up.
    await app.register(fastifyStatic, {
      root: dir,
      prefix: '/',
      wildcard: true,
      index: 'index.html',
      setHeaders: (reply, path) => {
        void reply.header(
          'cache-control',
          path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
  } else {
    app.get(
      '/',
      {
        schema: {
          summary: 'Where the storefront will be',
          querystring: noQuerySchema,
          response: { 200: { type: 'string' } },
        },
      },
      (_req, reply) =>
        reply
          .type('text/html; charset=utf-8')
          .send(
            '<!doctype html><title>CS2 trading platform</title><p>The API is at <a href="/api/v1/status">/api/v1</a>, ' +
              'sign in at <a href="/auth/steam">/auth/steam</a>, live updates at /socket.io.</p>',
          ),
    );
  }
  return app;
}
