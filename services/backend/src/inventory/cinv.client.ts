import { AppError, type ErrorCode } from '@platform/core';

/** An item of a user's inventory as cinv gives it (packages/steam SteamItem, dates as ISO). */
export interface CinvItem {
  assetId: string;
  contextId: string;
  classId: string;
  instanceId: string;
  marketHashName: string;
  name: string;
  type: string;
  typeTag: string | null;
  weapon: string | null;
  quality: string | null;
  rarity: string;
  exterior: string | null;
  iconUrl: string;
  tradable: boolean;
  marketable: boolean;
  tradableAfter: string | null;
  floatValue: number | null;
  paintSeed: number | null;
  stickers: string[];
  isCasket: boolean;
}

export interface CinvInventory {
  steamId: string;
  fetchedAt: string;
  stale: boolean;
  totalCount: number;
  items: CinvItem[];
}

const PASSED_THROUGH: ReadonlySet<string> = new Set([
  'INVENTORY_PRIVATE',
  'STEAM_USER_NOT_FOUND',
  'STEAM_UNAVAILABLE',
  'RATE_LIMITED',
  'DEPENDENCY_UNAVAILABLE',
]);

/**
 * cinv's internal route (services/inventory): users' inventories as Steam gives them. The
 * backend prices them itself (packages/pricing): nothing it prices comes from another service.
 */
export class CinvClient {
  readonly #base: URL;
  readonly #token: string;
  readonly #timeoutMs: number;

  constructor(opts: { url: URL; token: string; timeoutMs: number }) {
    this.#base = opts.url;
    this.#token = opts.token;
    this.#timeoutMs = opts.timeoutMs;
  }

  async inventory(
    steamId: string,
    opts: { maxAgeMs?: number; fresh?: boolean; requester: string },
  ): Promise<CinvInventory> {
    const url = new URL(`internal/v1/inventories/${steamId}`, this.#base);
    url.searchParams.set('requester', opts.requester);
    if (opts.maxAgeMs !== undefined) url.searchParams.set('maxAgeMs', String(opts.maxAgeMs));
    if (opts.fresh) url.searchParams.set('fresh', '1');
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { authorization: `Bearer ${this.#token}` },
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      throw new AppError(
        'DEPENDENCY_UNAVAILABLE',
        'The inventory service is not answering; try again shortly.',
        undefined,
        {
          cause: err,
        },
      );
    }
    if (res.ok) return (await res.json()) as CinvInventory;
    const body = (await res.json().catch(() => undefined)) as
      { error?: { code?: string; message?: string; retryAfterSeconds?: number } } | undefined;
    const code = body?.error?.code;
    if (code && PASSED_THROUGH.has(code)) {
      throw new AppError(code as ErrorCode, body?.error?.message, {
        ...(body?.error?.retryAfterSeconds ? { retryAfterSeconds: body.error.retryAfterSeconds } : {}),
      });
    }
    throw new AppError('DEPENDENCY_UNAVAILABLE', 'The inventory service failed; try again shortly.', {
      reason: `cinv_${res.status}`,
    });
  }
}
