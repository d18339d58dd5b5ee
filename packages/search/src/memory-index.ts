import {
  checkQuery,
  compareAssetIds,
  compareStrings,
  decodeCursor,
  DEFAULT_LIMIT,
  encodeCursor,
  lockDaysLeft,
  tokensOf,
  type CursorKey,
  type FacetCounts,
  type Facets,
  type GroupCard,
  type SearchPage,
  type SearchQuery,
  type SiteItem,
  type SiteSearch,
  type SortName,
} from './port.ts';
import { isListable, phaseOfRow, traitsOf, type IndexRow, type NameTraits } from './index-row.ts';

/**
 * The default search adapter: every listed site item in this process's memory, in columns.
 *
 * - Items live in slots; each column is a typed array indexed by slot (price and the name's
 *   traits live per market hash name, ~20k of them at 400k items).
 * - Every sort keeps its own order of slots. Sorts keyed by the name (price, popular) are
 *   rebuilt from the asset order by a counting sort over the names' ranks, O(items); the others
 *   (float, newest) are merged with each batch of new items, O(items). A page walks its sort's
 *   order from the cursor and stops at `limit` matches; by-name sorts walk only the ranges of
 *   the names a query allows.
 * - Name-level filters (text, type, weapon, rarity, exterior, StatTrak, souvenir, price, one
 *   market hash name) become one bitmap over the names per query (cached); text goes through
 *   token posting lists (sorted tokens → names), so a prefix is a binary search.
 * - Removal and reservation clear a flag at once (a page never shows them after the event is
 *   applied); new items join the orders at the next merge (batched, a few ms at 400k).
 */

const ALIVE = 1;
const RESERVED = 2;
const UNLISTED = 4;

interface NameEntry {
  mhn: string;
  traits: NameTraits;
  category: string;
  tokens: string[];
  /** Withdrawal price in minor units, -1 when unpriced (unpriced names are not listed). */
  price: number;
  iconId: number;
}

interface NameOrder {
  /** Slots, grouped by name in rank order, each name's slots in asset order. */
  order: Int32Array;
  /** Name ids in rank order. */
  names: Int32Array;
  /** Offsets into `order` by rank (length names+1). */
  start: Int32Array;
  /** The numeric key per name id, as ranked (price, or stock for popular). */
  key: Float64Array;
  /** Rank per name id. */
  rank: Int32Array;
}

type NameSort = 'price-asc' | 'price-desc' | 'popular';
const NAME_SORTS: readonly NameSort[] = ['price-asc', 'price-desc', 'popular'];
const isNameSort = (s: SortName): s is NameSort => s === 'price-asc' || s === 'price-desc' || s === 'popular';

export interface MemoryIndexOptions {
  /** Withdrawal price of a name (minor units), or null when it has none. */
  priceOf: (marketHashName: string, category: string) => number | null;
  now?: () => number;
  /** How long after the last change a merge waits for more (batches bursts). */
  mergeDelayMs?: number;
}

class Interner {
  readonly values: string[] = [''];
  readonly #ids = new Map<string, number>([['', 0]]);
  id(v: string): number {
    let id = this.#ids.get(v);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(v);
      this.#ids.set(v, id);
    }
    return id;
  }
}

const PHASES = ['phase-1', 'phase-2', 'phase-3', 'phase-4', 'ruby', 'sapphire', 'black-pearl', 'emerald'];

export class MemoryIndex implements SiteSearch {
  readonly #o: Required<MemoryIndexOptions>;
  // Per slot.
  #cap = 0;
  #nameOf = new Int32Array(0);
  #botOf = new Int32Array(0);
  #float = new Float64Array(0);
  #seed = new Int32Array(0);
  #phase = new Uint8Array(0);
  #stickers = new Int32Array(0);
  #icon = new Int32Array(0);
  #displayName = new Int32Array(0);
  #lockUntil = new Float64Array(0);
  #firstSeen = new Float64Array(0);
  #version = new Float64Array(0);
  #reservedUntil = new Float64Array(0);
  /** Local time of the last change an event made, so reconciliation never undoes a newer event. */
  #touched = new Float64Array(0);
  #state = new Uint8Array(0);
  #asset: string[] = [];
  #slotOf = new Map<string, number>();
  #free: number[] = [];
  #used = 0;
  // Per name.
  #names: NameEntry[] = [];
  #nameId = new Map<string, number>();
  #visibleByName = new Int32Array(0);
  /** Sorted distinct tokens of every name, and the names that have each. */
  #tokens: string[] = [];
  #postings: Int32Array[] = [];
  #tokensDirty = true;
  // Interned strings.
  #icons = new Interner();
  #texts = new Interner();
  #stickerSets: string[][] = [[]];
  #stickerSetId = new Map<string, number>([['', 0]]);
  #inactiveBots = new Set<number>();
  // Orders.
  #byAsset = new Int32Array(0);
  #floatAsc = new Int32Array(0);
  #floatDesc = new Int32Array(0);
  #noFloat = new Int32Array(0);
  #newest = new Int32Array(0);
  #nameOrders = new Map<NameSort, NameOrder>();
  #pending: number[] = [];
  #dirtyDead = 0;
  #mergeTimer: NodeJS.Timeout | undefined;
  #nameFilterCache = new Map<string, Uint8Array>();
  /** Rank of each name by market hash name (the tie-break of by-name sorts). */
  #alpha = new Int32Array(0);
  /** Scratch for text matching (per name: how many query tokens matched so far). */
  #hits = new Uint8Array(0);
  /** JSON fragments made once (searchJsonNow): per name, display name, icon and sticker set. */
  // Maps, not arrays indexed by id: filled sparsely, an array would fall back to slow elements.
  #nameJson = new Map<number, [string, string]>();
  #textJson = new Map<number, string>();
  #iconJson = new Map<number, string>();
  #stickerJson = new Map<number, string>();
  #changes = 0;

