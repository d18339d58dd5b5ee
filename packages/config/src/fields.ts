/**
 * Field readers: each one knows its variable, its default and how to parse it, and reports a
 * problem as a message instead of throwing, so loadConfig can list every bad variable at once.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export interface Field<T> {
  readonly key: string;
  /** Whether the value may be printed (false for secrets: only "set"/"unset" is shown). */
  readonly secret: boolean;
  read(env: Env): { ok: true; value: T } | { ok: false; problem: string };
}

type Parse<T> = (raw: string) => { ok: true; value: T } | { ok: false; problem: string };

function field<T>(key: string, parse: Parse<T>, fallback: T | undefined, secret = false): Field<T> {
  return {
    key,
    secret,
    read(env) {
      const raw = env[key];
      if (raw === undefined || raw.trim() === '') {
        if (fallback === undefined) return { ok: false, problem: `${key} is required but not set` };
        return { ok: true, value: fallback };
      }
      const parsed = parse(raw.trim());
      return parsed.ok ? parsed : { ok: false, problem: `${key} ${parsed.problem}` };
    },
  };
}

const ok = <T>(value: T) => ({ ok: true as const, value });
const bad = (problem: string) => ({ ok: false as const, problem });

export function str(
  key: string,
  fallback?: string,
  opts: { secret?: boolean; maxLength?: number; pattern?: RegExp; patternHint?: string } = {},
): Field<string> {
  const { maxLength, pattern } = opts;
  return field(
    key,
    (raw) => {
      if (maxLength !== undefined && raw.length > maxLength)
        return bad(`must be at most ${maxLength} characters, got ${raw.length}`);
      if (pattern && !pattern.test(raw))
        return bad(`must be ${opts.patternHint ?? `like ${String(pattern)}`}`);
      return ok(raw);
    },
    fallback,
    opts.secret ?? false,
  );
}

/** Optional string: undefined when unset. */
export function optionalStr(key: string, opts: { secret?: boolean } = {}): Field<string | undefined> {
  return {
    key,
    secret: opts.secret ?? false,
    read: (env) => ({ ok: true, value: env[key]?.trim() ? env[key].trim() : undefined }),
  };
}

export function int(
  key: string,
  fallback?: number,
  opts: { min?: number; max?: number } = {},
): Field<number> {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = opts;
  return field(
    key,
    (raw) => {
      if (!/^-?\d+$/.test(raw)) return bad(`must be a whole number, got "${raw}"`);
      const n = Number(raw);
      if (!Number.isSafeInteger(n) || n < min || n > max)
        return bad(`must be between ${min} and ${max}, got ${raw}`);
      return ok(n);
    },
    fallback,
  );
}

export function bool(key: string, fallback?: boolean): Field<boolean> {
  return field(
    key,
    (raw) => {
      const v = raw.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return ok(true);
      if (['0', 'false', 'no', 'off'].includes(v)) return ok(false);
      return bad(`must be true or false, got "${raw}"`);
    },
    fallback,
  );
}

export function url(
  key: string,
  fallback?: string,
  opts: { protocols?: string[]; secret?: boolean } = {},
): Field<URL> {
  return field(
    key,
    (raw) => {
      let u: URL;
      try {
        u = new URL(raw);
      } catch {
        return bad('must be an absolute URL');
      }
      if (opts.protocols && !opts.protocols.includes(u.protocol)) {
        return bad(`must use ${opts.protocols.join(' or ')}, got ${u.protocol}`);
      }
      return ok(u);
    },
    fallback === undefined ? undefined : new URL(fallback),
    opts.secret ?? false,
  );
}

/** Optional absolute URL: undefined when unset, a config error when set but not valid. */
export function optionalUrl(
  key: string,
  opts: { protocols?: string[]; secret?: boolean } = {},
): Field<URL | undefined> {
  const parsed = url(key, undefined, opts);
  return {
    key,
    secret: opts.secret ?? false,
    read: (env) => (env[key]?.trim() ? parsed.read(env) : { ok: true, value: undefined }),
  };
}

export function oneOf<const T extends string>(key: string, values: readonly T[], fallback?: T): Field<T> {
  return field(
    key,
    (raw) =>
      (values as readonly string[]).includes(raw)
        ? ok(raw as T)
        : bad(`must be one of ${values.join(', ')}, got "${raw}"`),
    fallback,
  );
}

/** Comma-separated list; empty entries are dropped. */
export function list(key: string, fallback?: string[]): Field<string[]> {
  return field(
    key,
    (raw) =>
      ok(
        raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    fallback,
  );
}

/**
 * A setting whose default only makes sense on a developer's machine (the Steam emulator's URLs,
 * the emulator as a bot session source, a development token). With NODE_ENV=production it must
 * be set explicitly, and never to one of `refused`: the service refuses to start and names it,
 * rather than run a production site against a local emulator.
 */
export function devOnly<T>(
  f: Field<T>,
  opts: {
    why: string;
    refused?: readonly string[];
    /** false when the default itself is safe and only the `refused` values are not. */
    mustSet?: boolean;
  },
): Field<T> {
  return {
    key: f.key,
    secret: f.secret,
    read(env) {
      if (env.NODE_ENV === 'production') {
        const raw = env[f.key]?.trim();
        if (!raw && opts.mustSet !== false)
          return { ok: false, problem: `${f.key} must be set in production (its default is ${opts.why})` };
        if (raw && opts.refused?.includes(raw))
          return { ok: false, problem: `${f.key}=${raw} is refused in production (${opts.why})` };
      }
      return f.read(env);
    },
  };
}
