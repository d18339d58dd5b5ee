/*
 * CONTRACT (stable; E2's offers/confirmations/trade-history build on it)
 *
 *   const world = new World(params?)            // empty world; generateWorld(params) in generate.ts fills it
 *   world.clock.now() / world.clock.advance(s)   // unix seconds, advanceable
 *   world.accounts: Map<steamid, Account>; world.account(steamid) / world.accountByAccountId(id)
 *   world.bots() / world.users()
 *   world.inventory(steamid, '2'|'16'): Inventory  (ordered newest first; .get(assetid), .size, .list())
 *   world.findAsset(steamid, assetid): Asset | undefined   (searches contexts 2 and 16)
 *   world.inventoryCount(steamid)                // items in contexts 2 + 16, against world.inventoryCapacity (§8)
 *   world.descriptions: Map<`${classid}_${instanceid}`, Description>; world.description(asset)
 *   world.nextAssetId(): string                  // global monotonic, bigint inside
 *   world.moveAssets(from, to, assetids, { toContext?, tradableAfter? }): MovedAsset[]
 *       Removes from the giver, adds to the receiver with NEW asset ids (steam.md §4.7). Throws WorldError
 *       'missing_asset' (nothing moved) if any assetid is not in the giver's contexts 2/16.
 *   world.addAsset(steamid, asset) / world.removeAsset(steamid, assetid) // low level, for reversals
 *   world.persistence.register({ name, dump, load }) // your slice is saved with the world and restored;
 *       load(undefined) means "reset to empty" (control API reset)
 *   world.markDirty()                             // call after mutating your slice so autosave picks it up
 *   world.faults.apply(name, req, reply, style?) // true = already answered; world.faults.isGlitched(name)
 *   world.authenticate(req): AuthResult           // steamLoginSecure cookie, or access_token / key query/body param
 *   world.checkSessionId(req, formValue?)         // sessionid cookie === form field (steam.md §4.1)
 *   world.uiSections: UiSection[]                 // push a renderer to add HTML to /_emulator/ui
 *   world.rng(label)                              // deterministic PRNG seeded from world seed + label
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { Clock } from './clock.ts';
import { FaultInjector } from './faults.ts';
import type {
  Account,
  Asset,
  ContextId,
  Description,
  DescriptionMeta,
  GenerationParams,
  MovedAsset,
} from './types.ts';

export type { Account, Asset, ContextId, Description, MovedAsset } from './types.ts';

export const STEAMID64_BASE = 76561197960265728n;
/** Main CS2 inventory cap: 1,000 items (steam.md §8, UNVERIFIED number); storage-unit contents do not count. */
export const INVENTORY_CAPACITY = 1000;
export const ACCESS_TOKEN_TTL = 24 * 3600; // ~24 h (steam.md §7.1)
export const REFRESH_TOKEN_TTL = 200 * 24 * 3600; // ~200 days (steam.md §7.1)

export function steamidFromAccountId(accountId: number): string {
  return (STEAMID64_BASE + BigInt(accountId)).toString();
}

export function accountIdFromSteamid(steamid: string): number {
  return Number(BigInt(steamid) - STEAMID64_BASE);
}

