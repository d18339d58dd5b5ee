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
  // Trades and balance (services/backend; api.md "Trades").
  EMPTY_TRADE: 'Choose at least one item to give or to receive.',
  TOO_MANY_ITEMS: 'A trade carries at most 50 items on each side; split it into several trades.',
  IDEMPOTENCY_KEY_REQUIRED: 'Send an Idempotency-Key header (a random value per trade you create).',
  IDEMPOTENCY_KEY_REUSED: 'This Idempotency-Key was already used for a different trade; use a new key.',
  TRADE_URL_REQUIRED: 'Set your Steam trade URL first: the bots send their offers to it.',
  ITEM_NOT_OWNED: 'An item you want to give is no longer in your Steam inventory; reload your inventory.',
  ITEM_NOT_ACCEPTED: 'An item you want to give is not accepted by the site.',
  ITEM_UNAVAILABLE: 'An item you want is no longer available; someone else took it or it left the site.',
  INSUFFICIENT_BALANCE: 'Your balance does not cover what you would receive beyond what you give.',
  ACCOUNT_IN_DEBT:
    'A reversed trade left your balance owing; deposit items to settle it before you withdraw again.',
  NO_BOT_AVAILABLE: 'No trade bot can take these items right now; try again in a few minutes.',
  TRADE_NOT_CANCELABLE: 'This trade can no longer be canceled: an offer was accepted or it has ended.',
  OFFER_CONFLICT: 'This offer is not in a state that allows this change.',
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
