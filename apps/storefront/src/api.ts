// The one door to the public API: same-origin fetch with the session cookie, errors as
// { code, message, field } whatever went wrong (a service down, the network, a 429).
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly field: string | undefined;
  constructor(code: string, message: string, status: number, field?: string) {
    super(message);
    this.code = code;
    this.status = status;
    this.field = field;
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; field?: string };
}

export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      ...(init.signal ? { signal: init.signal } : {}),
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError('NETWORK', 'The site cannot be reached. Check your connection and try again.', 0);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: a proxy's or a crashed service's page
  }
  if (res.ok) return body as T;
  const e = (body as ErrorBody | undefined)?.error;
  if (res.status === 429) {
    const wait = res.headers.get('retry-after');
    throw new ApiError(
      e?.code ?? 'RATE_LIMITED',
      `Too many requests; try again${wait ? ` in ${wait} s` : ' shortly'}.`,
      429,
    );
  }
  if (e?.code) throw new ApiError(e.code, e.message ?? e.code, res.status, e.field);
  if (res.status === 404) throw new ApiError('NOT_FOUND', 'This part of the site is not available yet.', 404);
  if (res.status >= 500)
    throw new ApiError(
      'SERVICE_UNAVAILABLE',
      'This part of the site is down for a moment. Try again soon.',
      res.status,
    );
  throw new ApiError('HTTP_' + res.status, `The request failed (${res.status}).`, res.status);
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return 'Something went wrong. Try again.';
}

/** A fresh Idempotency-Key: one per trade the user means to create (kept across retries). */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
