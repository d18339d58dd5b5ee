// Steam OpenID 2.0 provider logic (steam.md §1): positive assertions and check_authentication.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { World } from '../world/world.ts';

export const OPENID_NS = 'http://specs.openid.net/auth/2.0';
export const OP_ENDPOINT = 'https://steamcommunity.com/openid/login';
export const CLAIMED_ID_PREFIX = 'https://steamcommunity.com/openid/id/';
/** Steam sends this constant (steam.md §1.2, XOID). */
export const ASSOC_HANDLE = '1234567890';
export const SIGNED_FIELDS = 'signed,op_endpoint,claimed_id,identity,return_to,response_nonce,assoc_handle';

/** Nonces are remembered this long; a replay inside the window is refused (steam.md §1.4 item 7). */
const NONCE_TTL_SECONDS = 86_400;

export class OpenIdService {
  private readonly world: World;
  private readonly issued = new Map<string, number>();
  private readonly consumed = new Map<string, number>();
  /** Control-API setting: approve every checkid_setup as this steamid without showing the page. */
  autoApproveSteamid: string | undefined;

  constructor(world: World) {
    this.world = world;
  }

  private key(): Buffer {
    return createHmac('sha256', this.world.secret).update('openid').digest();
  }

  /**
   * Steam's nonce shape: `YYYY-MM-DDTHH:MM:SSZ` immediately followed by random base64 chars (steam.md §1.2). The
   * timestamp is real time, not the world clock: relying parties compare it with their own clock (|Δ| ≤ 300 s,
   * §1.4 item 7), so after /_emulator/clock/advance a fresh login must still look fresh.
   */
  newNonce(): string {
    const ts = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const nonce = ts + randomBytes(20).toString('base64');
    this.issued.set(nonce, this.world.clock.now());
    return nonce;
  }

  /** HMAC-SHA256 over the key-value form (`key:value\n`) of the signed fields, base64 (steam.md §1.2). */
  sign(fields: Record<string, string>, signed: string): string {
    let kv = '';
    for (const name of signed.split(',')) kv += `${name}:${fields[`openid.${name}`] ?? ''}\n`;
    return createHmac('sha256', this.key()).update(kv).digest('base64');
  }

  /** Parameters appended to return_to for a positive assertion. */
  assertion(steamid: string, returnTo: string): Record<string, string> {
    const claimed = CLAIMED_ID_PREFIX + steamid;
    const fields: Record<string, string> = {
      'openid.ns': OPENID_NS,
      'openid.mode': 'id_res',
      'openid.op_endpoint': OP_ENDPOINT,
      'openid.claimed_id': claimed,
      'openid.identity': claimed,
      'openid.return_to': returnTo,
      'openid.response_nonce': this.newNonce(),
      'openid.assoc_handle': ASSOC_HANDLE,
      'openid.signed': SIGNED_FIELDS,
    };
    fields['openid.sig'] = this.sign(fields, SIGNED_FIELDS);
    return fields;
  }

  /**
   * return_to with the assertion appended. The relying party's own query is kept byte for byte (steam.md §1.1:
   * Steam preserves it), so the callback URL still starts with `openid.return_to`; a fragment is dropped.
   */
  redirectUrl(returnTo: string, params: Record<string, string>): string {
    const hash = returnTo.indexOf('#');
    const base = hash < 0 ? returnTo : returnTo.slice(0, hash);
    const query = new URLSearchParams(params).toString();
    if (query === '') return base;
    const sep = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
    return `${base}${sep}${query}`;
  }

  /**
   * check_authentication: valid iff the signature over the listed fields matches, the signed list covers the
   * fields Steam signs, the nonce was issued by us and not consumed before. The nonce is consumed on the first
   * successful check (Steam's replay behaviour is UNVERIFIED, steam.md §11; we refuse replays).
   */
  checkAuthentication(fields: Record<string, string>): boolean {
    this.prune();
    const signed = fields['openid.signed'];
    const sig = fields['openid.sig'];
    const nonce = fields['openid.response_nonce'];
    if (signed === undefined || sig === undefined || nonce === undefined) return false;
    const list = signed.split(',');
    for (const required of [
      'claimed_id',
      'identity',
      'return_to',
      'response_nonce',
      'assoc_handle',
      'op_endpoint',
    ]) {
      if (!list.includes(required)) return false;
    }
    if (fields['openid.assoc_handle'] !== ASSOC_HANDLE) return false;
    const expected = Buffer.from(this.sign(fields, signed));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
    if (!this.issued.has(nonce) || this.consumed.has(nonce)) return false;
    this.consumed.set(nonce, this.world.clock.now());
    return true;
  }

  private prune(): void {
    const cutoff = this.world.clock.now() - NONCE_TTL_SECONDS;
    for (const [n, t] of this.issued) if (t < cutoff) this.issued.delete(n);
    for (const [n, t] of this.consumed) if (t < cutoff) this.consumed.delete(n);
  }
}