export class WorldError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** Compares decimal id strings numerically without BigInt allocation. */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * One (steamid, contextid) inventory. Ordered newest first (descending assetid), which is the order the
 * `start_assetid` cursor walks (steam.md §3.1; Steam's own order is not documented).
 */
export class Inventory {
  readonly steamid: string;
  readonly contextid: ContextId;
  private readonly byId = new Map<string, Asset>();
  private sorted: Asset[] | undefined;
  private positions: Map<string, number> | undefined;
  /** Bumped on every change; serializers may key caches on it. */
  version = 0;

  constructor(steamid: string, contextid: ContextId) {
    this.steamid = steamid;
    this.contextid = contextid;
  }

  get size(): number {
    return this.byId.size;
  }

  get(assetid: string): Asset | undefined {
    return this.byId.get(assetid);
  }

  add(asset: Asset): void {
    this.byId.set(asset.assetid, asset);
    this.changed();
  }

  remove(assetid: string): Asset | undefined {
    const asset = this.byId.get(assetid);
    if (asset !== undefined) {
      this.byId.delete(assetid);
      this.changed();
    }
    return asset;
  }

  /** Bulk load during generation: caller guarantees descending assetid order is computed later. */
  addUnsorted(asset: Asset): void {
    this.byId.set(asset.assetid, asset);
    this.sorted = undefined;
    this.positions = undefined;
  }

  list(): Asset[] {
    if (this.sorted === undefined) {
      this.sorted = [...this.byId.values()].sort((a, b) => compareIds(b.assetid, a.assetid));
    }
    return this.sorted;
  }

  /** Index of the first asset after `assetid` in list order (cursor semantics); 0 when not found. */
  indexAfter(assetid: string): number {
    const list = this.list();
    if (this.positions === undefined) {
      this.positions = new Map();
      for (let i = 0; i < list.length; i++) this.positions.set(list[i]!.assetid, i);
    }
    const pos = this.positions.get(assetid);
    if (pos !== undefined) return pos + 1;
    // Cursor asset moved away: continue with the first asset older than it.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareIds(list[mid]!.assetid, assetid) > 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private changed(): void {
    this.sorted = undefined;
    this.positions = undefined;
    this.version++;
  }
}

export interface PersistenceSlice {
  name: string;
  dump(): unknown;
  load(data: unknown): void;
}

export class PersistenceRegistry {
  readonly slices = new Map<string, PersistenceSlice>();
  private readonly world: World;
  constructor(world: World) {
    this.world = world;
  }
  register(slice: PersistenceSlice): void {
    this.slices.set(slice.name, slice);
    // A slice registered after the snapshot was read still gets its state.
    const pending = this.world.pendingSlices.get(slice.name);
    if (pending !== undefined) {
      this.world.pendingSlices.delete(slice.name);
      slice.load(pending);
    }
  }
}

export type AuthResult =
  | { ok: true; account: Account; via: 'cookie' | 'access_token' | 'key' }
  | { ok: false; reason: 'missing' | 'invalid' | 'expired' };

export interface UiSection {
  title: string;
  /** Returns an HTML fragment (already escaped) for the account shown on /_emulator/ui. */
  render(account: Account): string;
}

export interface LoginLimits {
  windowSeconds: number;
  perIp: number;
  perAccount: number;
}

export interface InventoryRateLimit {
  /** Tokens added per second per IP. */
  refillPerSecond: number;
  burst: number;
}

export class World {
  params: GenerationParams | undefined;
  readonly clock = new Clock();
  readonly faults: FaultInjector;
  readonly persistence: PersistenceRegistry;
  readonly accounts = new Map<string, Account>();
  readonly descriptions = new Map<string, Description>();
  readonly descriptionMeta = new Map<string, DescriptionMeta>();
  /** Storage unit assetid -> contained assets (hidden from the web inventory, steam.md §8). */
  readonly casketContents = new Map<string, Map<string, Asset>>();
  readonly uiSections: UiSection[] = [];
  /** Snapshot data for slices not registered yet. */
  readonly pendingSlices = new Map<string, unknown>();
  /** Inventories changed since generation: persisted in full, the rest is regenerated from params. */
  readonly dirtyInventories = new Set<string>();
  loginLimits: LoginLimits = { windowSeconds: 600, perIp: 200, perAccount: 20 };
  inventoryRateLimit: InventoryRateLimit = { refillPerSecond: 10_000, burst: 20_000 };
  /** Items an inventory may hold (settings API; a world generated with 1,000 items per bot starts full). */
  inventoryCapacity = INVENTORY_CAPACITY;
  /** HMAC key for OpenID signatures and token signatures. */
  readonly secret: Buffer;
  private readonly inventories = new Map<string, Inventory>();
  private readonly byAccountId = new Map<number, Account>();
  private readonly byApiKey = new Map<string, Account>();
  private assetCounter = 40_000_000_000n;
  private dirty = false;
  onDirty: (() => void) | undefined;

  constructor(params?: GenerationParams) {
    this.params = params;
    this.faults = new FaultInjector(this.clock);
    this.persistence = new PersistenceRegistry(this);
    this.secret =
      params === undefined
        ? randomBytes(32)
        : createHmac('sha256', 'steam-emulator').update(`secret:${params.seed}`).digest();
  }

  get isDirty(): boolean {
    return this.dirty;
  }

  markDirty(): void {
    this.dirty = true;
    this.onDirty?.();
  }

  markClean(): void {
    this.dirty = false;
  }

  /**
   * Replaces this world's state with `other`'s (reset/restore keep the same World object, which plugins hold).
   * Registered slices get `load(undefined)`, meaning "back to empty"; a following applySnapshot may load them.
   */
  adoptState(other: World): void {
    this.params = other.params;
    this.clock.offsetSeconds = other.clock.offsetSeconds;
    this.accounts.clear();
    this.byAccountId.clear();
    this.byApiKey.clear();
    for (const account of other.accounts.values()) this.addAccount(account);
    this.descriptions.clear();
    for (const [k, v] of other.descriptions) this.descriptions.set(k, v);
    this.descriptionMeta.clear();
    for (const [k, v] of other.descriptionMeta) this.descriptionMeta.set(k, v);
    this.casketContents.clear();
    for (const [k, v] of other.casketContents) this.casketContents.set(k, v);
    this.inventories.clear();
    for (const [k, v] of other.inventories) this.inventories.set(k, v);
    this.dirtyInventories.clear();
    for (const k of other.dirtyInventories) this.dirtyInventories.add(k);
    this.assetCounter = other.assetCounter;
    this.pendingSlices.clear();
    for (const slice of this.persistence.slices.values()) slice.load(undefined);
    this.faults.clear();
    this.stateVersion++;
    this.markDirty();
  }

  /** Bumped by adoptState; caches keyed on world objects should compare it. */
  stateVersion = 0;

  // ---- accounts -------------------------------------------------------------------------------------------

  addAccount(account: Account): void {
    this.accounts.set(account.steamid, account);
    this.byAccountId.set(account.accountId, account);
    this.byApiKey.set(account.apiKey, account);
  }

  account(steamid: string): Account | undefined {
    return this.accounts.get(steamid);
  }

  accountByAccountId(accountId: number): Account | undefined {
    return this.byAccountId.get(accountId);
  }

  accountByName(name: string): Account | undefined {
    for (const account of this.accounts.values()) if (account.accountName === name) return account;
    return undefined;
  }

  bots(): Account[] {
    return [...this.accounts.values()].filter((a) => a.kind === 'bot');
  }

  users(): Account[] {
    return [...this.accounts.values()].filter((a) => a.kind === 'user');
  }

  tradeUrl(account: Account): string {
    return `https://steamcommunity.com/tradeoffer/new/?partner=${account.accountId}&token=${account.tradeToken}`;
  }

  // ---- assets ---------------------------------------------------------------------------------------------

  nextAssetId(): string {
    this.assetCounter += 1n;
    return this.assetCounter.toString();
  }

  get lastAssetId(): string {
    return this.assetCounter.toString();
  }

  setAssetCounter(value: string): void {
    this.assetCounter = BigInt(value);
  }

  inventory(steamid: string, contextid: ContextId): Inventory {
    const key = `${steamid}/${contextid}`;
    let inv = this.inventories.get(key);
    if (inv === undefined) {
      inv = new Inventory(steamid, contextid);
      this.inventories.set(key, inv);
    }
    return inv;
  }

  /** Existing inventories only (does not create). */
  allInventories(): IterableIterator<Inventory> {
    return this.inventories.values();
  }

  /** Items that count against inventoryCapacity: both contexts (protected items are still in the inventory). */
  inventoryCount(steamid: string): number {
    return this.inventory(steamid, '2').size + this.inventory(steamid, '16').size;
  }

  findAsset(steamid: string, assetid: string): Asset | undefined {
    return this.inventory(steamid, '2').get(assetid) ?? this.inventory(steamid, '16').get(assetid);
  }

  description(asset: Asset): Description {
    const d = this.descriptions.get(asset.descKey);
    if (d === undefined) throw new WorldError('missing_description', `no description ${asset.descKey}`);
    return d;
  }

  addAsset(steamid: string, asset: Asset): void {
    this.inventory(steamid, asset.contextid).add(asset);
    this.dirtyInventories.add(`${steamid}/${asset.contextid}`);
    this.markDirty();
  }

  removeAsset(steamid: string, assetid: string): Asset | undefined {
    for (const ctx of ['2', '16'] as const) {
      const removed = this.inventory(steamid, ctx).remove(assetid);
      if (removed !== undefined) {
        this.dirtyInventories.add(`${steamid}/${ctx}`);
        this.markDirty();
        return removed;
      }
    }
    return undefined;
  }

  /**
   * Transfers assets with new ids on the receiving side (steam.md §4.7). Default destination context is '2';
   * pass toContext '16' and tradableAfter = now + 7 days for trade-protected receipts (steam.md §4.8).
   * Storage-unit contents travel with the casket (re-keyed to the new casket assetid).
   */
  moveAssets(
    fromSteamid: string,
    toSteamid: string,
    assetids: string[],
    opts: { toContext?: ContextId; tradableAfter?: number } = {},
  ): MovedAsset[] {
    const found: Asset[] = [];
    for (const id of assetids) {
      const asset = this.findAsset(fromSteamid, id);
      if (asset === undefined) {
        throw new WorldError('missing_asset', `asset ${id} not in inventory of ${fromSteamid}`);
      }
      found.push(asset);
    }
    const moved: MovedAsset[] = [];
    for (const asset of found) {
      this.removeAsset(fromSteamid, asset.assetid);
      const newContextid = opts.toContext ?? '2';
      const next: Asset = {
        ...asset,
        assetid: this.nextAssetId(),
        contextid: newContextid,
        tradableAfter: opts.tradableAfter ?? asset.tradableAfter,
        props: { ...asset.props },
      };
      const contents = this.casketContents.get(asset.assetid);
      if (contents !== undefined) {
        this.casketContents.delete(asset.assetid);
        this.casketContents.set(next.assetid, contents);
      }
      this.addAsset(toSteamid, next);
      moved.push({
        assetid: asset.assetid,
        contextid: asset.contextid,
        classid: asset.classid,
        instanceid: asset.instanceid,
        amount: asset.amount,
        newAssetid: next.assetid,
        newContextid,
      });
    }
    return moved;
  }

  // ---- sessions -------------------------------------------------------------------------------------------

  /** JWT-shaped token (steam.md §7.4); the signature only needs to be unforgeable, not Steam-compatible. */
  issueToken(account: Account, audience: string[], ttl: number): { token: string; exp: number } {
    const now = this.clock.now();
    const exp = now + ttl;
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'EdDSA' }));
    const payload = b64url(
      JSON.stringify({
        iss: 'r:' + randomBytes(8).toString('hex').toUpperCase(),
        sub: account.steamid,
        aud: audience,
        exp,
        nbf: now - 1,
        iat: now,
        jti: randomBytes(8).toString('hex').toUpperCase(),
        oat: now,
        per: 0,
      }),
    );
    const sig = createHmac('sha256', this.secret).update(`${header}.${payload}`).digest('base64url');
    return { token: `${header}.${payload}.${sig}`, exp };
  }

  /** Issues a fresh access token (and optionally refresh token) for the account and stores it. */
  renewAccessToken(account: Account): void {
    const access = this.issueToken(account, ['web', 'mobile'], ACCESS_TOKEN_TTL);
    account.accessToken = access.token;
    account.accessTokenExpires = access.exp;
    this.markDirty();
  }

  renewRefreshToken(account: Account): void {
    const refresh = this.issueToken(account, ['web', 'renew', 'derive', 'mobile'], REFRESH_TOKEN_TTL);
    account.refreshToken = refresh.token;
    account.refreshTokenExpires = refresh.exp;
    this.markDirty();
  }

  accountByAccessToken(token: string): Account | undefined {
    const sub = tokenSubject(token);
    if (sub === undefined) return undefined;
    const account = this.accounts.get(sub);
    return account !== undefined && account.accessToken === token ? account : undefined;
  }

  /**
   * Resolves the acting account: `steamLoginSecure` cookie (`steamid||token`, URL-encoded, steam.md §7.1),
   * else `access_token` or `key` (WebAPI key) in the query or form body. Expired tokens yield
   * reason 'expired'; callers answer 401 (community send) / 403 (accept, WebAPI) per steam.md §7.2/§4.1.
   */
  authenticate(req: FastifyRequest): AuthResult {
    const cookie = req.cookies?.['steamLoginSecure'];
    const query = (req.query ?? {}) as Record<string, unknown>;
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<
      string,
      unknown
    >;
    if (cookie !== undefined && cookie !== '') {
      const decoded = safeDecode(cookie);
      const sep = decoded.indexOf('||');
      if (sep < 0) return { ok: false, reason: 'invalid' };
      return this.checkToken(decoded.slice(0, sep), decoded.slice(sep + 2), 'cookie');
    }
    const accessToken = str(query['access_token']) ?? str(body['access_token']);
    if (accessToken !== undefined) {
      const sub = tokenSubject(accessToken);
      if (sub === undefined) return { ok: false, reason: 'invalid' };
      return this.checkToken(sub, accessToken, 'access_token');
    }
    const key = str(query['key']) ?? str(body['key']);
    if (key !== undefined) {
      const account = this.byApiKey.get(key);
      return account !== undefined && account.apiKey === key
        ? { ok: true, account, via: 'key' }
        : { ok: false, reason: 'invalid' };
    }
    return { ok: false, reason: 'missing' };
  }

  private checkToken(steamid: string, token: string, via: 'cookie' | 'access_token'): AuthResult {
    const account = this.accounts.get(steamid);
    if (account === undefined || account.accessToken !== token) {
      // A superseded token of a known account is treated as expired: the client must log in again.
      const sub = tokenSubject(token);
      const exp = tokenExpiry(token);
      if (account !== undefined && sub === steamid && exp !== undefined && this.verifySignature(token)) {
        return { ok: false, reason: 'expired' };
      }
      return { ok: false, reason: 'invalid' };
    }
    if (account.accessTokenExpires <= this.clock.now()) return { ok: false, reason: 'expired' };
    return { ok: true, account, via };
  }

  private verifySignature(token: string): boolean {
    const parts = token.split('.');
    if (parts.length !== 3) return false;
    const sig = createHmac('sha256', this.secret).update(`${parts[0]}.${parts[1]}`).digest('base64url');
    return sig === parts[2];
  }

  /** CSRF rule of steam.md §4.1: the `sessionid` form field must equal the `sessionid` cookie. */
  checkSessionId(req: FastifyRequest, formValue?: string): boolean {
    const cookie = req.cookies?.['sessionid'];
    let value = formValue;
    if (value === undefined) {
      const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<
        string,
        unknown
      >;
      const query = (req.query ?? {}) as Record<string, unknown>;
      value = str(body['sessionid']) ?? str(query['sessionid']);
    }
    return cookie !== undefined && cookie !== '' && value === cookie;
  }

  // ---- misc -----------------------------------------------------------------------------------------------

  /** Deterministic PRNG for a named purpose (same seed + label ⇒ same sequence). */
  rng(label: string): () => number {
    return mulberry32(hash32(`${this.params?.seed ?? 0}:${label}`));
  }
}

function b64url(s: string): string {
  return Buffer.from(s).toString('base64url');
}

function tokenPayload(token: string): Record<string, unknown> | undefined {
  const part = token.split('.')[1];
  if (part === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function tokenSubject(token: string): string | undefined {
  const sub = tokenPayload(token)?.['sub'];
  return typeof sub === 'string' ? sub : undefined;
}

export function tokenExpiry(token: string): number | undefined {
  const exp = tokenPayload(token)?.['exp'];
  return typeof exp === 'number' ? exp : undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function hash32(s: string): number {
  // FNV-1a
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
