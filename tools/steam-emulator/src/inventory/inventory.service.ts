// Inventory pages (steam.md §3.1). Serialized JSON fragments are cached per asset and per description so a
// 1000-item page is a string join, not 1000 JSON.stringify calls (target: ≥100 full pages/s).
import { lockedVariant } from '../world/descriptions.ts';
import type { Asset, ContextId, Description } from '../world/types.ts';
import { compareIds } from '../world/world.ts';
import type { World } from '../world/world.ts';

/** Lists are ordered by descending assetid; returns the index of the first asset older than `assetid`. */
function indexAfterSorted(list: Asset[], assetid: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareIds(list[mid]!.assetid, assetid) >= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export const MAX_COUNT = 1000;

const COMMA = Buffer.from(',');
const NON_ASCII = /[\u007f-\uffff]/;
const NON_ASCII_G = /[\u007f-\uffff]/g;

/** Steam escapes non-ASCII in its JSON (e.g. "StatTrak\u2122"); doing the same keeps bodies pure ASCII. */
export function encodeJson(value: unknown): Buffer {
  let json = JSON.stringify(value);
  if (NON_ASCII.test(json)) {
    json = json.replace(NON_ASCII_G, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  return Buffer.from(json, 'latin1');
}

interface AssetCache {
  instanceid: string;
  asset: string;
  props: string;
}

export interface PageResult {
  assets: Asset[];
  /** Emitted instanceid per asset (differs from asset.instanceid while the asset is untradable). */
  total: number;
  more: boolean;
  lastAssetid: string | undefined;
}

export interface InventoryPageOptions {
  startAssetid?: string;
  count: number;
  /** Owner sees context 16 and untradable items in context 2 (steam.md §3.1 visibility rules). */
  ownerView: boolean;
}

export class InventorySerializer {
  private readonly world: World;
  private readonly assetCache = new WeakMap<Asset, AssetCache>();
  private readonly descCache = new Map<string, Buffer>();
  private readonly lockedCache = new Map<string, { description: Description; json: Buffer }>();

  constructor(world: World) {
    this.world = world;
  }

  /** Pre-encodes every description so first reads of an inventory are as fast as repeated ones. */
  warm(): number {
    let n = 0;
    for (const [key, d] of this.world.descriptions) {
      if (!this.descCache.has(key)) {
        this.descCache.set(key, encodeJson(d));
        n++;
      }
    }
    return n;
  }

  /** Which description an asset shows right now: the locked variant while tradableAfter is in the future. */
  effectiveDescription(
    asset: Asset,
    now: number,
  ): { key: string; instanceid: string; json: Buffer; d: Description } {
    const base = this.world.description(asset);
    if (asset.tradableAfter > now) {
      const cacheKey = `${asset.descKey}@${asset.tradableAfter}`;
      let locked = this.lockedCache.get(cacheKey);
      if (locked === undefined) {
        const description = lockedVariant(base, asset.tradableAfter);
        locked = { description, json: encodeJson(description) };
        this.lockedCache.set(cacheKey, locked);
        // Make the variant resolvable by classid+instanceid (GetAssetClassInfo, offer descriptions).
        this.world.descriptions.set(`${description.classid}_${description.instanceid}`, description);
      }
      const d = locked.description;
      return { key: `${d.classid}_${d.instanceid}`, instanceid: d.instanceid, json: locked.json, d };
    }
    let json = this.descCache.get(asset.descKey);
    if (json === undefined) {
      json = encodeJson(base);
      this.descCache.set(asset.descKey, json);
    }
    return { key: asset.descKey, instanceid: asset.instanceid, json, d: base };
  }

  private fragments(asset: Asset, instanceid: string): AssetCache {
    let c = this.assetCache.get(asset);
    if (c === undefined || c.instanceid !== instanceid) {
      const head = `{"appid":730,"contextid":"${asset.contextid}","assetid":"${asset.assetid}"`;
      let props = '';
      const p: string[] = [];
      if (asset.props.paintSeed !== undefined)
        p.push(`{"propertyid":1,"int_value":"${asset.props.paintSeed}"}`);
      if (asset.props.paintWear !== undefined)
        p.push(`{"propertyid":2,"float_value":${asset.props.paintWear}}`);
      if (p.length > 0) props = `${head},"asset_properties":[${p.join(',')}]}`;
      c = {
        instanceid,
        asset: `${head},"classid":"${asset.classid}","instanceid":"${instanceid}","amount":"${asset.amount}"}`,
        props,
      };
      this.assetCache.set(asset, c);
    }
    return c;
  }

  /** Whether a viewer sees this asset (steam.md §3.1 visibility rules, as `visible` applies them). */
  isVisible(asset: Asset, ownerView: boolean, now: number): boolean {
    return ownerView || (asset.contextid === '2' && asset.tradableAfter <= now);
  }

  /** Visible assets for this viewer, in cursor order. */
  visible(
    steamid: string,
    contextid: ContextId,
    ownerView: boolean,
    now: number,
  ): { list: Asset[]; total: number } {
    const inv = this.world.inventory(steamid, contextid);
    const all = inv.list();
    if (ownerView) return { list: all, total: all.length };
    if (contextid === '16') return { list: [], total: 0 };
    // Non-owners do not see trade-locked items but total_inventory_count still counts them (steam.md §3.1,
    // "success:1 with no assets but total_inventory_count > 0").
    let anyLocked = false;
    for (const a of all) {
      if (a.tradableAfter > now) {
        anyLocked = true;
        break;
      }
    }
    return { list: anyLocked ? all.filter((a) => a.tradableAfter <= now) : all, total: all.length };
  }

  page(steamid: string, contextid: ContextId, opts: InventoryPageOptions): PageResult {
    const now = this.world.clock.now();
    const { list, total } = this.visible(steamid, contextid, opts.ownerView, now);
    let start = 0;
    if (opts.startAssetid !== undefined) {
      // Cursor: first asset after start_assetid in list order.
      const inv = this.world.inventory(steamid, contextid);
      start =
        list.length === inv.size
          ? inv.indexAfter(opts.startAssetid)
          : indexAfterSorted(list, opts.startAssetid);
    }
    const assets = list.slice(start, start + opts.count);
    const more = start + assets.length < list.length;
    return { assets, total, more, lastAssetid: assets.at(-1)?.assetid };
  }

  /** Community /inventory JSON body (steam.md §3.1), assembled from pre-encoded buffers. */
  communityJson(page: PageResult): Buffer {
    return Buffer.concat(this.communityParts(page));
  }

  /** The body as buffers to write in order (avoids one 1.8 MB concat per page: less GC under load). */
  communityParts(page: PageResult): Buffer[] {
    if (page.assets.length === 0) {
      return [Buffer.from(`{"total_inventory_count":${page.total},"success":1,"rwgrsn":-2}`)];
    }
    const { assets, descriptions, props } = this.parts(page.assets);
    let tail = '';
    if (props.length > 0) tail += `,"asset_properties":[${props}]`;
    if (page.more) tail += `,"more_items":1,"last_assetid":"${page.lastAssetid}"`;
    tail += `,"total_inventory_count":${page.total},"success":1,"rwgrsn":-2}`;
    return [
      Buffer.from(`{"assets":[${assets}],"descriptions":[`, 'latin1'),
      ...descriptions,
      Buffer.from(`]${tail}`, 'latin1'),
    ];
  }

  /**
   * IEconService/GetInventoryItemsWithDescriptions body (steam.md §3.3). `missing` are requested assetids the
   * viewer cannot see in that context: `missing_assets` as CEcon_Asset with `missing: true` (only the ids are known).
   */
  webapiJson(
    page: PageResult,
    withDescriptions: boolean,
    withProps: boolean,
    missing: { contextid: ContextId; assetids: string[] } = { contextid: '2', assetids: [] },
  ): Buffer {
    const { assets, descriptions, props } = this.parts(page.assets);
    let tail = '';
    if (missing.assetids.length > 0) {
      const list = missing.assetids.map((id) => ({
        appid: 730,
        contextid: missing.contextid,
        assetid: id,
        missing: true,
      }));
      tail += `,"missing_assets":${JSON.stringify(list)}`;
    }
    if (withProps && props.length > 0) tail += `,"asset_properties":[${props}]`;
    if (page.more) tail += `,"more_items":1,"last_assetid":"${page.lastAssetid}"`;
    tail += `,"total_inventory_count":${page.total}}}`;
    const parts: Buffer[] = [Buffer.from(`{"response":{"assets":[${assets}]`, 'latin1')];
    if (withDescriptions)
      parts.push(Buffer.from(',"descriptions":[', 'latin1'), ...descriptions, Buffer.from(']', 'latin1'));
    parts.push(Buffer.from(tail, 'latin1'));
    return Buffer.concat(parts);
  }

  /** Asset and property fragments are ASCII strings; descriptions are cached buffers separated by commas. */
  private parts(list: Asset[]): { assets: string; descriptions: Buffer[]; props: string } {
    const now = this.world.clock.now();
    const assets: string[] = new Array<string>(list.length);
    const props: string[] = [];
    const seen = new Set<string>();
    const descriptions: Buffer[] = [];
    for (let i = 0; i < list.length; i++) {
      const asset = list[i]!;
      const d = this.effectiveDescription(asset, now);
      const f = this.fragments(asset, d.instanceid);
      assets[i] = f.asset;
      if (f.props !== '') props.push(f.props);
      if (!seen.has(d.key)) {
        seen.add(d.key);
        if (descriptions.length > 0) descriptions.push(COMMA);
        descriptions.push(d.json);
      }
    }
    return { assets: assets.join(','), descriptions, props: props.join(',') };
  }
}
