/**
 * Why a Steam trade call failed, as the tradebot acts on it (steam.md §4.1, §5, §7.2):
 * - session_expired: HTTP 401/403, a redirect to /login, `needauth`, the WebAPI's 403 page: log in
 *   again, then retry (every call site does, through BotSession.call).
 * - eresult: Steam answered with an EResult (strError `(N)`, `x-eresult`); see `eresult`.
 *   2, 11 and 16 on send or accept may have worked: read state, never retry blindly.
 * - rate_limited: HTTP 429, or login EResult 84/87.
 * - unavailable: 5xx without an EResult, a timeout, a refused connection, a body that is not
 *   what Steam sends.
 */
export type SteamTradeErrorKind = 'session_expired' | 'eresult' | 'rate_limited' | 'unavailable';

export class SteamTradeError extends Error {
  readonly kind: SteamTradeErrorKind;
  readonly status: number | undefined;
  readonly eresult: number | undefined;
  readonly action: string;
  constructor(
    kind: SteamTradeErrorKind,
    action: string,
    message: string,
    opts: { status?: number; eresult?: number; cause?: unknown } = {},
  ) {
    super(`${action}: ${message}`, { cause: opts.cause });
    this.name = 'SteamTradeError';
    this.kind = kind;
    this.action = action;
    this.status = opts.status;
    this.eresult = opts.eresult;
  }

  /** Steam may have done it although it said no (steam.md §5: 2 Fail, 11 InvalidState, 16 Timeout). */
  get maybeDone(): boolean {
    return (
      this.kind === 'unavailable' ||
      (this.kind === 'eresult' && (this.eresult === 2 || this.eresult === 11 || this.eresult === 16))
    );
  }

  /** A label for metrics: the EResult, or the kind. */
  get label(): string {
    return this.eresult !== undefined ? String(this.eresult) : this.kind;
  }
}

export const isSessionExpired = (err: unknown): boolean =>
  err instanceof SteamTradeError && err.kind === 'session_expired';

const ERESULT = /\((\d+)\)\s*$/;

/** The trailing `(N)` of a strError (TOM helpers.makeAnError). */
export function eresultOf(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const m = ERESULT.exec(text);
  return m?.[1] ? Number(m[1]) : undefined;
}
