import type { Env, Field } from './fields.ts';

export type Schema = Record<string, Record<string, Field<unknown>>>;
export type ConfigOf<S extends Schema> = {
  readonly [G in keyof S]: { readonly [K in keyof S[G]]: S[G][K] extends Field<infer T> ? T : never };
};

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(service: string, problems: readonly string[]) {
    super(`${service}: invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Reads every field of every group, then fails once with the full list of problems, so an
 * operator fixes a bad .env in one go instead of one variable per restart.
 */
export function loadSchema<S extends Schema>(service: string, schema: S, env: Env): ConfigOf<S> {
  const problems: string[] = [];
  const out: Record<string, Record<string, unknown>> = {};
  for (const [group, fields] of Object.entries(schema)) {
    const g: Record<string, unknown> = {};
    for (const [name, f] of Object.entries(fields)) {
      const r = f.read(env);
      if (r.ok) g[name] = r.value;
      else problems.push(r.problem);
    }
    out[group] = Object.freeze(g);
  }
  if (problems.length > 0) throw new ConfigError(service, problems);
  return Object.freeze(out) as ConfigOf<S>;
}
