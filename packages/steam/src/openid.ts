/**
 * Steam OpenID 2.0, relying-party side (steam.md §1). Steam's OpenID has a history of account
 * takeovers through popular libraries (steam.md §1.4–1.5): this module applies every check of
 * §1.4 before it asks the provider, and asks only the provider URL it was configured with.
 *
 * Refusals are AppErrors whose `details.reason` names the failed check (stable, for logs and
 * tests); the message is the catalog's, written for a person.
 */
import { AppError } from '@platform/core';

export const OPENID_NS = 'http://specs.openid.net/auth/2.0';
/** What Steam puts in openid.op_endpoint (steam.md §1.2). The emulator signs the same constant. */
export const STEAM_OP_ENDPOINT = 'https://steamcommunity.com/openid/login';
const IDENTIFIER_SELECT = 'http://specs.openid.net/auth/2.0/identifier_select';
/** Only https: Steam switched in 2018 (steam.md §1.5) and the 2023 takeovers used http:// ids (§1.4 item 4). */
const CLAIMED_ID = /^https:\/\/steamcommunity\.com\/openid\/id\/(\d{17})$/;
/** The exact signed list Steam sends (steam.md §1.2, XOID's EXPECTED_SIGNED). */
const STEAM_SIGNED = [
  'signed',
  'op_endpoint',
  'claimed_id',
  'identity',
  'return_to',
  'response_nonce',
  'assoc_handle',
];
/** Every openid.* parameter of a positive assertion (steam.md §1.2); anything else is refused (§1.4 item 8). */
const ASSERTION_PARAMS = new Set([
  'openid.ns',
  'openid.mode',
  'openid.op_endpoint',
  'openid.claimed_id',
  'openid.identity',
  'openid.return_to',
  'openid.response_nonce',
  'openid.assoc_handle',
  'openid.signed',
  'openid.sig',
]);
const NONCE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)[\x21-\x7e]{0,200}$/;
/** Null bytes and other control characters in names or values (steam.md §1.4 item 8, goth#595). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** SteamID64 of individual account 0 (steam.md §2.1). */
const INDIVIDUAL_BASE = 76561197960265728n;
const MAX_ACCOUNT_ID = 0xffff_ffffn;

export type OpenIdRefusal =
  | 'cancelled'
  | 'mode'
  | 'ns'
  | 'op_endpoint'
  | 'claimed_id'
  | 'identity_mismatch'
  | 'signed_fields'
  | 'return_to'
  | 'missing_parameter'
  | 'duplicate_parameter'
  | 'unexpected_parameter'
  | 'control_character'
  | 'malformed_query'
  | 'nonce_malformed'
  | 'nonce_stale';

function refuse(reason: OpenIdRefusal): AppError {
  if (reason === 'cancelled') return new AppError('LOGIN_CANCELLED', undefined, { reason });
  if (reason === 'nonce_malformed' || reason === 'nonce_stale') {
    return new AppError('OPENID_NONCE_INVALID', undefined, { reason });
  }
  return new AppError('OPENID_ASSERTION_INVALID', undefined, { reason });
}

/** The SteamID64 of an individual account, or undefined when the string is not one (steam.md §2.1). */
export function parseSteamId64(value: string): bigint | undefined {
  if (!/^\d{17}$/.test(value)) return undefined;
  const id = BigInt(value);
  const accountId = id - INDIVIDUAL_BASE;
  return accountId >= 1n && accountId <= MAX_ACCOUNT_ID ? id : undefined;
}

/** The 32-bit account id a trade URL's `partner` carries (steam.md §2.1–2.2). */
export function accountIdFromSteamId64(steamId: string): number {
  const id = parseSteamId64(steamId);
  if (id === undefined) throw new RangeError(`not an individual SteamID64: ${steamId}`);
  return Number(id - INDIVIDUAL_BASE);
}

export function steamId64FromAccountId(accountId: number): string {
  return (INDIVIDUAL_BASE + BigInt(accountId)).toString();
}

/**
 * Where to send the browser: the provider with a checkid_setup request (steam.md §1.1). The
 * state lives in return_to, because Steam's OpenID carries no state parameter.
 */
export function buildLoginUrl(opts: { providerUrl: URL; returnTo: string; realm: string }): string {
  const url = new URL(opts.providerUrl);
  url.search = '';
  const params: Record<string, string> = {
    'openid.ns': OPENID_NS,
    'openid.mode': 'checkid_setup',
    'openid.return_to': opts.returnTo,
    'openid.realm': opts.realm,
    'openid.identity': IDENTIFIER_SELECT,
    'openid.claimed_id': IDENTIFIER_SELECT,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

/**
 * Parses a raw query string keeping duplicates visible (a framework's parsed query keeps the
 * first or the last value, which is how duplicate-parameter attacks slip through).
 */
export function parseQueryStrictly(rawQuery: string): Map<string, string> {
  const out = new Map<string, string>();
  if (rawQuery === '') return out;
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent((eq < 0 ? piece : piece.slice(0, eq)).replaceAll('+', ' '));
      value = eq < 0 ? '' : decodeURIComponent(piece.slice(eq + 1).replaceAll('+', ' '));
    } catch {
      throw refuse('malformed_query');
    }
    if (CONTROL.test(name) || CONTROL.test(value)) throw refuse('control_character');
    if (out.has(name)) throw refuse('duplicate_parameter');
    out.set(name, value);
  }
  return out;
}