  constructor(options: MemoryIndexOptions) {
    this.#o = { now: () => Date.now(), mergeDelayMs: 50, ...options };
    this.#grow(1024);
    for (const s of NAME_SORTS)
      this.#nameOrders.set(s, {
        order: new Int32Array(0),
        names: new Int32Array(0),
        start: new Int32Array(1),
        key: new Float64Array(0),
        rank: new Int32Array(0),
      });
  }

  /**
   * Grows with every change a page could show (an item added, removed, reserved, released,
   * repriced, a bot paused): an answer cached under one value is current while it stays.
   */
  get changes(): number {
    return this.#changes;
  }

  /** Items in the index (listed or not, reserved or not). */
  get size(): number {
    return this.#slotOf.size;
  }

  // ---- writes -----------------------------------------------------------------------------

  /** Adds or replaces items. New ones are searchable after the next merge (`flush()` forces it). */
  upsert(rows: Iterable<IndexRow>, opts: { fromEvent?: boolean } = {}): void {
    const now = this.#o.now();
    for (const row of rows) {
      const old = this.#slotOf.get(row.assetId);
      if (old !== undefined) {
        if (this.#sameKeys(old, row)) {
          this.#fill(old, row, opts.fromEvent ? now : 0, false);
          this.#changes++;
          continue;
        }
        this.#kill(old);
      }
      const slot = this.#alloc();
      this.#fill(slot, row, opts.fromEvent ? now : 0, true);
      this.#slotOf.set(row.assetId, slot);
      this.#asset[slot] = row.assetId;
      this.#pending.push(slot);
    }
    this.#scheduleMerge();
  }

  /** Items that left the site: invisible at once. */
  remove(assetIds: Iterable<string>): void {
    for (const a of assetIds) {
      const slot = this.#slotOf.get(a);
      if (slot !== undefined) this.#kill(slot);
    }
    this.#changes++;
    // Removed items are hidden already; their slots are reclaimed by the next merge, run for
    // them alone only once they are a noticeable share (a merge costs O(items)).
    if (this.#pending.length > 0 || this.#dirtyDead > this.#slotOf.size / 100) this.#scheduleMerge();
  }

  /** Reserved by an active trade: invisible at once. */
  reserve(assetIds: Iterable<string>, untilMs: number, opts: { fromEvent?: boolean } = {}): void {
    const now = this.#o.now();
    for (const a of assetIds) {
      const s = this.#slotOf.get(a);
      if (s === undefined) continue;
      if (opts.fromEvent) this.#touched[s] = now;
      this.#reservedUntil[s] = untilMs;
      if (this.#state[s]! & RESERVED) continue;
      this.#changes++;
      if (this.#visible(s)) this.#visibleByName[this.#nameOf[s]!]! -= 1;
      this.#state[s]! |= RESERVED;
    }
  }

  release(assetIds: Iterable<string>, opts: { fromEvent?: boolean } = {}): void {
    const now = this.#o.now();
    for (const a of assetIds) {
      const s = this.#slotOf.get(a);
      if (s === undefined) continue;
      if (opts.fromEvent) this.#touched[s] = now;
      this.#reservedUntil[s] = 0;
      if (!(this.#state[s]! & RESERVED)) continue;
      this.#changes++;
      this.#state[s]! &= ~RESERVED;
      if (this.#visible(s)) this.#visibleByName[this.#nameOf[s]!]! += 1;
    }
  }

  /** Bots that are not active: their items are not listed. */
  setInactiveBots(botIds: Iterable<number>): void {
    const next = new Set(botIds);
    if (next.size === this.#inactiveBots.size && [...next].every((b) => this.#inactiveBots.has(b))) return;
    this.#inactiveBots = next;
    this.#changes++;
    this.#recount();
    this.#rebuildNameOrders();
    this.#nameFilterCache.clear();
  }

  /** Prices changed (an import, an override): every name is repriced and the price orders rebuilt. */
  reprice(): void {
    let changed = false;
    for (const n of this.#names) {
      const p = this.#o.priceOf(n.mhn, n.category) ?? -1;
      if (p !== n.price) {
        n.price = p;
        changed = true;
      }
    }
    if (!changed) return;
    this.#changes++;
    this.#nameFilterCache.clear();
    // A name priced or unpriced now shows its items or hides them: the per-name counts the walks
    // skip names by are recounted (an index loaded before the prices listed nothing until then).
    this.#recount();
    this.#rebuildNameOrders();
  }

  /** Merges waiting changes now (tests and the loader; otherwise a timer does it). */
  flush(): void {
    if (this.#mergeTimer) clearTimeout(this.#mergeTimer);
    this.#mergeTimer = undefined;
    this.#merge();
  }

  close(): void {
    if (this.#mergeTimer) clearTimeout(this.#mergeTimer);
    this.#mergeTimer = undefined;
  }

  /** For reconciliation: each asset's version and when an event last changed it. */
  *entries(): Generator<{ assetId: string; version: number; touched: number; reservedUntil: number }> {
    for (const [assetId, s] of this.#slotOf)
      yield {
        assetId,
        version: this.#version[s]!,
        touched: this.#touched[s]!,
        reservedUntil: this.#state[s]! & RESERVED ? this.#reservedUntil[s]! : 0,
      };
  }

  /** An asset's version and when an event last changed it (reconciliation). */
  versionOf(assetId: string): { version: number; touched: number } | undefined {
    const s = this.#slotOf.get(assetId);
    return s === undefined ? undefined : { version: this.#version[s]!, touched: this.#touched[s]! };
  }

  /** Whether the index holds an asset, whether it is in the orders yet, and reserved. */
  peek(assetId: string): { merged: boolean; reserved: boolean } | undefined {
    const s = this.#slotOf.get(assetId);
    if (s === undefined) return undefined;
    return { merged: (this.#state[s]! & ALIVE) !== 0, reserved: (this.#state[s]! & RESERVED) !== 0 };
  }

  /** Rough bytes held per item (columns, orders, the asset map); names and strings come on top. */
  /** What the index holds and why items are not shown (the load and reconciliation log it). */
  stats(): {
    items: number;
    visible: number;
    reserved: number;
    unlisted: number;
    waitingForMerge: number;
    unpricedNames: number;
    inactiveBots: number;
  } {
    let visible = 0;
    let reserved = 0;
    let unlisted = 0;
    for (const s of this.#slotOf.values()) {
      const st = this.#state[s]!;
      if (this.#visible(s)) visible++;
      if (st & RESERVED) reserved++;
      if (st & UNLISTED) unlisted++;
    }
    let unpricedNames = 0;
    for (const n of this.#names) if (n.price < 0) unpricedNames++;
    return {
      items: this.#slotOf.size,
      visible,
      reserved,
      unlisted,
      waitingForMerge: this.#pending.length,
      unpricedNames,
      inactiveBots: this.#inactiveBots.size,
    };
  }

  memoryEstimate(): { bytes: number; perItem: number } {
    const columns = this.#cap * (4 * 7 + 8 * 6 + 2);
    const orders =
      (this.#byAsset.length + this.#floatAsc.length * 2 + this.#noFloat.length) * 4 +
      this.#newest.length * 4 +
      [...this.#nameOrders.values()].reduce((n, o) => n + o.order.length * 4, 0);
    // A Map entry and a short string each cost ~40–60 bytes in V8.
    const strings = this.#slotOf.size * 100;
    const bytes = columns + orders + strings;
    return { bytes, perItem: this.#slotOf.size ? bytes / this.#slotOf.size : 0 };
  }

  #sameKeys(s: number, row: IndexRow): boolean {
    const f = row.floatValue ?? Number.NaN;
    const same = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b));
    return (
      this.#names[this.#nameOf[s]!]!.mhn === row.marketHashName &&
      same(this.#float[s]!, f) &&
      this.#firstSeen[s] === row.firstSeenMs
    );
  }

  #alloc(): number {
    const s = this.#free.pop();
    if (s !== undefined) return s;
    if (this.#used === this.#cap) this.#grow(this.#cap * 2);
    return this.#used++;
  }

  #grow(cap: number): void {
    const g = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    const i32 = (n: number) => new Int32Array(n);
    const f64 = (n: number) => new Float64Array(n);
    this.#nameOf = g(this.#nameOf, i32);
    this.#botOf = g(this.#botOf, i32);
    this.#float = g(this.#float, f64);
    this.#seed = g(this.#seed, i32);
    this.#phase = g(this.#phase, (n) => new Uint8Array(n));
    this.#stickers = g(this.#stickers, i32);
    this.#icon = g(this.#icon, i32);
    this.#displayName = g(this.#displayName, i32);
    this.#lockUntil = g(this.#lockUntil, f64);
    this.#firstSeen = g(this.#firstSeen, f64);
    this.#version = g(this.#version, f64);
    this.#reservedUntil = g(this.#reservedUntil, f64);
    this.#touched = g(this.#touched, f64);
    this.#state = g(this.#state, (n) => new Uint8Array(n));
    this.#cap = cap;
  }

  #nameFor(row: IndexRow): number {
    let id = this.#nameId.get(row.marketHashName);
    if (id === undefined) {
      id = this.#names.length;
      this.#names.push({
        mhn: row.marketHashName,
        traits: traitsOf(row),
        category: row.category,
        tokens: [...new Set(tokensOf(row.marketHashName))],
        price: this.#o.priceOf(row.marketHashName, row.category) ?? -1,
        iconId: this.#icons.id(row.iconUrl),
      });
      this.#nameId.set(row.marketHashName, id);
      if (this.#visibleByName.length <= id) {
        const v = new Int32Array(Math.max(64, id * 2));
        v.set(this.#visibleByName);
        this.#visibleByName = v;
      }
      this.#tokensDirty = true;
      this.#nameFilterCache.clear();
    }
    return id;
  }

  #stickerSet(stickers: string[]): number {
    if (stickers.length === 0) return 0;
    const key = stickers.join('\u0000');
    let id = this.#stickerSetId.get(key);
    if (id === undefined) {
      id = this.#stickerSets.length;
      this.#stickerSets.push(stickers);
      this.#stickerSetId.set(key, id);
    }
    return id;
  }

  #fill(s: number, row: IndexRow, touched: number, fresh: boolean): void {
    const wasVisible = !fresh && this.#visible(s);
    const phase = phaseOfRow(row);
    this.#nameOf[s] = this.#nameFor(row);
    this.#botOf[s] = row.botId;
    this.#float[s] = row.floatValue ?? Number.NaN;
    this.#seed[s] = row.paintSeed ?? -1;
    this.#phase[s] = phase ? PHASES.indexOf(phase) + 1 : 0;
    this.#stickers[s] = this.#stickerSet(row.stickers);
    this.#icon[s] = this.#icons.id(row.iconUrl);
    this.#displayName[s] = this.#texts.id(row.name);
    this.#lockUntil[s] = row.tradableAfterMs ?? 0;
    this.#firstSeen[s] = row.firstSeenMs;
    this.#version[s] = row.version;
    this.#reservedUntil[s] = row.reservedUntilMs ?? 0;
    if (touched) this.#touched[s] = touched;
    else if (fresh) this.#touched[s] = 0;
    // A fresh slot is counted visible when it joins the orders (merge recounts).
    this.#state[s] =
      (fresh ? 0 : ALIVE) | (row.reservedUntilMs !== null ? RESERVED : 0) | (isListable(row) ? 0 : UNLISTED);
    if (!fresh) {
      const nowVisible = this.#visible(s);
      if (wasVisible !== nowVisible) this.#visibleByName[this.#nameOf[s]]! += nowVisible ? 1 : -1;
    }
  }

  #kill(s: number): void {
    if (this.#slotOf.get(this.#asset[s]!) !== s) return;
    if (this.#visible(s)) this.#visibleByName[this.#nameOf[s]!]! -= 1;
    this.#state[s] = 0;
    this.#slotOf.delete(this.#asset[s]!);
    this.#dirtyDead++;
  }

  #visible(s: number): boolean {
    return (
      this.#state[s] === ALIVE &&
      this.#names[this.#nameOf[s]!]!.price >= 0 &&
      (this.#inactiveBots.size === 0 || !this.#inactiveBots.has(this.#botOf[s]!))
    );
  }

  #scheduleMerge(): void {
    if (this.#mergeTimer || (this.#pending.length === 0 && this.#dirtyDead === 0)) return;
    // Bursts (a bot's refresh, a reconciliation) merge once.
    this.#mergeTimer = setTimeout(() => {
      this.#mergeTimer = undefined;
      this.#merge();
    }, this.#o.mergeDelayMs);
    this.#mergeTimer.unref();
  }

  #cmpAsset = (a: number, b: number) => compareAssetIds(this.#asset[a]!, this.#asset[b]!);
  #cmpFloatAsc = (a: number, b: number) => this.#float[a]! - this.#float[b]! || this.#cmpAsset(a, b);
  #cmpFloatDesc = (a: number, b: number) => this.#float[b]! - this.#float[a]! || this.#cmpAsset(a, b);
  #cmpNewest = (a: number, b: number) => this.#firstSeen[b]! - this.#firstSeen[a]! || this.#cmpAsset(a, b);

  /** Joins pending slots to every order and drops dead ones; dead slots become free. */
  #merge(): void {
    const dead: number[] = [];
    const fresh: number[] = [];
    // A slot killed before it joined the orders is free at once.
    for (const s of this.#pending) (this.#slotOf.get(this.#asset[s]!) === s ? fresh : dead).push(s);
    this.#pending = [];
    const state = this.#state;
    // Collect dead slots from the asset order (every live slot is in it exactly once).
    const order = this.#byAsset;
    if (this.#dirtyDead > 0)
      for (let i = 0; i < order.length; i++) if (!(state[order[i]!]! & ALIVE)) dead.push(order[i]!);
    const hasDead = dead.length > 0;
    for (const s of fresh) state[s]! |= ALIVE;
    const byAsset = [...fresh].sort(this.#cmpAsset);
    const withFloat = fresh.filter((s) => !Number.isNaN(this.#float[s]!));
    const noFloat = byAsset.filter((s) => Number.isNaN(this.#float[s]!));
    this.#byAsset = mergeInto(this.#byAsset, state, hasDead, byAsset, this.#cmpAsset);
    this.#floatAsc = mergeInto(
      this.#floatAsc,
      state,
      hasDead,
      withFloat.sort(this.#cmpFloatAsc),
      this.#cmpFloatAsc,
    );
    this.#floatDesc = mergeInto(
      this.#floatDesc,
      state,
      hasDead,
      [...withFloat].sort(this.#cmpFloatDesc),
      this.#cmpFloatDesc,
    );
    this.#noFloat = mergeInto(this.#noFloat, state, hasDead, noFloat, this.#cmpAsset);
    this.#newest = mergeInto(this.#newest, state, hasDead, [...fresh].sort(this.#cmpNewest), this.#cmpNewest);
    // Dead slots are out of every order now: reusable.
    for (const s of dead) this.#free.push(s);
    this.#dirtyDead = 0;
    this.#changes++;
    this.#recount();
    this.#rebuildNameOrders({ fresh, hasDead });
  }

  #recount(): void {
    const counts = this.#visibleByName;
    counts.fill(0);
    const priced = new Uint8Array(this.#names.length);
    this.#names.forEach((n, i) => (priced[i] = n.price >= 0 ? 1 : 0));
    const order = this.#byAsset;
    const state = this.#state;
    const nameOf = this.#nameOf;
    const inactive = this.#inactiveBots.size > 0 ? this.#inactiveBots : null;
    for (let i = 0; i < order.length; i++) {
      const s = order[i]!;
      const n = nameOf[s]!;
      if (state[s] === ALIVE && priced[n] === 1 && (inactive === null || !inactive.has(this.#botOf[s]!)))
        counts[n]! += 1;
    }
  }

  /**
   * The price and popular orders: names ranked by their key (then by name), each name's slots in
   * asset order, laid out by a counting sort of the asset order (O(items)). Names are re-ranked
   * only when a key changed or a name appeared.
   */
  #rebuildNameOrders(merged?: { fresh: number[]; hasDead: boolean }): void {
    const m = this.#names.length;
    if (this.#alpha.length !== m) {
      // Names by market hash name, once per new name: ties in a key sort by this rank.
      const byName = Array.from({ length: m }, (_, i) => i).sort((a, b) =>
        compareStrings(this.#names[a]!.mhn, this.#names[b]!.mhn),
      );
      this.#alpha = new Int32Array(m);
      byName.forEach((n, r) => (this.#alpha[n] = r));
    }
    const perName = new Int32Array(m);
    // Popular: how many of a name the site holds (listed, on an active bot; reserved ones too).
    const stock = new Int32Array(m);
    const byAsset = this.#byAsset;
    const nameOf = this.#nameOf;
    const state = this.#state;
    const inactive = this.#inactiveBots.size > 0 ? this.#inactiveBots : null;
    for (let i = 0; i < byAsset.length; i++) {
      const s = byAsset[i]!;
      const n = nameOf[s]!;
      perName[n]! += 1;
      if ((state[s]! & UNLISTED) === 0 && (inactive === null || !inactive.has(this.#botOf[s]!)))
        stock[n]! += 1;
    }
    for (const sort of NAME_SORTS) {
      const prev = this.#nameOrders.get(sort)!;
      const key = new Float64Array(m);
      for (let i = 0; i < m; i++)
        key[i] = perName[i]! === 0 ? Number.NaN : sort === 'popular' ? stock[i]! : this.#names[i]!.price;
      let names = prev.names;
      let rank = prev.rank;
      const same =
        prev.key.length === m &&
        key.every((k, i) => (Number.isNaN(k) ? Number.isNaN(prev.key[i]!) : k === prev.key[i]));
      if (!same) {
        const present: number[] = [];
        for (let i = 0; i < m; i++) if (perName[i]! > 0) present.push(i);
        names = Int32Array.from(present).sort(nameComparator(sort, key, this.#alpha));
        rank = new Int32Array(m);
        for (let r = 0; r < names.length; r++) rank[names[r]!] = r;
      }
      const start = new Int32Array(names.length + 1);
      for (let r = 0; r < names.length; r++) start[r + 1] = start[r]! + perName[names[r]!]!;
      let order: Int32Array<ArrayBuffer>;
      if (same && merged && prev.order.length > 0) {
        // Ranks unchanged: the new slots are merged in (rank, then asset), no full layout.
        const r = rank;
        const cmp = (a: number, b: number) => r[nameOf[a]!]! - r[nameOf[b]!]! || this.#cmpAsset(a, b);
        order = mergeInto(prev.order, state, merged.hasDead, [...merged.fresh].sort(cmp), cmp);
      } else {
        const fill = start.slice(0, names.length);
        order = new Int32Array(byAsset.length);
        for (let i = 0; i < byAsset.length; i++) {
          const s = byAsset[i]!;
          order[fill[rank[nameOf[s]!]!]!++] = s;
        }
      }
      this.#nameOrders.set(sort, { order, names, start, key, rank });
    }
  }

  // ---- reads ------------------------------------------------------------------------------

  search(query: SearchQuery): Promise<SearchPage> {
    try {
      return Promise.resolve(this.searchNow(query));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  searchJson(query: SearchQuery): Promise<string> {
    try {
      return Promise.resolve(this.searchJsonNow(query));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** The search, synchronously (the in-process index never waits). */
  searchNow(query: SearchQuery): SearchPage {
    const r = this.#run(query);
    const page: SearchPage =
      r.kind === 'groups'
        ? r.page
        : { items: r.slots.map((s) => this.#view(s, r.now)), nextCursor: r.nextCursor, currency: 'USD' };
    if (r.facets) page.facets = r.facets;
    return page;
  }

  /**
   * The same answer as `searchNow`, as JSON text (what the route sends): an item is written from
   * fragments made once per name, display name, icon and sticker set, not built as an object and
   * serialized whole (a page of 60 costs a fraction of JSON.stringify's time: search bench).
   */
  searchJsonNow(query: SearchQuery): string {
    const r = this.#run(query);
    if (r.kind === 'groups') {
      if (r.facets) r.page.facets = r.facets;
      return JSON.stringify(r.page);
    }
    // Joined, not concatenated: one flat string (a rope of thousands of pieces would be
    // flattened again by each reader: Buffer.byteLength, the socket write).
    const items = r.slots.map((s) => this.#itemJson(s, r.now)).join(',');
    const cursor = r.nextCursor === null ? 'null' : JSON.stringify(r.nextCursor);
    const facets = r.facets ? `,"facets":${JSON.stringify(r.facets)}` : '';
    return `{"items":[${items}],"nextCursor":${cursor},"currency":"USD"${facets}}`;
  }

  #run(
    query: SearchQuery,
  ):
    | { kind: 'groups'; page: SearchPage; facets: Facets | undefined }
    | { kind: 'items'; slots: number[]; nextCursor: string | null; now: number; facets: Facets | undefined } {
    checkQuery(query);
    const sort = query.sort ?? 'price-desc';
    const group = query.group === true;
    const limit = query.limit ?? DEFAULT_LIMIT;
    const cursor = query.cursor ? decodeCursor(query.cursor, sort, group) : undefined;
    const now = this.#o.now();
    const nameOk = this.#nameFilter(query);
    const itemOk = this.#itemFilter(query, now);
    const facets = query.facets ? this.#facets(nameOk, itemOk, now) : undefined;
    if (group) return { kind: 'groups', page: this.#groups(sort, nameOk, itemOk, limit, cursor), facets };
    return { kind: 'items', ...this.#items(sort, nameOk, itemOk, limit, cursor, query), now, facets };
  }

  /**
   * Which names a query allows (null: all). The text and trait part is cached per distinct
   * filter (a few hundred are in use at once: the texts people type, the filter panel's
   * combinations); a price range, different in almost every query, is applied on top through
   * the names' price order: a binary search to the range's start, then only the names in it.
   */
  #nameFilter(q: SearchQuery): Uint8Array | null {
    const base = this.#traitFilter(q);
    if (q.minPrice === undefined && q.maxPrice === undefined) return base;
    const lo = q.minPrice ?? -Infinity;
    const hi = q.maxPrice ?? Infinity;
    const ok = new Uint8Array(this.#names.length);
    const o = this.#nameOrders.get('price-asc')!;
    const { names, key } = o;
    for (let r = prefixEnd(o, (p) => p < lo); r < names.length; r++) {
      const n = names[r]!;
      if (key[n]! > hi) break;
      if (base === null || base[n] === 1) ok[n] = 1;
    }
    return ok;
  }

  /** The text and trait part of a query's name filter (null: all names), cached. */
  #traitFilter(q: SearchQuery): Uint8Array | null {
    const tokens = q.q ? [...new Set(tokensOf(q.q))].sort() : [];
    const parts = {
      t: tokens,
      e: q.exterior?.slice().sort(),
      r: q.rarity?.slice().sort(),
      y: q.type?.slice().sort(),
      w: q.weapon?.map((w) => w.toLowerCase()).sort(),
      st: q.statTrak,
      sv: q.souvenir,
      m: q.marketHashName,
    };
    const none =
      tokens.length === 0 &&
      !parts.e &&
      !parts.r &&
      !parts.y &&
      !parts.w &&
      parts.st === undefined &&
      parts.sv === undefined &&
      parts.m === undefined;
    if (none) return null;
    const key = JSON.stringify(parts);
    const cached = this.#nameFilterCache.get(key);
    if (cached && cached.length === this.#names.length) return cached;
    const m = this.#names.length;
    const ok = new Uint8Array(m);
    if (tokens.length > 0) {
      // Every query token must start a token of the name: count, per name, the query tokens
      // one of its words starts with (each token once per name); all of them → allowed.
      this.#buildTokens();
      if (this.#hits.length < m) this.#hits = new Uint8Array(m * 2);
      const hits = this.#hits;
      hits.fill(0, 0, m);
      for (const [k, t] of tokens.entries()) {
        let i = lowerBound(this.#tokens, t);
        for (; i < this.#tokens.length && this.#tokens[i]!.startsWith(t); i++)
          for (const n of this.#postings[i]!) if (hits[n] === k) hits[n] = k + 1;
      }
      const all = tokens.length;
      for (let n = 0; n < m; n++) if (hits[n] === all) ok[n] = 1;
    } else ok.fill(1);
    const ext = parts.e ? new Set(parts.e) : null;
    const rar = parts.r ? new Set(parts.r) : null;
    const typ = parts.y ? new Set(parts.y) : null;
    const wep = parts.w ? new Set(parts.w) : null;
    for (let n = 0; n < m; n++) {
      if (!ok[n]) continue;
      const e = this.#names[n]!;
      const t = e.traits;
      if (
        (ext && !ext.has(t.exterior ?? '')) ||
        (rar && !rar.has(t.rarity ?? '')) ||
        (typ && !typ.has(t.type)) ||
        (wep && !wep.has((t.weapon ?? '').toLowerCase())) ||
        (parts.st !== undefined && t.statTrak !== parts.st) ||
        (parts.sv !== undefined && t.souvenir !== parts.sv) ||
        (parts.m !== undefined && e.mhn !== parts.m)
      )
        ok[n] = 0;
    }
    if (this.#nameFilterCache.size >= 512) this.#nameFilterCache.clear();
    this.#nameFilterCache.set(key, ok);
    return ok;
  }

  #buildTokens(): void {
    if (!this.#tokensDirty) return;
    const map = new Map<string, number[]>();
    this.#names.forEach((n, i) => {
      for (const t of n.tokens) {
        let l = map.get(t);
        if (!l) map.set(t, (l = []));
        l.push(i);
      }
    });
    this.#tokens = [...map.keys()].sort();
    this.#postings = this.#tokens.map((t) => Int32Array.from(map.get(t)!));
    this.#tokensDirty = false;
  }

  /** The item-level part of a query as one predicate over a slot (null: none). */
  #itemFilter(q: SearchQuery, now: number): ((s: number) => boolean) | null {
    const checks: Array<(s: number) => boolean> = [];
    const f = this.#float;
    if (q.minFloat !== undefined) {
      const lo = q.minFloat;
      checks.push((s) => f[s]! >= lo);
    }
    if (q.maxFloat !== undefined) {
      const hi = q.maxFloat;
      checks.push((s) => f[s]! <= hi);
    }
    if (q.paintSeed !== undefined) {
      const seed = q.paintSeed;
      const seeds = this.#seed;
      checks.push((s) => seeds[s] === seed);
    }
    if (q.phase && q.phase.length > 0) {
      const allowed = new Uint8Array(PHASES.length + 1);
      for (const p of q.phase) {
        const i = PHASES.indexOf(p);
        if (i >= 0) allowed[i + 1] = 1;
      }
      const phase = this.#phase;
      checks.push((s) => allowed[phase[s]!] === 1);
    }
    if (q.sticker) {
      const needle = q.sticker.toLowerCase();
      const sets = new Uint8Array(this.#stickerSets.length);
      this.#stickerSets.forEach((set, i) => {
        if (set.some((n) => n.toLowerCase().includes(needle))) sets[i] = 1;
      });
      const st = this.#stickers;
      checks.push((s) => sets[st[s]!] === 1);
    }
    const lock = this.#lockUntil;
    const tradable = q.tradable ?? 'any';
    if (tradable === 'now') checks.push((s) => lock[s]! <= now);
    else if (tradable === 'locked') checks.push((s) => lock[s]! > now);
    if (q.maxTradeLockDays !== undefined) {
      const limit = now + q.maxTradeLockDays * 86_400_000;
      checks.push((s) => lock[s]! <= limit);
    }
    if (checks.length === 0) return null;
    if (checks.length === 1) return checks[0]!;
    return (s) => {
      for (const c of checks) if (!c(s)) return false;
      return true;
    };
  }

  #matches(s: number, nameOk: Uint8Array | null, itemOk: ((s: number) => boolean) | null): boolean {
    return (
      this.#visible(s) &&
      (nameOk === null || nameOk[this.#nameOf[s]!] === 1) &&
      (itemOk === null || itemOk(s))
    );
  }

  #items(
    sort: SortName,
    nameOk: Uint8Array | null,
    itemOk: ((s: number) => boolean) | null,
    limit: number,
    cursor: CursorKey | undefined,
    query: SearchQuery,
  ): { slots: number[]; nextCursor: string | null } {
    const out: number[] = [];
    // One more than the page, to know whether there is a next one.
    const want = limit + 1;
    if (isNameSort(sort)) this.#walkByName(sort, nameOk, itemOk, cursor, want, out, query);
    else this.#walkBySlot(sort, nameOk, itemOk, cursor, want, out);
    const more = out.length > limit;
    if (more) out.length = limit;
    const last = out[out.length - 1];
    return {
      slots: out,
      nextCursor: more && last !== undefined ? encodeCursor(this.#keyOf(sort, last)) : null,
    };
  }

  #keyOf(sort: SortName, s: number): CursorKey {
    const mhn = this.#names[this.#nameOf[s]!]!.mhn;
    const a = this.#asset[s]!;
    if (isNameSort(sort)) {
      const key = this.#nameOrders.get(sort)!.key[this.#nameOf[s]!]!;
      return { s: sort, g: false, n: key, m: mhn, a };
    }
    if (sort === 'newest') return { s: sort, g: false, n: this.#firstSeen[s]!, m: mhn, a };
    const f = this.#float[s]!;
    return { s: sort, g: false, n: Number.isNaN(f) ? null : f, m: mhn, a };
  }

  #walkByName(
    sort: NameSort,
    nameOk: Uint8Array | null,
    itemOk: ((s: number) => boolean) | null,
    cursor: CursorKey | undefined,
    want: number,
    out: number[],
    query: SearchQuery,
  ): void {
    const o = this.#nameOrders.get(sort)!;
    const cmp = nameCursorCmp(sort, o.key, this.#names);
    let from = -1;
    // A price range in a price sort: the names outside it are skipped by a binary search for
    // its first rank and the walk ends past its last one.
    let first = 0;
    let last = o.names.length;
    if (sort !== 'popular' && (query.minPrice !== undefined || query.maxPrice !== undefined)) {
      const desc = sort === 'price-desc';
      const lo = query.minPrice ?? -Infinity;
      const hi = query.maxPrice ?? Infinity;
      first = prefixEnd(o, desc ? (p) => p > hi : (p) => p < lo);
      last = prefixEnd(o, desc ? (p) => p >= lo : (p) => p <= hi);
    }
    let r = first;
    if (cursor) {
      // The first name at or after the cursor's (binary search over ranks).
      let lo = 0;
      let hi = o.names.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cmp(o.names[mid]!, cursor.n ?? 0, cursor.m) < 0) lo = mid + 1;
        else hi = mid;
      }
      r = Math.max(lo, first);
      if (r === lo && r < o.names.length && cmp(o.names[r]!, cursor.n ?? 0, cursor.m) === 0) {
        // Same name: start after the cursor's asset.
        let a = o.start[r]!;
        let b = o.start[r + 1]!;
        const target = cursor.a ?? '';
        while (a < b) {
          const mid = (a + b) >>> 1;
          if (compareAssetIds(this.#asset[o.order[mid]!]!, target) <= 0) a = mid + 1;
          else b = mid;
        }
        from = a;
      }
    }
    for (; r < last && out.length < want; r++) {
      const n = o.names[r]!;
      if (nameOk !== null && nameOk[n] !== 1) continue;
      if (this.#visibleByName[n] === 0) continue;
      const end = o.start[r + 1]!;
      for (let i = from >= 0 ? from : o.start[r]!; i < end; i++) {
        const s = o.order[i]!;
        if (this.#visible(s) && (itemOk === null || itemOk(s))) {
          out.push(s);
          if (out.length >= want) return;
        }
      }
      from = -1;
    }
  }

  #walkBySlot(
    sort: SortName,
    nameOk: Uint8Array | null,
    itemOk: ((s: number) => boolean) | null,
    cursor: CursorKey | undefined,
    want: number,
    out: number[],
  ): void {
    // Few allowed names: take their items (from the price order, grouped by name) and sort those.
    if (nameOk !== null) {
      const candidates = this.#candidates(nameOk, itemOk, 50_000);
      if (candidates !== null) {
        const cmp = this.#slotComparator(sort);
        candidates.sort(cmp);
        let i = 0;
        if (cursor) {
          let lo = 0;
          let hi = candidates.length;
          while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (this.#cmpSlotToCursor(sort, candidates[mid]!, cursor) <= 0) lo = mid + 1;
            else hi = mid;
          }
          i = lo;
        }
        for (; i < candidates.length && out.length < want; i++) out.push(candidates[i]!);
        return;
      }
    }
    const segments: Int32Array[] =
      sort === 'newest'
        ? [this.#newest]
        : sort === 'float-asc'
          ? [this.#floatAsc, this.#noFloat]
          : [this.#floatDesc, this.#noFloat];
    let seg = 0;
    let i = 0;
    if (cursor) {
      if (sort !== 'newest' && cursor.n === null) seg = 1;
      const order = segments[seg]!;
      let lo = 0;
      let hi = order.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.#cmpSlotToCursor(sort, order[mid]!, cursor) <= 0) lo = mid + 1;
        else hi = mid;
      }
      i = lo;
    }
    for (; seg < segments.length; seg++, i = 0) {
      const order = segments[seg]!;
      for (; i < order.length; i++) {
        const s = order[i]!;
        if (this.#matches(s, nameOk, itemOk)) {
          out.push(s);
          if (out.length >= want) return;
        }
      }
    }
  }

  /** Matching slots of the allowed names, or null when there would be more than `max`. */
  #candidates(nameOk: Uint8Array, itemOk: ((s: number) => boolean) | null, max: number): number[] | null {
    let total = 0;
    for (let n = 0; n < nameOk.length; n++) if (nameOk[n]) total += this.#visibleByName[n] ?? 0;
    if (total > max) return null;
    const o = this.#nameOrders.get('price-asc')!;
    const out: number[] = [];
    for (let r = 0; r < o.names.length; r++) {
      const n = o.names[r]!;
      if (!nameOk[n] || this.#visibleByName[n] === 0) continue;
      for (let i = o.start[r]!; i < o.start[r + 1]!; i++) {
        const s = o.order[i]!;
        if (this.#visible(s) && (itemOk === null || itemOk(s))) out.push(s);
      }
    }
    return out;
  }

  #slotComparator(sort: SortName): (a: number, b: number) => number {
    if (sort === 'newest') return this.#cmpNewest;
    const f = this.#float;
    const desc = sort === 'float-desc';
    return (a, b) => {
      const fa = f[a]!;
      const fb = f[b]!;
      const na = Number.isNaN(fa);
      const nb = Number.isNaN(fb);
      if (na !== nb) return na ? 1 : -1;
      if (!na && fa !== fb) return desc ? fb - fa : fa - fb;
      return this.#cmpAsset(a, b);
    };
  }

  /** Slot vs cursor in a per-slot sort: <0 before, 0 the cursor's row, >0 after. */
  #cmpSlotToCursor(sort: SortName, s: number, c: CursorKey): number {
    const a = this.#asset[s]!;
    const byAsset = compareAssetIds(a, c.a ?? '');
    if (sort === 'newest') return c.n! - this.#firstSeen[s]! || byAsset;
    const f = this.#float[s]!;
    const na = Number.isNaN(f);
    const nc = c.n === null;
    if (na !== nc) return na ? 1 : -1;
    if (!na && f !== c.n) return sort === 'float-desc' ? c.n! - f : f - c.n!;
    return byAsset;
  }

  #groups(
    sort: SortName,
    nameOk: Uint8Array | null,
    itemOk: ((s: number) => boolean) | null,
    limit: number,
    cursor: CursorKey | undefined,
  ): SearchPage {
    const cards: Array<{ n: number; count: number; key: number }> = [];
    const want = limit + 1;
    const countOf = (n: number, r: number, o: NameOrder): number => {
      if (itemOk === null) return this.#visibleByName[n]!;
      let c = 0;
      for (let i = o.start[r]!; i < o.start[r + 1]!; i++) {
        const s = o.order[i]!;
        if (this.#visible(s) && itemOk(s)) c++;
      }
      return c;
    };
    if (isNameSort(sort)) {
      const o = this.#nameOrders.get(sort)!;
      const cmp = nameCursorCmp(sort, o.key, this.#names);
      let r = 0;
      if (cursor) {
        let lo = 0;
        let hi = o.names.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (cmp(o.names[mid]!, cursor.n ?? 0, cursor.m) <= 0) lo = mid + 1;
          else hi = mid;
        }
        r = lo;
      }
      for (; r < o.names.length && cards.length < want; r++) {
        const n = o.names[r]!;
        if ((nameOk !== null && nameOk[n] !== 1) || this.#visibleByName[n] === 0) continue;
        const count = countOf(n, r, o);
        if (count > 0) cards.push({ n, count, key: o.key[n]! });
      }
    } else {
      // Per-item sorts: a group's key is its best item's (lowest/highest float, newest), which is
      // its first matching item in the sort's own order: walk that order, a name at its first
      // appearance. Names tied on the key are gathered whole, then ordered by name.
      const desc = sort === 'float-desc' || sort === 'newest';
      const segments: Int32Array[] =
        sort === 'newest'
          ? [this.#newest]
          : sort === 'float-asc'
            ? [this.#floatAsc, this.#noFloat]
            : [this.#floatDesc, this.#noFloat];
      const seen = new Uint8Array(this.#names.length);
      const found: Array<{ n: number; key: number }> = [];
      const missing = desc ? -Infinity : Infinity;
      const cKey = cursor ? (cursor.n ?? missing) : 0;
      let boundary: number | undefined;
      walk: for (const order of segments)
        for (let i = 0; i < order.length; i++) {
          const s = order[i]!;
          if (!this.#matches(s, nameOk, itemOk)) continue;
          const n = this.#nameOf[s]!;
          if (seen[n]) continue;
          const raw = sort === 'newest' ? this.#firstSeen[s]! : this.#float[s]!;
          const key = Number.isNaN(raw) ? missing : raw;
          if (boundary !== undefined && key !== boundary) break walk;
          seen[n] = 1;
          if (cursor && (groupKeyCmp(desc, key, cKey) || compareStrings(this.#names[n]!.mhn, cursor.m)) <= 0)
            continue;
          found.push({ n, key });
          if (found.length === want) boundary = key;
        }
      found.sort(
        (a, b) =>
          groupKeyCmp(desc, a.key, b.key) || compareStrings(this.#names[a.n]!.mhn, this.#names[b.n]!.mhn),
      );
      const o = this.#nameOrders.get('price-asc')!;
      for (const f of found.slice(0, want))
        cards.push({
          n: f.n,
          key: f.key,
          count: itemOk === null ? this.#visibleByName[f.n]! : countOf(f.n, o.rank[f.n]!, o),
        });
    }
    const more = cards.length > limit;
    if (more) cards.length = limit;
    const last = cards[cards.length - 1];
    const items: GroupCard[] = cards.map(({ n, count }) => {
      const e = this.#names[n]!;
      return {
        marketHashName: e.mhn,
        count,
        minPrice: e.price,
        maxPrice: e.price,
        iconUrl: this.#icons.values[e.iconId]!,
      };
    });
    return {
      items,
      nextCursor:
        more && last
          ? encodeCursor({
              s: sort,
              g: true,
              n: Number.isFinite(last.key) ? last.key : null,
              m: this.#names[last.n]!.mhn,
            })
          : null,
      currency: 'USD',
    };
  }

  #facets(nameOk: Uint8Array | null, itemOk: ((s: number) => boolean) | null, now: number): Facets {
    const perName = new Int32Array(this.#names.length);
    const phase = new Int32Array(PHASES.length + 1);
    let locked = 0;
    let total = 0;
    const o = this.#nameOrders.get('price-asc')!;
    for (let r = 0; r < o.names.length; r++) {
      const n = o.names[r]!;
      if ((nameOk !== null && nameOk[n] !== 1) || this.#visibleByName[n] === 0) continue;
      for (let i = o.start[r]!; i < o.start[r + 1]!; i++) {
        const s = o.order[i]!;
        if (!this.#visible(s) || (itemOk !== null && !itemOk(s))) continue;
        perName[n]! += 1;
        phase[this.#phase[s]!]! += 1;
        if (this.#lockUntil[s]! > now) locked++;
        total++;
      }
    }
    const f: Facets = {
      exterior: {},
      type: {},
      rarity: {},
      weapon: {},
      phase: {},
      statTrak: {},
      souvenir: {},
      tradable: { now: total - locked, locked },
    };
    const add = (c: FacetCounts, k: string | null, n: number) => {
      if (k !== null) c[k] = (c[k] ?? 0) + n;
    };
    perName.forEach((count, n) => {
      if (count === 0) return;
      const t = this.#names[n]!.traits;
      add(f.exterior, t.exterior, count);
      add(f.type, t.type, count);
      add(f.rarity, t.rarity, count);
      add(f.weapon, t.weapon, count);
      add(f.statTrak, String(t.statTrak), count);
      add(f.souvenir, String(t.souvenir), count);
    });
    PHASES.forEach((p, i) => {
      if (phase[i + 1]! > 0) f.phase[p] = phase[i + 1]!;
    });
    return f;
  }

  /** One item as `#view` gives it, as JSON text (the same fields, in the same order). */
  #itemJson(s: number, now: number): string {
    const n = this.#nameOf[s]!;
    const e = this.#names[n]!;
    let nj = this.#nameJson.get(n);
    if (nj === undefined) {
      const t = e.traits;
      nj = [
        asciiJson(e.mhn),
        `"exterior":${asciiJson(t.exterior)},"rarity":${asciiJson(t.rarity)},"type":${asciiJson(t.type)},"weapon":${asciiJson(t.weapon)},"statTrak":${t.statTrak},"souvenir":${t.souvenir}`,
      ];
      this.#nameJson.set(n, nj);
    }
    const d = this.#displayName[s]!;
    const text = this.#texts.values[d]!;
    const name = text === '' ? nj[0] : cached(this.#textJson, d, () => asciiJson(text));
    const st = this.#stickers[s]!;
    const stickers = cached(this.#stickerJson, st, () =>
      asciiJson(this.#stickerSets[st]!.map((sticker, slot) => ({ name: sticker, slot }))),
    );
    const ic = this.#icon[s]!;
    const icon = cached(this.#iconJson, ic, () => asciiJson(this.#icons.values[ic]!));
    const f = this.#float[s]!;
    const seed = this.#seed[s]!;
    const ph = this.#phase[s]!;
    const lock = this.#lockUntil[s]!;
    return (
      `{"assetId":${JSON.stringify(this.#asset[s]!)},"marketHashName":${nj[0]},"name":${name},"price":${e.price},` +
      `"floatValue":${Number.isNaN(f) ? 'null' : f},"paintSeed":${seed < 0 ? 'null' : seed},` +
      `"phase":${ph === 0 ? 'null' : `"${PHASES[ph - 1]!}"`},${nj[1]},"stickers":${stickers},"iconUrl":${icon},` +
      `"tradableAt":${lock > now ? `"${new Date(lock).toISOString()}"` : 'null'},"tradeLockDays":${lockDaysLeft(lock, now)}}`
    );
  }

  #view(s: number, now: number): SiteItem {
    const e = this.#names[this.#nameOf[s]!]!;
    const t = e.traits;
    const lock = this.#lockUntil[s]!;
    const f = this.#float[s]!;
    const seed = this.#seed[s]!;
    const ph = this.#phase[s]!;
    return {
      assetId: this.#asset[s]!,
      marketHashName: e.mhn,
      name: this.#texts.values[this.#displayName[s]!] || e.mhn,
      price: e.price,
      floatValue: Number.isNaN(f) ? null : f,
      paintSeed: seed < 0 ? null : seed,
      phase: ph === 0 ? null : PHASES[ph - 1]!,
      exterior: t.exterior,
      rarity: t.rarity,
      type: t.type,
      weapon: t.weapon,
      statTrak: t.statTrak,
      souvenir: t.souvenir,
      stickers: this.#stickerSets[this.#stickers[s]!]!.map((name, slot) => ({ name, slot })),
      iconUrl: this.#icons.values[this.#icon[s]!]!,
      tradableAt: lock > now ? new Date(lock).toISOString() : null,
      tradeLockDays: lockDaysLeft(lock, now),
    };
  }
}

/**
 * Merges a sorted batch into an order (dropping dead slots when there are any): each new slot's
 * place is found by binary search and the runs between are copied whole, so a batch of k new
 * items costs O(k log n) comparisons and one copy of the order.
 */
function mergeInto(
  old: Int32Array,
  state: Uint8Array,
  hasDead: boolean,
  batch: number[],
  cmp: (a: number, b: number) => number,
): Int32Array<ArrayBuffer> {
  let live: Int32Array = old;
  if (hasDead) {
    const kept = new Int32Array(old.length);
    let k = 0;
    for (let i = 0; i < old.length; i++) {
      const s = old[i]!;
      if (state[s]! & ALIVE) kept[k++] = s;
    }
    live = kept.subarray(0, k);
  }
  const out = new Int32Array(live.length + batch.length);
  let from = 0;
  let at = 0;
  for (const b of batch) {
    let lo = from;
    let hi = live.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cmp(live[mid]!, b) <= 0) lo = mid + 1;
      else hi = mid;
    }
    out.set(live.subarray(from, lo), at);
    at += lo - from;
    out[at++] = b;
    from = lo;
  }
  out.set(live.subarray(from), at);
  return out;
}

/** Names in a name-keyed sort: price ascending or descending, or stock descending; then by name. Unpriced last. */
function nameComparator(
  sort: NameSort,
  key: Float64Array,
  alpha: Int32Array,
): (a: number, b: number) => number {
  return (a, b) => nameKeyCmp(sort, key[a]!, key[b]!) || alpha[a]! - alpha[b]!;
}

function nameKeyCmp(sort: NameSort, ka: number, kb: number): number {
  if (sort === 'price-asc') {
    // Unpriced (-1) names last.
    if (ka < 0 || kb < 0) return ka < 0 && kb < 0 ? 0 : ka < 0 ? 1 : -1;
    return ka - kb;
  }
  return kb - ka;
}

function nameCursorCmp(sort: NameSort, key: Float64Array, names: NameEntry[]) {
  return (n: number, ck: number, cm: string) =>
    nameKeyCmp(sort, key[n]!, ck) || compareStrings(names[n]!.mhn, cm);
}

function groupKeyCmp(desc: boolean, a: number, b: number): number {
  if (a === b) return 0;
  // Missing keys (±Infinity) sort last either way.
  const ma = !Number.isFinite(a);
  const mb = !Number.isFinite(b);
  if (ma !== mb) return ma ? 1 : -1;
  return desc ? b - a : a - b;
}

/** The first rank of a price order at which `holds` stops holding (it holds for a prefix of it). */
function prefixEnd(o: NameOrder, holds: (price: number) => boolean): number {
  let lo = 0;
  let hi = o.names.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (holds(o.key[o.names[mid]!]!)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function lowerBound(sorted: string[], t: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * JSON with every character beyond ASCII written as a \u escape, held in V8's one-byte form: a
 * page joined from such fragments stays one-byte, which is measured and encoded for the socket
 * ~3× faster than a two-byte page (one ★ or ™ in a name makes the whole page two-byte, and a
 * string derived from a two-byte one stays two-byte even when all ASCII: hence the round trip
 * through latin1). Made once per fragment; a client parses the same strings.
 */
function asciiJson(v: unknown): string {
  const escaped = JSON.stringify(v).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return Buffer.from(escaped, 'latin1').toString('latin1');
}

function cached(map: Map<number, string>, id: number, make: () => string): string {
  let v = map.get(id);
  if (v === undefined) map.set(id, (v = make()));
  return v;
}
