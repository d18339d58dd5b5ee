import { loadSchema, optionalStr, serviceGroups, url, type ConfigOf, type Env } from '@platform/config';

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
  },
};

export type GatewayConfig = ConfigOf<typeof gatewaySchema>;

export function loadConfig(env: Env): GatewayConfig {
  return loadSchema('gateway', gatewaySchema, env);
}
