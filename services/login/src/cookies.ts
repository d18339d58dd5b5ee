import type { FastifyReply } from 'fastify';
import type { LoginConfig } from './config.ts';

/**
 * The two cookies this service sets. Both HttpOnly and SameSite=Lax: Lax still rides along on
 * the top-level GET back from Steam, and keeps the session off cross-site POSTs. Secure unless
 * the service is reached over plain http (local development).
 */
export class LoginCookies {
  readonly sessionName: string;
  readonly stateName: string;
  readonly #secure: boolean;
  readonly #domain: string | undefined;
  readonly #sessionMaxAge: number;
  readonly #stateMaxAge: number;
  /** /auth/steam under LOGIN_PUBLIC_URL's path: behind a path prefix, the path browsers see. */
  readonly #statePath: string;

  constructor(config: Pick<LoginConfig, 'session' | 'cookie' | 'login'>) {
    this.sessionName = config.session.cookieName;
    this.stateName = `${config.session.cookieName}_login`;
    this.#secure =
      config.cookie.secure === 'auto'
        ? config.login.publicUrl.protocol === 'https:'
        : config.cookie.secure === 'true';
    this.#domain = config.cookie.domain;
    this.#sessionMaxAge = config.session.absoluteTtlSeconds;
    this.#stateMaxAge = config.login.stateTtlSeconds;
    this.#statePath = `${config.login.publicUrl.pathname.replace(/\/+$/, '')}/auth/steam`;
  }

  setSession(reply: FastifyReply, token: string): void {
    void reply.setCookie(this.sessionName, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: this.#secure,
      maxAge: this.#sessionMaxAge,
      ...(this.#domain ? { domain: this.#domain } : {}),
    });
  }

  clearSession(reply: FastifyReply): void {
    void reply.clearCookie(this.sessionName, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: this.#secure,
      ...(this.#domain ? { domain: this.#domain } : {}),
    });
  }

  /** Host-only and scoped to /auth/steam (under the public URL's path): only the callback ever reads it. */
  setState(reply: FastifyReply, state: string): void {
    void reply.setCookie(this.stateName, state, {
      path: this.#statePath,
      httpOnly: true,
      sameSite: 'lax',
      secure: this.#secure,
      maxAge: this.#stateMaxAge,
    });
  }

  clearState(reply: FastifyReply): void {
    void reply.clearCookie(this.stateName, {
      path: this.#statePath,
      httpOnly: true,
      sameSite: 'lax',
      secure: this.#secure,
    });
  }
}
