import { Agent, ProxyAgent, type Dispatcher } from 'undici';
import { request } from 'undici';
import { hasUsableIds, mergePage } from './inventory.merge.ts';
import type { InventoryContext, RawInventoryPage, SteamInventory, SteamItem } from './inventory.types.ts';

/**
 * Why a read failed, as the platform acts on it (steam.md §3.1):
 * - rate_limited: HTTP 429, too many inventories from one IP; rotate the proxy or wait.
 * - private: HTTP 403 with body null on someone else's inventory.
 * - session_expired: HTTP 403 on our own inventory (the cookie's session is dead).
 * - not_found: HTTP 400, Steam's answer for a steamid it does not know.
 * - unavailable: 5xx (often `{"error":"... (EResult)"}`), a timeout, a refused connection, or
 *   a 200 that is not a success.
 */
export type SteamInventoryErrorKind =
  'rate_limited' | 'private' | 'session_expired' | 'not_found' | 'unavailable';

export class SteamInventoryError extends Error {
  readonly kind: SteamInventoryErrorKind;
  readonly status: number | undefined;
  readonly eresult: number | undefined;
  constructor(
    kind: SteamInventoryErrorKind,
    message: string,
    opts: { status?: number; eresult?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'SteamInventoryError';
    this.kind = kind;
    this.status = opts.status;
    this.eresult = opts.eresult;
  }
}

export interface InventoryClientOptions {
  /** https://steamcommunity.com in production; the emulator's URL in development and tests. */
  baseUrl: URL;
  timeoutMs?: number;
  /** Steam caps a page at 1000 since May 2025 and answers 400 above it (steam.md §3.1). */
  pageSize?: number;
  language?: string;
  /** Caps a runaway cursor: 1000 pages × 1000 items is far above any CS2 inventory. */
  maxPages?: number;
  /** Connections kept per origin; sinv reads many bots at once. */
  connections?: number;
}

export interface InventoryReadOptions {
  /** steamLoginSecure cookie value: the owner sees context 16 and trade-locked items (steam.md §3.1). */
  cookie?: string;
  /** An HTTP(S) proxy URL for this read (cinv rotates a pool on 429). */
  proxy?: string;
  /** Clock for parsing day-first cooldown dates; tests pass the emulator's. */
  now?: Date;
}

const ERESULT = /\((\d+)\)\s*$/;

/** The community inventory endpoint, paged by `start_assetid` until `more_items` stops. */
export class SteamInventoryClient {
  private readonly baseUrl: URL;
  private readonly timeoutMs: number;
  private readonly pageSize: number;
  private readonly language: string;
  private readonly maxPages: number;
  private readonly direct: Dispatcher;
  private readonly proxies = new Map<string, Dispatcher>();

  constructor(opts: InventoryClientOptions) {
    this.baseUrl = opts.baseUrl;
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.pageSize = Math.min(opts.pageSize ?? 1000, 1000);
    this.language = opts.language ?? 'english';
    this.maxPages = opts.maxPages ?? 1000;
    this.direct = new Agent({ connections: opts.connections ?? 64, keepAliveTimeout: 30_000 });
  }

  private dispatcher(proxy: string | undefined): Dispatcher {
    if (proxy === undefined) return this.direct;
    let d = this.proxies.get(proxy);
    if (!d) {
      d = new ProxyAgent({ uri: proxy, keepAliveTimeout: 30_000 });
      this.proxies.set(proxy, d);
    }
    return d;
  }

  async fetchInventory(
    steamId: string,
    contextId: InventoryContext,
    opts: InventoryReadOptions = {},
  ): Promise<SteamInventory> {
    if (!/^\d{17}$/.test(steamId)) throw new SteamInventoryError('not_found', `not a SteamID64: ${steamId}`);
    const items: SteamItem[] = [];
    let unusable = 0;
    let cursor: string | undefined;
    let total = 0;
    for (let pageNo = 0; pageNo < this.maxPages; pageNo++) {
      const page = await this.fetchPage(steamId, contextId, cursor, opts);
      const now = opts.now ?? new Date();
      for (const item of mergePage(page, contextId, now, steamId)) items.push(item);
      for (const a of page.assets ?? []) if (!hasUsableIds(a)) unusable++;
      total = page.total_inventory_count ?? items.length;
      if (!page.more_items || !page.last_assetid || page.last_assetid === cursor) break;
      cursor = page.last_assetid;
    }
    return { steamId, contextId, items, totalCount: total, unusable };
  }

  private async fetchPage(
    steamId: string,
    contextId: InventoryContext,
    startAssetId: string | undefined,
    opts: InventoryReadOptions,
  ): Promise<RawInventoryPage> {
    const url = new URL(`inventory/${steamId}/730/${contextId}`, this.baseUrl);
    url.searchParams.set('l', this.language);
    url.searchParams.set('count', String(this.pageSize));
    if (startAssetId) url.searchParams.set('start_assetid', startAssetId);
    const headers: Record<string, string> = {
      accept: 'application/json',
      // Steam expects the profile as referer for this endpoint (node-steamcommunity does the same).
      referer: new URL(`profiles/${steamId}/inventory`, this.baseUrl).toString(),
    };
    if (opts.cookie) headers.cookie = `steamLoginSecure=${opts.cookie}`;
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: 'GET',
        headers,
        dispatcher: this.dispatcher(opts.proxy),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
    } catch (err) {
      throw new SteamInventoryError('unavailable', `inventory request failed: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const text = await res.body.text().catch(() => '');
    const status = res.statusCode;
    if (status === 200) {
      let body: RawInventoryPage | null;
      try {
        body = JSON.parse(text) as RawInventoryPage | null;
      } catch (err) {
        throw new SteamInventoryError('unavailable', 'inventory answer is not JSON', { status, cause: err });
      }
      if (body?.success !== 1)
        throw new SteamInventoryError('unavailable', 'inventory answer without success', { status });
      return body;
    }
    if (status === 429)
      throw new SteamInventoryError('rate_limited', 'Steam rate limited the inventory read', { status });
    if (status === 403) {
      // A 403 on the cookie owner's own inventory means the session is dead, not that it is private.
      const own = opts.cookie !== undefined && decodeURIComponent(opts.cookie).startsWith(`${steamId}||`);
      throw own
        ? new SteamInventoryError('session_expired', 'the session for this inventory has expired', { status })
        : new SteamInventoryError('private', 'this inventory is private', { status });
    }
    if (status === 400 || status === 404)
      throw new SteamInventoryError('not_found', 'Steam does not know this account', { status });
    let eresult: number | undefined;
    try {
      const m = ERESULT.exec((JSON.parse(text) as { error?: string } | null)?.error ?? '');
      if (m) eresult = Number(m[1]);
    } catch {
      // HTML error pages carry no EResult.
    }
    throw new SteamInventoryError('unavailable', `Steam answered ${status}`, {
      status,
      ...(eresult === undefined ? {} : { eresult }),
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.direct.close(), ...[...this.proxies.values()].map((d) => d.close())]);
  }
}
