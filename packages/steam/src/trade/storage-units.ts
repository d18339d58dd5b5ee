/**
 * CS2 storage units (caskets, steam.md §8): a port for what the tradebot asks of them, with the
 * emulator's JSON stand-in for the Game Coordinator as one adapter and node-globaloffensive
 * (storage-units.gc.ts) as the production one. Contents never show in the Steam web inventory.
 */

/** GO `enums.js` ItemCustomizationNotification values (steam.md §8). */
export const CasketNotification = {
  CasketTooFull: 1011,
  CasketContents: 1012,
  CasketAdded: 1013,
  CasketRemoved: 1014,
  CasketInvFull: 1015,
} as const;

/**
 * Why a storage-unit call failed:
 * - casket_full: 1011, the unit holds its cap (try another unit);
 * - inventory_full: 1015, extraction would pass the inventory cap (make room first);
 * - not_found: no such unit, or the item is not where the call says (read state again);
 * - unavailable: the GC did not answer (timeout, not connected, 5xx, 429): it may have happened.
 */
export type StorageUnitErrorKind = 'casket_full' | 'inventory_full' | 'not_found' | 'unavailable';

export class StorageUnitError extends Error {
  readonly kind: StorageUnitErrorKind;
  readonly notification: number | undefined;
  constructor(kind: StorageUnitErrorKind, message: string, notification?: number, cause?: unknown) {
    super(message, { cause });
    this.name = 'StorageUnitError';
    this.kind = kind;
    this.notification = notification;
  }
}

export interface CasketView {
  casketId: string;
  count: number;
}

export interface CasketMove {
  /** Items in the unit after the move. */
  casketCount: number;
  /**
   * The item's asset id in the inventory after an extraction (steam.md §8: whether it changes is
   * undocumented; the emulator keeps it). Equal to the id given when it did not change.
   */
  assetId: string;
}

export interface StorageUnitsPort {
  readonly name: string;
  /** The bot's storage units with their item counts. */
  listCaskets(steamId: string): Promise<CasketView[]>;
  /** Asset ids inside one unit. */
  contents(steamId: string, casketId: string): Promise<string[]>;
  add(steamId: string, casketId: string, assetId: string): Promise<CasketMove>;
  remove(steamId: string, casketId: string, assetId: string): Promise<CasketMove>;
}

type Json = Record<string, unknown>;

/** The emulator's Game Coordinator stand-in (`/_emulator/gc`, tools/steam-emulator/README.md). */
export class EmulatorStorageUnits implements StorageUnitsPort {
  readonly name = 'emulator';
  readonly #url: URL;
  readonly #timeoutMs: number;

  constructor(emulatorUrl: URL, timeoutMs = 15_000) {
    this.#url = emulatorUrl;
    this.#timeoutMs = timeoutMs;
  }

  async #call(method: 'GET' | 'POST', path: string, body?: Json): Promise<Json> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.#url), {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : null,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      throw new StorageUnitError('unavailable', `gc ${path}: ${(err as Error).message}`, undefined, err);
    }
    const json = (await res.json().catch(() => ({}))) as Json;
    if (res.ok) return json;
    const notification = typeof json.notification === 'number' ? json.notification : undefined;
    const msg = `gc ${path}: ${typeof json.error === 'string' ? json.error : `HTTP ${res.status}`}`;
    if (notification === CasketNotification.CasketTooFull)
      throw new StorageUnitError('casket_full', msg, notification);
    if (notification === CasketNotification.CasketInvFull)
      throw new StorageUnitError('inventory_full', msg, notification);
    if (res.status === 400 || res.status === 404) throw new StorageUnitError('not_found', msg);
    throw new StorageUnitError('unavailable', msg);
  }

  async listCaskets(steamId: string): Promise<CasketView[]> {
    const json = await this.#call('GET', `_emulator/gc/${steamId}/caskets`);
    const list = Array.isArray(json.caskets) ? (json.caskets as Json[]) : [];
    return list.map((c) => ({ casketId: String(c.casketId), count: Number(c.count) || 0 }));
  }

  async contents(steamId: string, casketId: string): Promise<string[]> {
    const json = await this.#call('GET', `_emulator/gc/${steamId}/caskets/${casketId}`);
    const items = Array.isArray(json.items) ? (json.items as Json[]) : [];
    return items.map((i) => String(i.assetid));
  }

  async add(steamId: string, casketId: string, assetId: string): Promise<CasketMove> {
    const json = await this.#call('POST', `_emulator/gc/${steamId}/caskets/${casketId}/add`, {
      assetid: assetId,
    });
    return { casketCount: Number(json.casketCount) || 0, assetId };
  }

  async remove(steamId: string, casketId: string, assetId: string): Promise<CasketMove> {
    const json = await this.#call('POST', `_emulator/gc/${steamId}/caskets/${casketId}/remove`, {
      assetid: assetId,
    });
    return { casketCount: Number(json.casketCount) || 0, assetId };
  }
}
