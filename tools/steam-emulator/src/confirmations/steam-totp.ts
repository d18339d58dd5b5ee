/**
 * Steam Guard maths (steam.md §6.2, TOTP `index.js`): the 5-character login code from `shared_secret` and the
 * mobile-confirmation key from `identity_secret`. Pure functions so the emulator verifies exactly what a real
 * authenticator (or node-steam-totp) computes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const CODE_ALPHABET = '23456789BCDFGHJKMNPQRTVWXY';

/** Secrets come as base64 (maFile) or 40-hex (§6.2 "base64, or 40-hex"). */
export function decodeSecret(secret: string): Buffer {
  if (/^[0-9a-f]{40}$/i.test(secret)) return Buffer.from(secret, 'hex');
  return Buffer.from(secret, 'base64');
}

/** 8-byte big-endian unix time (or time step): both algorithms hash this. */
function timeBuffer(value: number): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(value))));
  return buf;
}

/** Login code: HMAC-SHA1 over floor(time/30), dynamic truncation, 5 × mod 26 over Steam's alphabet (§6.2). */
export function generateAuthCode(sharedSecret: string, unixSeconds: number): string {
  const hmac = createHmac('sha1', decodeSecret(sharedSecret))
    .update(timeBuffer(unixSeconds / 30))
    .digest();
  const offset = (hmac[19] ?? 0) & 0x0f;
  let full = hmac.readUInt32BE(offset) & 0x7fffffff;
  let code = '';
  for (let i = 0; i < 5; i += 1) {
    code += CODE_ALPHABET.charAt(full % CODE_ALPHABET.length);
    full = Math.floor(full / CODE_ALPHABET.length);
  }
  return code;
}

/** Confirmation key: base64(HMAC-SHA1(identity_secret, time ‖ tag)), tag truncated to 32 bytes (§6.2). */
export function generateConfirmationKey(identitySecret: string, unixSeconds: number, tag: string): string {
  const tagBytes = Buffer.from(tag, 'utf8').subarray(0, 32);
  return createHmac('sha1', decodeSecret(identitySecret))
    .update(Buffer.concat([timeBuffer(unixSeconds), tagBytes]))
    .digest('base64');
}

/** Constant-time comparison of a client-supplied key against the recomputed one. */
export function confirmationKeyMatches(
  identitySecret: string,
  unixSeconds: number,
  tag: string,
  key: string,
): boolean {
  const expected = Buffer.from(generateConfirmationKey(identitySecret, unixSeconds, tag), 'base64');
  const given = Buffer.from(key, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