export interface VerifiedAssertion {
  steamId: string;
  /** openid.response_nonce: single use, the caller records it (steam.md §1.4 item 7). */
  nonce: string;
  /** The openid.* parameters to post back with check_authentication. */
  params: Map<string, string>;
}

export interface VerifyOptions {
  /** The exact return_to this login sent (with its state): compared for equality (§1.4 item 6). */
  returnTo: string;
  /** Names allowed besides openid.* (the state parameter of our return_to). */
  ownParams: readonly string[];
  nowMs: number;
  maxNonceAgeSeconds: number;
}

/**
 * Every local check of steam.md §1.4 (items 1–8). Passing them does not make an assertion true:
 * only the provider's check_authentication (item 9) does.
 */
export function verifyAssertion(rawQuery: string, opts: VerifyOptions): VerifiedAssertion {
  const query = parseQueryStrictly(rawQuery);
  const params = new Map<string, string>();
  for (const [name, value] of query) {
    if (name.startsWith('openid.')) {
      if (!ASSERTION_PARAMS.has(name)) throw refuse('unexpected_parameter');
      params.set(name, value);
    } else if (!opts.ownParams.includes(name)) {
      throw refuse('unexpected_parameter');
    }
  }
  const mode = params.get('openid.mode');
  if (mode === 'cancel') throw refuse('cancelled');
  if (mode !== 'id_res') throw refuse('mode');
  if (params.get('openid.ns') !== OPENID_NS) throw refuse('ns');
  for (const name of ASSERTION_PARAMS) if (!params.has(name)) throw refuse('missing_parameter');
  if (params.get('openid.op_endpoint') !== STEAM_OP_ENDPOINT) throw refuse('op_endpoint');

  const claimedId = params.get('openid.claimed_id') ?? '';
  const match = CLAIMED_ID.exec(claimedId);
  const steamId = match?.[1];
  if (steamId === undefined || parseSteamId64(steamId) === undefined) throw refuse('claimed_id');
  if (params.get('openid.identity') !== claimedId) throw refuse('identity_mismatch');

  const signed = (params.get('openid.signed') ?? '').split(',');
  if (signed.length !== STEAM_SIGNED.length || new Set(signed).size !== signed.length) {
    throw refuse('signed_fields');
  }
  for (const field of STEAM_SIGNED) if (!signed.includes(field)) throw refuse('signed_fields');

  if (params.get('openid.return_to') !== opts.returnTo) throw refuse('return_to');

  const nonce = params.get('openid.response_nonce') ?? '';
  const stamp = NONCE.exec(nonce)?.[1];
  const issuedMs = stamp === undefined ? Number.NaN : Date.parse(stamp);
  if (Number.isNaN(issuedMs)) throw refuse('nonce_malformed');
  // Both directions: a nonce from the future is as suspect as an old one (XOID: |now − t| > 300 s).
  if (Math.abs(opts.nowMs - issuedMs) > opts.maxNonceAgeSeconds * 1000) throw refuse('nonce_stale');

  return { steamId, nonce, params };
}

/**
 * check_authentication (steam.md §1.3): posts the assertion back, mode replaced, to the
 * configured provider URL (never the op_endpoint from the query). True only for a KV answer
 * with the 2.0 ns and is_valid:true. An unreachable or rate-limiting provider (403/429, §1.5)
 * is STEAM_UNAVAILABLE, so the person is told to try again rather than that they failed.
 */
export async function checkAuthentication(
  params: Map<string, string>,
  opts: { providerUrl: URL; timeoutMs: number },
): Promise<boolean> {
  const body = new URLSearchParams();
  for (const [name, value] of params)
    body.append(name, name === 'openid.mode' ? 'check_authentication' : value);
  let res: Response;
  let text: string;
  try {
    res = await fetch(opts.providerUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    text = await res.text();
  } catch (err) {
    throw new AppError('STEAM_UNAVAILABLE', undefined, { reason: 'unreachable' }, { cause: err });
  }
  if (res.status !== 200) {
    throw new AppError('STEAM_UNAVAILABLE', undefined, { reason: `http_${res.status}` });
  }
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) kv.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return kv.get('ns') === OPENID_NS && kv.get('is_valid') === 'true';
}
