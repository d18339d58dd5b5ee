import SteamTotp from 'steam-totp';
import { SteamTradeError } from './errors.ts';
import type { BotCredentials, BotWebSession, SteamAuthPort } from './types.ts';

type Json = Record<string, unknown>;

/**
 * Bot login against the emulator's session surface (`/_emulator/auth/login|refresh`), which
 * stands in for IAuthenticationService at the library boundary (steam.md §10 row 17): the same
 * inputs (account name, password, a Steam Guard code from shared_secret) and the same outputs
 * (access and refresh tokens, web cookies) as steam-session gives in production.
 */
export class EmulatorAuth implements SteamAuthPort {
  readonly name = 'emulator';
  readonly #url: URL;
  readonly #timeoutMs: number;
  constructor(opts: { emulatorUrl: URL; timeoutMs?: number }) {
    this.#url = opts.emulatorUrl;
    this.#timeoutMs = opts.timeoutMs ?? 15_000;
  }

  async #post(action: string, path: string, body: Json): Promise<Json> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.#url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      throw new SteamTradeError('unavailable', action, (err as Error).message, { cause: err });
    }
    const json = (await res.json().catch(() => ({}))) as Json;
    if (res.ok && json.success === true) return json;
    const eresult = Number(res.headers.get('x-eresult') ?? json.eresult ?? NaN);
    if (eresult === 84 || eresult === 87)
      throw new SteamTradeError('rate_limited', action, `EResult ${eresult}`, {
        status: res.status,
        eresult,
      });
    if (action === 'refresh' && (res.status === 401 || eresult === 15))
      throw new SteamTradeError('session_expired', action, 'refresh token refused', {
        status: res.status,
        eresult,
      });
    if (Number.isFinite(eresult))
      throw new SteamTradeError('eresult', action, `EResult ${eresult}`, { status: res.status, eresult });
    throw new SteamTradeError('unavailable', action, `HTTP ${res.status}`, { status: res.status });
  }

  #session(j: Json): BotWebSession {
    return {
      steamId: String(j.steamid),
      sessionId: String(j.sessionid),
      steamLoginSecure: String(j.steamLoginSecure),
      accessToken: String(j.access_token),
      refreshToken: typeof j.refresh_token === 'string' ? j.refresh_token : undefined,
      accessTokenExpiresAt: Number(j.access_token_expires ?? 0) * 1000,
    };
  }

  async login(creds: BotCredentials): Promise<BotWebSession> {
    return this.#session(
      await this.#post('login', '_emulator/auth/login', {
        account_name: creds.accountName,
        password: creds.password,
        two_factor_code: SteamTotp.generateAuthCode(creds.sharedSecret),
      }),
    );
  }

  async refresh(session: BotWebSession): Promise<BotWebSession> {
    if (!session.refreshToken) throw new SteamTradeError('session_expired', 'refresh', 'no refresh token');
    return this.#session(
      await this.#post('refresh', '_emulator/auth/refresh', { refresh_token: session.refreshToken }),
    );
  }
}
