// Bot login at the library boundary (steam.md §7.1, §10 row 17). Steam's IAuthenticationService is a protobuf
// flow (BeginAuthSessionViaCredentials → PollAuthSessionStatus → GenerateAccessTokenForApp); the emulator offers
// one JSON call per outcome instead, which a steam-session stand-in in the platform's Steam adapter can call:
//
//   POST /_emulator/auth/login    { account_name, password, two_factor_code? }  → tokens + web cookies
//   POST /_emulator/auth/refresh  { refresh_token }                             → new access token + cookies
//
// Errors: HTTP 4xx with header x-eresult and body { success:false, eresult, message }.
import { randomBytes } from 'node:crypto';
import type { FastifyPluginCallback, FastifyReply } from 'fastify';
import { generateAuthCode } from '../confirmations/steam-totp.ts';
import type { Account } from '../world/types.ts';
import { tokenExpiry, tokenSubject } from '../world/world.ts';
import type { World } from '../world/world.ts';

/** EResults of the login flow (steam.md §5). */
const E = {
  InvalidPassword: 5,
  AccessDenied: 15,
  RateLimitExceeded: 84,
  AccountLoginDeniedNeedTwoFactor: 85,
  AccountLoginDeniedThrottle: 87,
  TwoFactorCodeMismatch: 88,
} as const;

/** Sliding-window counters of login attempts per key (IP or account). */
export class LoginThrottle {
  private readonly attempts = new Map<string, number[]>();

  /** Records an attempt at `now` and returns how many attempts fall within the window (including this one). */
  hit(key: string, now: number, windowSeconds: number): number {
    const list = (this.attempts.get(key) ?? []).filter((t) => t > now - windowSeconds);
    list.push(now);
    this.attempts.set(key, list);
    return list.length;
  }

  reset(): void {
    this.attempts.clear();
  }
}

export function webCookies(account: Account): { sessionid: string; steamLoginSecure: string } {
  return {
    // SC generates 12 random bytes hex (steam.md §4.1).
    sessionid: randomBytes(12).toString('hex'),
    steamLoginSecure: encodeURIComponent(`${account.steamid}||${account.accessToken}`),
  };
}

function fail(reply: FastifyReply, status: number, eresult: number, message: string) {
  return reply.code(status).header('x-eresult', String(eresult)).send({ success: false, eresult, message });
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export interface SessionPluginOptions {
  world: World;
  throttle: LoginThrottle;
}

export const sessionPlugin: FastifyPluginCallback<SessionPluginOptions> = (
  app,
  { world, throttle },
  done,
) => {
  const tokensBody = (account: Account, reply: FastifyReply) => {
    const cookies = webCookies(account);
    void reply.setCookie('sessionid', cookies.sessionid, { path: '/' });
    void reply.setCookie('steamLoginSecure', cookies.steamLoginSecure, {
      path: '/',
      httpOnly: true,
      encode: (v) => v,
    });
    return {
      success: true,
      steamid: account.steamid,
      account_name: account.accountName,
      refresh_token: account.refreshToken,
      refresh_token_expires: account.refreshTokenExpires,
      access_token: account.accessToken,
      access_token_expires: account.accessTokenExpires,
      cookies: [`sessionid=${cookies.sessionid}`, `steamLoginSecure=${cookies.steamLoginSecure}`],
      sessionid: cookies.sessionid,
      steamLoginSecure: cookies.steamLoginSecure,
    };
  };

  app.post('/_emulator/auth/login', async (req, reply) => {
    if (await world.faults.apply('auth.login', req, reply, 'webapi')) return reply;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const now = world.clock.now();
    const limits = world.loginLimits;
    // Per-IP throttle first: EResult 84 RateLimitExceeded (steam.md §7.3).
    if (throttle.hit(`ip:${req.ip}`, now, limits.windowSeconds) > limits.perIp) {
      return fail(reply, 429, E.RateLimitExceeded, 'RateLimitExceeded');
    }
    const name = str(body['account_name']) ?? '';
    const account = world.accountByName(name) ?? world.account(name);
    if (
      account !== undefined &&
      throttle.hit(`acct:${account.steamid}`, now, limits.windowSeconds) > limits.perAccount
    ) {
      // Per-account throttle: EResult 87 AccountLoginDeniedThrottle (steam.md §5, modelling choice §7.4).
      return fail(reply, 429, E.AccountLoginDeniedThrottle, 'AccountLoginDeniedThrottle');
    }
    if (account === undefined || account.password !== str(body['password'])) {
      return fail(reply, 401, E.InvalidPassword, 'InvalidPassword');
    }
    if (account.sharedSecret !== '') {
      const code = str(body['two_factor_code']);
      if (code === undefined)
        return fail(reply, 401, E.AccountLoginDeniedNeedTwoFactor, 'AccountLoginDeniedNeedTwoFactor');
      // Accept the previous, current and next 30 s window (clock skew tolerance like Steam's authenticator).
      const ok = [-30, 0, 30].some(
        (d) => generateAuthCode(account.sharedSecret, now + d) === code.toUpperCase(),
      );
      if (!ok) return fail(reply, 401, E.TwoFactorCodeMismatch, 'TwoFactorCodeMismatch');
    }
    world.renewRefreshToken(account);
    world.renewAccessToken(account);
    return tokensBody(account, reply);
  });

  // getWebCookies()/refresh → access exchange (steam.md §7.1 step 4). Rotates only the access token.
  app.post('/_emulator/auth/refresh', async (req, reply) => {
    if (await world.faults.apply('auth.refresh', req, reply, 'webapi')) return reply;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const token = str(body['refresh_token']) ?? '';
    const sub = tokenSubject(token);
    const account = sub === undefined ? undefined : world.account(sub);
    const exp = tokenExpiry(token) ?? 0;
    if (account === undefined || account.refreshToken !== token || exp <= world.clock.now()) {
      return fail(reply, 401, E.AccessDenied, 'AccessDenied');
    }
    world.renewAccessToken(account);
    return tokensBody(account, reply);
  });
  done();
};
