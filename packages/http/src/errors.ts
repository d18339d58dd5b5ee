import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_CODES, isAppError, type ErrorCode } from '@platform/core';

/**
 * The one table from error code to HTTP status. A Record over every code: a new code without
 * a status is a compile error.
 */
export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  SITE_DISABLED: 503,
  DEPENDENCY_UNAVAILABLE: 503,
  LOGIN_CANCELLED: 400,
  LOGIN_STATE_INVALID: 400,
  OPENID_ASSERTION_INVALID: 400,
  OPENID_NONCE_INVALID: 400,
  OPENID_NOT_CONFIRMED: 401,
  STEAM_UNAVAILABLE: 503,
  ACCOUNT_BANNED: 403,
  CSRF_REJECTED: 403,
  TRADE_URL_INVALID: 400,
  INVENTORY_PRIVATE: 403,
  STEAM_USER_NOT_FOUND: 404,
  EMPTY_TRADE: 400,
  TOO_MANY_ITEMS: 400,
  IDEMPOTENCY_KEY_REQUIRED: 400,
  IDEMPOTENCY_KEY_REUSED: 409,
  TRADE_URL_REQUIRED: 422,
  ITEM_NOT_OWNED: 422,
  ITEM_NOT_ACCEPTED: 422,
  ITEM_UNAVAILABLE: 409,
  INSUFFICIENT_BALANCE: 422,
  ACCOUNT_IN_DEBT: 403,
  NO_BOT_AVAILABLE: 503,
  TRADE_NOT_CANCELABLE: 409,
  OFFER_CONFLICT: 409,
};

/** The body of every error answer: `{ "error": { "code", "message", ...details } }`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string; [key: string]: unknown };
}

/** The JSON schema of ErrorBody's `error`, for route response schemas. */
export const errorSchema = {
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string' },
    message: { type: 'string' },
    field: { type: 'string' },
  },
  additionalProperties: true,
} as const;

/**
 * The querystring schema of a route that reads no query: it documents that, and lets unknown
 * parameters (a cache-buster) pass rather than refuse them.
 */
export const noQuerySchema = { type: 'object', properties: {}, additionalProperties: true } as const;

/** The JSON schema of an error answer, ErrorBody. */
export const errorResponseSchema = {
  type: 'object',
  required: ['error'],
  properties: { error: errorSchema },
} as const;

export function errorBody(err: AppError): ErrorBody {
  return { error: { ...(err.details ?? {}), code: err.code, message: err.message } };
}

/** Fastify's own client errors (bad JSON, wrong content type, body too large) as AppErrors. */
function fromFastifyError(err: FastifyError): AppError | undefined {
  if (err.validation) {
    const first = err.validation[0];
    const context = err.validationContext ?? 'body';
    const path = first?.instancePath ?? '';
    const params = first?.params as { missingProperty?: string; additionalProperty?: string } | undefined;
    // Ajv reports a missing or an unexpected property on its parent; the field is the property.
    const missing = params?.missingProperty;
    const extra = params?.additionalProperty;
    const field = `/${context}${path}${missing ? `/${missing}` : extra ? `/${extra}` : ''}`;
    const what = missing
      ? `${field} is required`
      : extra
        ? `${field} is not allowed`
        : `${field} ${first?.message ?? 'is not valid'}`;
    return new AppError('VALIDATION_FAILED', `The request is not valid: ${what}.`, { field });
  }
  switch (err.statusCode) {
    case 413:
      return new AppError('PAYLOAD_TOO_LARGE');
    case 415:
      return new AppError('UNSUPPORTED_MEDIA_TYPE');
    case 400:
      return new AppError(
        'VALIDATION_FAILED',
        err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError
          ? 'The request body is not valid JSON.'
          : 'The request is not valid.',
      );
    case 404:
      return new AppError('NOT_FOUND');
    default:
      // Any other client error Fastify raises (414 for an over-long URL parameter, ...) is the
      // client's to fix: a 400 with a stable code, never a 500 that reads as our bug.
      return err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500
        ? new AppError('VALIDATION_FAILED')
        : undefined;
  }
}

// mysql2 and the OS: the server cannot be reached or dropped the connection.
const MYSQL_UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_LOCK_WAIT_TIMEOUT',
]);
// ioredis: the client refuses while disconnected (no offline queue), or gave up retrying.
const REDIS_UNAVAILABLE = [
  /^Stream isn't writeable/,
  /^Connection is closed/,
  /^Reached the max retries per request limit/,
  /^Failed to refresh slots cache/,
  /^(LOADING|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|READONLY) /,
];

/**
 * Whether an error means a store (MySQL, Redis) is unavailable rather than a bug: such a request
 * answers 503 DEPENDENCY_UNAVAILABLE ("try again shortly"), never 500, whichever route hit it.
 * The error and its causes are examined.
 */
export function isDependencyError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && MYSQL_UNAVAILABLE.has(code)) return true;
    if ((e as { fatal?: unknown }).fatal === true) return true;
    if (e.name === 'MaxRetriesPerRequestError' || e.name === 'ClusterAllFailedError') return true;
    if (REDIS_UNAVAILABLE.some((re) => re.test(e.message))) return true;
  }
  return false;
}

export function handleError(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  const appError = isAppError(err)
    ? err
    : isDependencyError(err)
      ? new AppError('DEPENDENCY_UNAVAILABLE', undefined, undefined, { cause: err })
      : fromFastifyError(err as FastifyError);
  if (appError) {
    const status = STATUS_BY_CODE[appError.code];
    if (status >= 500) req.log.error({ err, code: appError.code }, 'request failed');
    // Every refusal is a warn line with its code and reason (never the input itself).
    else
      req.log.warn(
        { code: appError.code, field: appError.details?.field, reason: appError.details?.reason },
        'request refused',
      );
    void reply.status(status).send(errorBody(appError));
    return;
  }
  // Anything else is a bug or an outage: log it whole, answer without internals.
  req.log.error({ err }, 'unhandled error');
  void reply
    .status(500)
    .send({ error: { code: 'INTERNAL', message: ERROR_CODES.INTERNAL } } satisfies ErrorBody);
}
