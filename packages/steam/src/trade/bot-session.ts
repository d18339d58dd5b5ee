import { SteamTradeError, isSessionExpired } from './errors.ts';
import type { LoginLimiter } from './login-limiter.ts';
import type { BotCredentials, BotWebSession, SteamAuthPort } from './types.ts';

export interface BotSessionOptions {
  creds: BotCredentials;
  auth: SteamAuthPort;
  limiter: LoginLimiter;
  /** The address (or proxy) this bot logs in from: the per-IP budget's key. */
  ip: string;
  /** A new session exists (persist the cookie for sinv, count the login). */
  onSession?: (session: BotWebSession, how: 'login' | 'refresh') => void | Promise<void>;
  /** A password login was refused or throttled. */
  onLoginFailure?: (err: SteamTradeError) => void;
}

/**
 * One bot's web session. Every Steam call goes through `call`, which logs in when there is no
 * session and, when Steam says the session died (steam.md §7.2: 401/403, a redirect to the
 * sign-in page, `needauth`), refreshes it — or logs in again under the login limiter — and
 * retries the call once. No call site handles expiry on its own, so none can forget to.
 */
export class BotSession {
  readonly #o: BotSessionOptions;
  #session: BotWebSession | undefined;
  #renewing: Promise<BotWebSession> | undefined;
  logins = 0;

  constructor(opts: BotSessionOptions) {
    this.#o = opts;
  }

  get creds(): BotCredentials {
    return this.#o.creds;
  }

  get current(): BotWebSession | undefined {
    return this.#session;
  }

  /** A session, logging in (or refreshing) when there is none or it was refused. */
  async ensure(force = false): Promise<BotWebSession> {
    if (this.#session && !force) return this.#session;
    this.#renewing ??= this.#renew().finally(() => {
      this.#renewing = undefined;
    });
    return this.#renewing;
  }

  async #renew(): Promise<BotWebSession> {
    const previous = this.#session;
    this.#session = undefined;
    if (previous?.refreshToken) {
      try {
        const s = await this.#o.auth.refresh(previous);
        this.#session = s;
        await this.#o.onSession?.(s, 'refresh');
        return s;
      } catch (err) {
        if (!isSessionExpired(err) && !(err instanceof SteamTradeError && err.kind === 'eresult')) throw err;
        // The refresh token is dead too: a password login below.
      }
    }
    const { ip, creds, limiter } = this.#o;
    const decision = await limiter.acquire(ip, creds.accountName);
    if (!decision.ok)
      throw new SteamTradeError(
        'rate_limited',
        'login',
        `login deferred (${decision.reason}) until ${new Date(decision.retryAtMs).toISOString()}`,
      );
    try {
      const s = await this.#o.auth.login(creds);
      this.logins++;
      await limiter.record(ip, creds.accountName);
      this.#session = s;
      await this.#o.onSession?.(s, 'login');
      return s;
    } catch (err) {
      await limiter.record(ip, creds.accountName, err);
      if (err instanceof SteamTradeError) this.#o.onLoginFailure?.(err);
      throw err;
    }
  }

  /** Runs a Steam call with the session; on an expired session, logs in again and retries once. */
  async call<T>(fn: (s: BotWebSession) => Promise<T>): Promise<T> {
    const s = await this.ensure();
    try {
      return await fn(s);
    } catch (err) {
      if (!isSessionExpired(err)) throw err;
      // Another call may have renewed it already; otherwise renew now.
      const fresh = this.#session && this.#session !== s ? this.#session : await this.ensure(true);
      return fn(fresh);
    }
  }

  /** Forget the session (logout on shutdown, or a lease lost). */
  drop(): void {
    this.#session = undefined;
  }
}
