import {
  devOnly,
  int,
  loadSchema,
  oneOf,
  optionalStr,
  url,
  type ConfigOf,
  type Env,
  serviceGroups,
} from '@platform/config';
import { sessionGroup } from '@platform/http';

export const loginSchema = {
  ...serviceGroups(3040),
  session: sessionGroup(),
  cookie: {
    /** e.g. `.example.com` so api. and www. see the session; unset = this host only. */
    domain: optionalStr('SESSION_COOKIE_DOMAIN'),
    /** auto: Secure whenever LOGIN_PUBLIC_URL is https (so only local http development goes without). */
    secure: oneOf('SESSION_COOKIE_SECURE', ['auto', 'true', 'false'], 'auto'),
  },
  login: {
    /** This service as browsers reach it: the base of return_to and the OpenID realm. */
    publicUrl: url('LOGIN_PUBLIC_URL', 'http://127.0.0.1:3040', { protocols: ['http:', 'https:'] }),
    /**
     * Where a login lands when its returnTo is missing or not on an allowed origin. Until a
     * frontend exists, locally that is the backend's /api/v1/me (it shows who signed in).
     */
    defaultRedirect: url('LOGIN_DEFAULT_REDIRECT', 'http://127.0.0.1:3000/api/v1/me', {
      protocols: ['http:', 'https:'],
    }),
    /** How long a started sign-in may take at Steam. */
    stateTtlSeconds: int('LOGIN_STATE_TTL_SECONDS', 600, { min: 30, max: 3600 }),
    /** steam.md §1.4 item 7 (XOID): 300 s. */
    nonceMaxAgeSeconds: int('OPENID_NONCE_MAX_AGE_SECONDS', 300, { min: 30, max: 3600 }),
  },
  steam: {
    /** The OpenID provider: the emulator locally, https://steamcommunity.com/openid/login in production. */
    openidUrl: devOnly(
      url('STEAM_OPENID_URL', 'http://127.0.0.1:3090/openid/login', { protocols: ['http:', 'https:'] }),
      { why: 'the local Steam emulator; set https://steamcommunity.com/openid/login' },
    ),
    /** The WebAPI host for GetPlayerSummaries: the emulator locally, https://api.steampowered.com in production. */
    webApiUrl: devOnly(
      url('STEAM_WEB_API_URL', 'http://127.0.0.1:3090', { protocols: ['http:', 'https:'] }),
      {
        why: 'the local Steam emulator; set https://api.steampowered.com',
      },
    ),
    /** WebAPI key; without one, profiles (persona, avatar) are not fetched. */
    apiKey: optionalStr('STEAM_API_KEY', { secret: true }),
    timeoutMs: int('STEAM_TIMEOUT_MS', 5_000, { min: 100, max: 60_000 }),
  },
};

export type LoginConfig = ConfigOf<typeof loginSchema>;

export function loadConfig(env: Env): LoginConfig {
  return loadSchema('login', loginSchema, env);
}
