/**
 * The redirect whitelist: where a finished login may send the browser. The seed validated
 * redirect domains against a whitelist; this one compares the whole origin (scheme, host and
 * port) after the WHATWG URL parser has normalised it (lower case, punycode for IDN look-alikes,
 * percent-decoded host, default port dropped), and answers with that normalised URL, never
 * the raw input, so what was checked is what the browser follows.
 */

/** Anything a browser would strip or reinterpret before parsing (tabs, newlines, backslashes as slashes). */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const SUSPICIOUS = /[\u0000-\u0020\u007f-\u00a0\\]/;
const MAX_LENGTH = 2048;

/**
 * The normalised URL to redirect to when `raw` is on an allowed origin, else undefined.
 * Relative paths ("/trade") resolve against `base` (the default redirect's origin), but
 * "//host" and "/\host" (protocol-relative) are refused outright.
 */
export function allowedReturnTo(
  raw: unknown,
  allowedOrigins: ReadonlySet<string>,
  base: URL,
): URL | undefined {
  if (typeof raw !== 'string' || raw === '' || raw.length > MAX_LENGTH) return undefined;
  if (SUSPICIOUS.test(raw)) return undefined;
  let url: URL;
  if (raw.startsWith('/')) {
    if (raw.startsWith('//')) return undefined;
    url = new URL(raw, base.origin);
  } else {
    if (!URL.canParse(raw)) return undefined;
    url = new URL(raw);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  return allowedOrigins.has(url.origin) ? url : undefined;
}
