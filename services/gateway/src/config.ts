import {
  loadSchema,
  optionalStr,
  optionalUrl,
  serviceGroups,
  url,
  type ConfigOf,
  type Env,
} from '@platform/config';

export const gatewaySchema = {
  ...serviceGroups(8080),
  upstreams: {
    /** The public REST API: /api/v1/*. */
    backend: url('BACKEND_URL', 'http://127.0.0.1:3000', { protocols: ['http:', 'https:'] }),
    /** Sign-in and sessions: /auth/*. */
    login: url('LOGIN_URL', 'http://127.0.0.1:3040', { protocols: ['http:', 'https:'] }),
    /** Live updates: /socket.io (long-polling and WebSocket). */
    socket: url('SOCKET_URL', 'http://127.0.0.1:3020', { protocols: ['http:', 'https:'] }),
  },
  storefront: {
    /** The storefront's built files, served at /; unset: a short page pointing at the API. */
    dir: optionalStr('STOREFRONT_DIR'),
    /** Where the storefront links for Steam's own pages (the trade URL page, offers, API keys). */
    steamCommunityUrl: url('STOREFRONT_STEAM_COMMUNITY_URL', 'https://steamcommunity.com', {
      protocols: ['http:', 'https:'],
    }),
    /** Locally, the Steam emulator: the storefront links to its page where the user accepts offers. */
    emulatorUrl: optionalUrl('STOREFRONT_EMULATOR_URL', { protocols: ['http:', 'https:'] }),
  },
};

export type GatewayConfig = ConfigOf<typeof gatewaySchema>;

export function loadConfig(env: Env): GatewayConfig {
  return loadSchema('gateway', gatewaySchema, env);
}
