import type { FastifyRequest } from 'fastify';
import { AppError } from '@platform/core';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/** Normalises configured origins the way URL does (lower-case host, punycode, default port dropped). */
export function normalizeOrigins(origins: readonly string[]): ReadonlySet<string> {
  return new Set(origins.map((o) => new URL(o).origin));
}

/**
 * CSRF by a strict Origin check (docs/decisions/0002-login.md): a state-changing request that
 * rides on the session cookie must say where it comes from, and that must be one of the site's
 * origins. Browsers send Origin on every cross-origin request and on same-origin POST, PUT,
 * PATCH and DELETE, and a page cannot forge it; Referer is the fallback for the rare agent
 * that strips Origin. Neither present, or `Origin: null` (sandboxed frames, some redirects):
 * refused. Requests with a bearer token carry no ambient credential and are not checked.
 *
 * Returns the reason of a refusal (for the log), or undefined when the request may proceed.
 */
export function originRefusal(req: FastifyRequest, allowed: ReadonlySet<string>): string | undefined {
  if (isSafeMethod(req.method)) return undefined;
  if (req.headers['sec-fetch-site'] === 'cross-site') return 'cross_site_fetch';
  const origin = req.headers.origin;
  let source: string | undefined;
  if (typeof origin === 'string') {
    source = origin;
  } else {
    const referer = req.headers.referer;
    if (typeof referer !== 'string') return 'no_origin';
    source = referer;
  }
  let normalized: string;
  try {
    normalized = new URL(source).origin;
  } catch {
    return 'bad_origin';
  }
  return allowed.has(normalized) ? undefined : 'foreign_origin';
}

export function assertSameOrigin(req: FastifyRequest, allowed: ReadonlySet<string>): void {
  const reason = originRefusal(req, allowed);
  if (reason === undefined) return;
  throw new AppError('CSRF_REJECTED', undefined, { reason });
}
