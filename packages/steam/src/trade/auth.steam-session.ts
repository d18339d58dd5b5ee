import { EAuthTokenPlatformType, EResult, LoginSession, type ITransport } from 'steam-session';
import SteamTotp from 'steam-totp';
import { SteamTradeError } from './errors.ts';
import type { BotCredentials, BotWebSession, SteamAuthPort } from './types.ts';

export interface SteamSessionAuthOptions {
  /** An HTTP proxy for this bot group's logins (per-IP login limits, steam.md §7.3). */
  httpProxy?: string;
  /** Tests: a transport standing at the network boundary (steam-session's ITransport). */
  transport?: ITransport;
  timeoutMs?: number;
}

function cookieValue(cookies: string[], name: string): string | undefined {
  for (const c of cookies) {
    const [pair] = c.split(';');
    const eq = pair?.indexOf('=') ?? -1;
    if (pair && eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1);
  }
  return undefined;
}

function jwtExpiry(token: string): number {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
      exp?: number;
    };
    return (payload.exp ?? 0) * 1000;
  } catch {
    return 0;
  }
}

function mapError(action: string, err: unknown): SteamTradeError {
  if (err instanceof SteamTradeError) return err;
  const eresult = (err as { eresult?: number }).eresult;
  if (eresult === EResult.RateLimitExceeded || eresult === EResult.AccountLoginDeniedThrottle)
    return new SteamTradeError('rate_limited', action, `EResult ${eresult}`, { eresult, cause: err });
  if (eresult === EResult.AccessDenied && action === 'refresh')
    return new SteamTradeError('session_expired', action, 'refresh token refused', { eresult, cause: err });
  if (typeof eresult === 'number')
    return new SteamTradeError('eresult', action, (err as Error).message, { eresult, cause: err });
  return new SteamTradeError('unavailable', action, (err as Error).message, { cause: err });
}

/**
 * Production bot login: steam-session's IAuthenticationService flow as a MobileApp (its refresh
 * token yields web cookies and can be renewed, steam.md §7.1), answered with a steam-totp code.
 * The trade calls then run over SteamTradeClient against steamcommunity.com and
 * api.steampowered.com with the cookies and access token it returns.
 */
export class SteamSessionAuth implements SteamAuthPort {
  readonly name = 'steam-session';
  readonly #o: SteamSessionAuthOptions;
  constructor(opts: SteamSessionAuthOptions = {}) {
    this.#o = opts;
  }

  #newSession(): LoginSession {
    return new LoginSession(EAuthTokenPlatformType.MobileApp, {
      ...(this.#o.transport ? { transport: this.#o.transport } : {}),
      ...(this.#o.httpProxy ? { httpProxy: this.#o.httpProxy } : {}),
    });
  }

  async #cookies(session: LoginSession, steamId: string): Promise<BotWebSession> {
    const cookies = await session.getWebCookies();
    const steamLoginSecure = cookieValue(cookies, 'steamLoginSecure');
    if (!steamLoginSecure)
      throw new SteamTradeError('unavailable', 'login', 'Steam gave no steamLoginSecure cookie');
    const accessToken = decodeURIComponent(steamLoginSecure).split('||')[1] ?? session.accessToken;
    return {
      steamId,
      sessionId: cookieValue(cookies, 'sessionid') ?? '',
      steamLoginSecure,
      accessToken,
      refreshToken: session.refreshToken,
      accessTokenExpiresAt: jwtExpiry(accessToken),
    };
  }

  async login(creds: BotCredentials): Promise<BotWebSession> {
    const session = this.#newSession();
    try {
      const authenticated = new Promise<void>((resolve, reject) => {
        session.once('authenticated', () => resolve());
        session.once('error', reject);
        session.once('timeout', () => reject(new SteamTradeError('unavailable', 'login', 'login timed out')));
      });
      const start = await session.startWithCredentials({
        accountName: creds.accountName,
        password: creds.password,
        steamGuardCode: SteamTotp.generateAuthCode(creds.sharedSecret),
      });
      if (start.actionRequired)
        throw new SteamTradeError('eresult', 'login', 'Steam asks for a guard this bot cannot answer', {
          eresult: 85,
        });
      await authenticated;
      return await this.#cookies(session, creds.steamId);
    } catch (err) {
      throw mapError('login', err);
    } finally {
      session.cancelLoginAttempt();
    }
  }

  async refresh(previous: BotWebSession): Promise<BotWebSession> {
    if (!previous.refreshToken) throw new SteamTradeError('session_expired', 'refresh', 'no refresh token');
    const session = this.#newSession();
    try {
      session.refreshToken = previous.refreshToken;
      return await this.#cookies(session, previous.steamId);
    } catch (err) {
      throw mapError('refresh', err);
    }
  }
}
