import { loadSchema, type ConfigOf, type Env, serviceGroups } from '@platform/config';
import { sessionGroup } from '@platform/http';

export const backendSchema = {
  ...serviceGroups(3000),
  session: sessionGroup(),
};

export type BackendConfig = ConfigOf<typeof backendSchema>;

export function loadConfig(env: Env): BackendConfig {
  return loadSchema('backend', backendSchema, env);
}
