import {
  clusterGroup,
  httpGroup,
  logGroup,
  loadSchema,
  mysqlGroup,
  rateLimitGroup,
  redisGroup,
  tracingGroup,
  type ConfigOf,
  type Env,
} from '@platform/config';
import { sessionGroup } from '@platform/http';

export const backendSchema = {
  http: httpGroup(3000),
  cluster: clusterGroup(),
  mysql: mysqlGroup(),
  redis: redisGroup(),
  rateLimit: rateLimitGroup(),
  log: logGroup(),
  tracing: tracingGroup(),
  session: sessionGroup(),
};

export type BackendConfig = ConfigOf<typeof backendSchema>;

export function loadConfig(env: Env): BackendConfig {
  return loadSchema('backend', backendSchema, env);
}
