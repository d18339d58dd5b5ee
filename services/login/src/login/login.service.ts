import { randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '@platform/core';
import type { Session, SessionStore } from '@platform/http';
import type { FastifyBaseLogger } from 'fastify';
import { buildLoginUrl, checkAuthentication, parseQueryStrictly, verifyAssertion } from '@platform/steam';
import type { LoginConfig } from '../config.ts';
import { fetchSteamProfile } from '../users/steam-profile.client.ts';
import type { SteamProfile, UserRepository } from '../users/user.repository.ts';
import type { LoginStateRepository } from './login-state.repository.ts';
import { allowedReturnTo } from './return-to.ts';

const STATE = /^[A-Za-z0-9_-]{43}$/;

export interface LoginServiceOptions {
  config: Pick<LoginConfig, 'login' | 'steam'>;
  allowedOrigins: ReadonlySet<string>;
  states: LoginStateRepository;
  users: UserRepository;
  sessions: SessionStore;
  /** Epoch milliseconds (nonce freshness); tests move it. */
  now?: () => number;
}

export interface FinishInput {
  rawQuery: string;
  /** The state cookie this browser carries (set by start). */
  stateCookie: string | undefined;
  /** The session token the browser already had, if any: replaced, never reused. */
  previousToken: string | undefined;
  ip: string;
  userAgent: string;
  log: FastifyBaseLogger;
}

/**
 * Sign in through Steam: start sends the browser to the provider with a state bound to this
 * browser; finish applies every check of steam.md §1.4, asks the provider to confirm, then
 * creates the user and a new session.
 */
export class LoginService {
  readonly #opts: LoginServiceOptions;
  readonly #now: () => number;
  readonly #returnUrl: string;

  constructor(opts: LoginServiceOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    const base = opts.config.login.publicUrl;
    this.#returnUrl = `${base.origin}${base.pathname.replace(/\/+$/, '')}/auth/steam/return`;
  }

  /** return_to carries the state (Steam's OpenID has no state parameter, steam.md §1.1). */
  #returnTo(state: string): string {
    return `${this.#returnUrl}?state=${state}`;
  }

  /** Where a finished login goes: returnTo when its origin is allowed, else the default. */
  redirectTarget(raw: unknown): URL {
    const fallback = this.#opts.config.login.defaultRedirect;
    return allowedReturnTo(raw, this.#opts.allowedOrigins, fallback) ?? fallback;
  }

  async start(returnTo: unknown): Promise<{ state: string; providerUrl: string }> {
    const state = randomBytes(32).toString('base64url');
    const target = this.redirectTarget(returnTo);
    await this.#opts.states.saveState(state, target.href, this.#opts.config.login.stateTtlSeconds);
    const realm = this.#opts.config.login.publicUrl.origin;
    return {
      state,
      providerUrl: buildLoginUrl({
        providerUrl: this.#opts.config.steam.openidUrl,
        returnTo: this.#returnTo(state),
        realm,
      }),
    };
  }

  /** Refusals are AppErrors with a `reason`; the HTTP error handler logs code and reason at warn. */
  async finish(input: FinishInput): Promise<{ token: string; session: Session; redirectTo: URL }> {
    const { login, steam } = this.#opts.config;
    // Duplicates, control characters and malformed encoding first (steam.md §1.4 item 8).
    const query = parseQueryStrictly(input.rawQuery);
    if (query.get('openid.mode') === 'cancel') {
      throw new AppError('LOGIN_CANCELLED', undefined, { reason: 'cancelled' });
    }

    // The state in return_to must be the one this browser's cookie holds: a login started in
    // one browser cannot be finished in another (login CSRF, session swapping).
    const state = query.get('state');
    if (state === undefined || !STATE.test(state)) throw stateError('no_state');
    if (input.stateCookie === undefined) throw stateError('no_state_cookie');
    if (!sameString(state, input.stateCookie)) throw stateError('state_mismatch');

    const assertion = verifyAssertion(input.rawQuery, {
      returnTo: this.#returnTo(state),
      ownParams: ['state'],
      nowMs: this.#now(),
      maxNonceAgeSeconds: login.nonceMaxAgeSeconds,
    });
    // Before the state is consumed, so a replayed callback is named as such.
    if (!(await this.#opts.states.useNonce(assertion.nonce, login.nonceMaxAgeSeconds))) {
      throw new AppError('OPENID_NONCE_INVALID', undefined, { reason: 'nonce_replayed' });
    }
    const record = await this.#opts.states.takeState(state);
    if (!record) throw stateError('state_expired');

    // steam.md §1.4 item 9 and §1.3: the configured provider URL, never openid.op_endpoint.
    const valid = await checkAuthentication(assertion.params, {
      providerUrl: steam.openidUrl,
      timeoutMs: steam.timeoutMs,
    });
    if (!valid) throw new AppError('OPENID_NOT_CONFIRMED', undefined, { reason: 'not_confirmed' });

    const profile = await this.#profile(assertion.steamId, input.log);
    const user = await this.#opts.users.upsertBySteamId(assertion.steamId, profile);
    if (user.bannedAt !== null) throw new AppError('ACCOUNT_BANNED', undefined, { reason: 'banned' });

    // A new session at every login; the one the browser brought (if any) ends (no fixation).
    if (input.previousToken) await this.#opts.sessions.revoke(input.previousToken);
    const { token, session } = await this.#opts.sessions.create({
      userId: user.id,
      steamId: assertion.steamId,
      ip: input.ip,
      userAgent: input.userAgent,
    });
    input.log.info({ userId: user.id, steamId: assertion.steamId }, 'signed in through Steam');
    return { token, session, redirectTo: this.redirectTarget(record.returnTo) };
  }

  /** A profile failure never blocks the sign-in: the user keeps the last known persona. */
  async #profile(steamId: string, log: FastifyBaseLogger): Promise<SteamProfile | undefined> {
    const { steam } = this.#opts.config;
    if (steam.apiKey === undefined) return undefined;
    try {
      return await fetchSteamProfile(steamId, {
        webApiUrl: steam.webApiUrl,
        apiKey: steam.apiKey,
        timeoutMs: steam.timeoutMs,
      });
    } catch (err) {
      log.warn({ steamId, err: (err as Error).message }, 'Steam profile unavailable; signing in without it');
      return undefined;
    }
  }
}

function stateError(reason: string): AppError {
  return new AppError('LOGIN_STATE_INVALID', undefined, { reason });
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
