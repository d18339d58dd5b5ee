/**
 * EResult values the offer surfaces emit (numbers per TOM `resources/EResult.js`, steam.md §5) and the
 * error type the offer/confirmation services throw. Routes map it to Steam's wire shapes in one place
 * (`replyWithSteamError`), so the services never know about HTTP.
 */
export const EResult = {
  OK: 1,
  Fail: 2,
  InvalidParam: 8,
  FileNotFound: 9,
  InvalidState: 11,
  AccessDenied: 15,
  Timeout: 16,
  ServiceUnavailable: 20,
  NotLoggedOn: 21,
  InsufficientPrivilege: 24,
  LimitExceeded: 25,
  Revoked: 26,
  AlreadyRedeemed: 28,
  DuplicateRequest: 29,
} as const;
export type EResultCode = (typeof EResult)[keyof typeof EResult];

/** Which community action failed: picks the strError sentence Steam uses (§5 "Error string shapes"). */
export type OfferAction = 'send' | 'accept' | 'cancel' | 'decline' | 'acknowledge';

export class SteamError extends Error {
  readonly eresult: number;
  /** Optional Steam sentence to use instead of the generic "There was an error ..." one (§4.2 strError causes). */
  readonly steamText: string | undefined;
  constructor(eresult: number, detail: string, steamText?: string) {
    super(detail);
    this.name = 'SteamError';
    this.eresult = eresult;
    this.steamText = steamText;
  }
}

/**
 * The community strError text: "There was an error sending your trade offer.  Please try again later. (26)"
 * — two spaces and a trailing "(N)" that clients parse with `\((\d+)\)$` (§4.2, §5).
 */
export function strErrorFor(action: OfferAction, err: SteamError): string {
  if (err.steamText !== undefined) return `${err.steamText} (${err.eresult})`;
  const verb: Record<OfferAction, string> = {
    send: 'There was an error sending your trade offer.',
    accept: 'There was an error accepting this trade offer.',
    cancel: 'There was an error cancelling this trade offer.',
    decline: 'There was an error declining this trade offer.',
    acknowledge: 'There was an error acknowledging trade protection.',
  };
  return `${verb[action]}  Please try again later. (${err.eresult})`;
}
