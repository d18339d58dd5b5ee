/**
 * Mobile confirmations (steam.md §6): one list per account, keys checked by recomputing the HMAC of §6.2 with the
 * account's identity_secret. What an allow/cancel does to the offer is the offer service's business; it registers
 * a resolver so this module stays independent of offer rules.
 */
import { randomBytes } from 'node:crypto';
import type { Account } from '../world/types.ts';
import type { Confirmation, ConfirmationChannel } from '../offers/offer.types.ts';
import { confirmationKeyMatches } from './steam-totp.ts';

/**
 * Accepted key age. SC reuses a list/details key for up to 5 minutes (`_confirmationCheckerGetKey`) and bumps
 * action times forward by a second per use, so ±10 minutes covers both. UNVERIFIED: Steam's real window.
 */
export const KEY_WINDOW_SECONDS = 600;

/** Tag families (§6.2): the app uses list/detail/accept/reject, libraries the older conf/details/allow/cancel. */
export const TAGS = {
  list: ['conf', 'list'],
  details: ['details', 'detail'],
  allow: ['allow', 'accept'],
  cancel: ['cancel', 'reject'],
} as const;
export type TagFamily = keyof typeof TAGS;

export type KeyCheck = { ok: true } | { ok: false; reason: 'needauth' | 'invalid' };

export interface ConfirmationDump {
  nextId: string;
  confirmations: Confirmation[];
}

export type ConfirmationResolver = (conf: Confirmation, allow: boolean) => void;

export function channelOf(conf: Confirmation): ConfirmationChannel {
  return conf.channel ?? 'mobile';
}

export class ConfirmationService {
  private readonly byOwner = new Map<string, Map<string, Confirmation>>();
  private readonly byCreator = new Map<string, Confirmation[]>();
  /** Used action keys `${steamid}:${t}:${tag}`; §6.4 "reject reused (t,tag)". List/details keys may be reused (SC). */
  private readonly usedKeys = new Map<string, number>();
  private nextId = 13_000_000_000n;
  private resolver: ConfirmationResolver | undefined;

  setResolver(resolver: ConfirmationResolver): void {
    this.resolver = resolver;
  }

  create(
    owner: string,
    creatorId: string,
    purpose: Confirmation['purpose'],
    channel: ConfirmationChannel,
    now: number,
  ): Confirmation {
    this.nextId += 1n;
    const conf: Confirmation = {
      id: this.nextId.toString(),
      nonce: BigInt(`0x${randomBytes(8).toString('hex')}`).toString(),
      owner,
      creatorId,
      purpose,
      channel,
      creationTime: now,
    };
    this.ownerMap(owner).set(conf.id, conf);
    const list = this.byCreator.get(creatorId);
    if (list === undefined) this.byCreator.set(creatorId, [conf]);
    else list.push(conf);
    return conf;
  }

  /** Pending confirmations of `owner`, newest first; `channel` narrows to the app's or the e-mailed ones. */
  list(owner: string, channel?: ConfirmationChannel): Confirmation[] {
    return [...(this.byOwner.get(owner)?.values() ?? [])]
      .filter((c) => channel === undefined || channelOf(c) === channel)
      .sort((a, b) => b.creationTime - a.creationTime);
  }

  get(owner: string, id: string): Confirmation | undefined {
    return this.byOwner.get(owner)?.get(id);
  }

  forCreator(creatorId: string): Confirmation[] {
    return [...(this.byCreator.get(creatorId) ?? [])];
  }

  /** Drops confirmations of an offer that left the state needing them (cancelled, expired, items gone…). */
  removeForCreator(creatorId: string): void {
    const list = this.byCreator.get(creatorId);
    if (list === undefined) return;
    this.byCreator.delete(creatorId);
    for (const conf of list) this.byOwner.get(conf.owner)?.delete(conf.id);
  }

  /**
   * `a` must be the logged-in account, `t` within the window of the world clock, `tag` in the family the
   * endpoint expects and `k` = base64 HMAC-SHA1(identity_secret, t ‖ tag). Action keys are single use.
   */
  checkKey(
    account: Account,
    params: { a?: string; k?: string; t?: string; tag?: string },
    family: TagFamily,
    now: number,
  ): KeyCheck {
    if (params.a !== account.steamid || account.identitySecret === '')
      return { ok: false, reason: 'needauth' };
    const t = Number(params.t);
    const tag = params.tag ?? '';
    const tags: readonly string[] = TAGS[family];
    if (!Number.isInteger(t) || Math.abs(now - t) > KEY_WINDOW_SECONDS || !tags.includes(tag)) {
      return { ok: false, reason: 'invalid' };
    }
    if (params.k === undefined || !confirmationKeyMatches(account.identitySecret, t, tag, params.k)) {
      return { ok: false, reason: 'invalid' };
    }
    if (family === 'allow' || family === 'cancel') {
      const used = `${account.steamid}:${t}:${tag}`;
      if (this.usedKeys.has(used)) return { ok: false, reason: 'invalid' };
      this.usedKeys.set(used, t);
      this.pruneUsedKeys(now);
    }
    return { ok: true };
  }

  /** Applies allow/cancel to one confirmation; the resolver may throw to report a failure to the client. */
  respond(conf: Confirmation, allow: boolean): void {
    this.resolver?.(conf, allow);
    this.removeForCreator(conf.creatorId);
  }

  dump(): ConfirmationDump {
    return {
      nextId: this.nextId.toString(),
      confirmations: [...this.byOwner.values()].flatMap((m) => [...m.values()]),
    };
  }

  load(data: ConfirmationDump): void {
    this.byOwner.clear();
    this.byCreator.clear();
    this.nextId = BigInt(data.nextId);
    for (const conf of data.confirmations) {
      this.ownerMap(conf.owner).set(conf.id, conf);
      const list = this.byCreator.get(conf.creatorId);
      if (list === undefined) this.byCreator.set(conf.creatorId, [conf]);
      else list.push(conf);
    }
  }

  private ownerMap(owner: string): Map<string, Confirmation> {
    let map = this.byOwner.get(owner);
    if (map === undefined) {
      map = new Map();
      this.byOwner.set(owner, map);
    }
    return map;
  }

  private pruneUsedKeys(now: number): void {
    if (this.usedKeys.size < 10_000) return;
    for (const [key, t] of this.usedKeys) if (t < now - KEY_WINDOW_SECONDS) this.usedKeys.delete(key);
  }
}
