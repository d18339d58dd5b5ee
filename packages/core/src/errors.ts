/**
 * Errors with stable codes. Domain code throws AppError with a code from this catalog; each
 * edge (HTTP, socket ack, job failure) maps codes in one table of its own. Domain code never
 * knows about HTTP statuses.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: 'The request is not valid.',
  NOT_FOUND: 'Nothing was found at this address.',
  UNAUTHENTICATED: 'Sign in to continue.',
  FORBIDDEN: 'You are not allowed to do this.',
  CONFLICT: 'This conflicts with the current state; reload and try again.',
  RATE_LIMITED: 'Too many requests; wait a moment and try again.',
  SITE_DISABLED: 'The site is temporarily disabled for maintenance; try again later.',
  DEPENDENCY_UNAVAILABLE: 'A service this request needs is unavailable; try again shortly.',
  PAYLOAD_TOO_LARGE: 'The request body is too large.',
  UNSUPPORTED_MEDIA_TYPE: 'The request body must be JSON.',
  INTERNAL: 'Something went wrong on our side; try again later.',
  // Sign-in through Steam (services/login). Each refusal names what the person can do next.
  LOGIN_CANCELLED: 'The Steam sign-in was cancelled; start it again to sign in.',
  LOGIN_STATE_INVALID:
    'This sign-in was started in another browser or took too long; start the sign-in again from this browser.',
  OPENID_ASSERTION_INVALID: "Steam's answer to this sign-in is not valid; start the sign-in again.",
  OPENID_NONCE_INVALID: 'This sign-in answer was already used or is too old; start the sign-in again.',
  OPENID_NOT_CONFIRMED: 'Steam did not confirm this sign-in; try again.',
  STEAM_UNAVAILABLE: 'Steam is not answering right now; try again in a few minutes.',
  ACCOUNT_BANNED: 'This account is banned from the site.',
  CSRF_REJECTED: 'This request did not come from the site itself; reload the page and try again.',
  TRADE_URL_INVALID:
    'This is not a valid Steam trade URL; copy yours from Steam (Inventory → Trade Offers → Who can send me trade offers?).',
  // User inventories (services/inventory, cinv).
  INVENTORY_PRIVATE: 'This Steam inventory is private; set it to public in Steam and try again.',
  STEAM_USER_NOT_FOUND: 'Steam does not know this account.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorDetails {
  /** The input field that failed, as a JSON pointer-like path ("/body/tradeUrl"). */
  field?: string;
  [key: string]: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, message?: string, details?: ErrorDetails, options?: { cause?: unknown }) {
    super(message ?? ERROR_CODES[code], options);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
