import type {
  InventoryContext,
  RawAsset,
  RawAssetProperty,
  RawDescription,
  RawInventoryPage,
  SteamItem,
} from './inventory.types.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_FIRST = /Tradable\/Marketable After (\d{1,2}) ([A-Z][a-z]{2}) @ (\d{1,2}):(\d{2})(am|pm)/;
const LEGACY = /Tradable\/Marketable After ([A-Z][a-z]{2}) (\d{1,2}), (\d{4}) \((\d{1,2}):(\d{2}):(\d{2})\)/;
const MONTH_MS = 31 * 86_400_000;
const YEAR_MS = 365 * 86_400_000;

/**
 * The trade cooldown end from an owner description line (steam.md §3.2). Steam writes it in GMT,
 * day-first without a year ("17 Jul @ 3:00am") or in the legacy form ("Jul 11, 2025 (2:00:00)").
 * Cooldowns and trade protection last days, not months (steam.md §4.8), so a day-first date more
 * than a month in the past belongs to next year (a January lock read in December), and one more
 * than eleven months ahead to last year.
 */
export function parseTradableAfter(text: string, now: Date): Date | null {
  const d = DAY_FIRST.exec(text);
  if (d) {
    const month = MONTHS.indexOf(d[2] ?? '');
    if (month < 0) return null;
    let hour = Number(d[3]) % 12;
    if (d[5] === 'pm') hour += 12;
    const year = now.getUTCFullYear();
    let at = Date.UTC(year, month, Number(d[1]), hour, Number(d[4]));
    if (at < now.getTime() - MONTH_MS) at = Date.UTC(year + 1, month, Number(d[1]), hour, Number(d[4]));
    // Nor is a date eleven months ahead: "30 Dec" read on 2 Jan (a line not yet cleared) is last year's.
    else if (at > now.getTime() + YEAR_MS - MONTH_MS)
      at = Date.UTC(year - 1, month, Number(d[1]), hour, Number(d[4]));
    return new Date(at);
  }
  const l = LEGACY.exec(text);
  if (l) {
    const month = MONTHS.indexOf(l[1] ?? '');
    if (month < 0) return null;
    return new Date(Date.UTC(Number(l[3]), month, Number(l[2]), Number(l[4]), Number(l[5]), Number(l[6])));
  }
  return null;
}

/** The latest instant MySQL's DATETIME holds; a later cooldown end is stored as this (still a hold). */
export const MAX_DATE_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const U64 = /^\d{1,20}$/;
const U64_MAX = 2n ** 64n - 1n;

/** Steam's asset, class and instance ids are unsigned 64-bit numbers in decimal. */
export function isU64(v: string | undefined): boolean {
  return v !== undefined && U64.test(v) && BigInt(v) <= U64_MAX;
}

/** Whether an asset can be handled at all: an id that is no 64-bit number cannot be stored or traded. */
export function hasUsableIds(a: RawAsset): boolean {
  return isU64(a.assetid) && isU64(a.classid) && (a.instanceid === undefined || isU64(a.instanceid));
}

/**
 * A paint seed, or null. CS2's pattern templates are 0..1000; the seed is stored as a 16-bit
 * column and snapshot field (0xffff = none), so anything that is not an integer in 0..65534
 * is no seed we can use, and is none rather than an error that would fail the bot's refresh.
 */
export function paintSeedOf(v: number | null): number | null {
  return v !== null && Number.isInteger(v) && v >= 0 && v <= 0xfffe ? v : null;
}

/**
 * A cooldown end as the platform stores it: one before 1970 has ended (none); one after what
 * MySQL's DATETIME holds (9999) is kept as a hold until then, never dropped (the safe side).
 */
export function holdOf(d: Date | null): Date | null {
  if (d === null || Number.isNaN(d.getTime()) || d.getTime() < 0) return null;
  return d.getTime() > MAX_DATE_MS ? new Date(MAX_DATE_MS) : d;
}

/** Steam sends int64 property values as strings and floats as numbers; accept either (steam.md §3.1). */
function num(v: string | number | undefined): number | null {
  if (v === undefined) return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

const STICKER_LINE = /Sticker: ([^<]*)/;

function stickersOf(d: RawDescription): string[] {
  for (const line of d.descriptions ?? []) {
    if (line.name !== 'sticker_info' || !line.value) continue;
    const m = STICKER_LINE.exec(line.value);
    if (m?.[1]) {
      return m[1]
        .split(', ')
        .map((s) => s.trim())
        .filter(Boolean);
    }
  }
  return [];
}

function tag(d: RawDescription, category: string) {
  return d.tags?.find((t) => t.category === category);
}

/**
 * Builds items as asset ⊕ description, the way node-steamcommunity does (steam.md §3.1): the
 * description never overwrites asset fields, 0/1 flags become booleans, instanceid defaults to
 * "0", and asset_properties (1 = paint seed, 2 = float, per fixtures; UNVERIFIED) are attached.
 * An asset whose description is missing is skipped: without a market_hash_name it cannot be
 * priced or named, and Steam lists it again on the next read. So is one whose ids are not 64-bit
 * numbers (hasUsableIds): it could be neither stored nor traded. Paint seeds and cooldown ends
 * are brought into the ranges the platform stores (paintSeedOf, holdOf), so no value Steam sends
 * can fail a bot's refresh.
 */
export function mergePage(
  page: RawInventoryPage,
  contextId: InventoryContext,
  now: Date,
  ownerSteamId = '',
): SteamItem[] {
  const descriptions = new Map<string, RawDescription>();
  for (const d of page.descriptions ?? []) descriptions.set(`${d.classid}_${d.instanceid ?? '0'}`, d);
  const props = new Map<string, RawAssetProperty[]>();
  for (const p of page.asset_properties ?? []) props.set(p.assetid, p.asset_properties ?? []);
  const items: SteamItem[] = [];
  for (const a of page.assets ?? []) {
    const item = mergeAsset(
      ownerSteamId,
      a,
      descriptions.get(`${a.classid}_${a.instanceid ?? '0'}`),
      props.get(a.assetid),
      contextId,
      now,
    );
    if (item) items.push(item);
  }
  return items;
}

function mergeAsset(
  ownerSteamId: string,
  a: RawAsset,
  d: RawDescription | undefined,
  properties: RawAssetProperty[] | undefined,
  contextId: InventoryContext,
  now: Date,
): SteamItem | null {
  if (!d?.market_hash_name || !hasUsableIds(a)) return null;
  let paintSeed: number | null = null;
  let floatValue: number | null = null;
  for (const p of properties ?? []) {
    if (p.propertyid === 1) paintSeed = paintSeedOf(num(p.int_value));
    else if (p.propertyid === 2) floatValue = num(p.float_value);
  }
  let tradableAfter: Date | null = null;
  for (const line of d.owner_descriptions ?? []) {
    if (line.value?.includes('Tradable/Marketable After')) {
      tradableAfter = parseTradableAfter(line.value, now);
      break;
    }
  }
  if (!tradableAfter && d.item_expiration) {
    const t = new Date(d.item_expiration);
    if (!Number.isNaN(t.getTime())) tradableAfter = t;
  }
  const typeTag = tag(d, 'Type')?.internal_name ?? null;
  const rarity = tag(d, 'Rarity');
  const inspect = d.actions?.[0]?.link;
  return {
    assetId: a.assetid,
    contextId,
    classId: a.classid,
    instanceId: a.instanceid ?? '0',
    amount: Number(a.amount) || 1,
    marketHashName: d.market_hash_name,
    name: d.name ?? d.market_hash_name,
    type: d.type ?? '',
    typeTag,
    weapon: tag(d, 'Weapon')?.localized_tag_name ?? null,
    quality: tag(d, 'Quality')?.localized_tag_name ?? null,
    rarity: rarity?.localized_tag_name ?? '',
    rarityColor: rarity?.color ?? null,
    exterior: tag(d, 'Exterior')?.localized_tag_name ?? null,
    iconUrl: d.icon_url ?? '',
    nameColor: d.name_color ?? null,
    tradable: d.tradable === 1,
    marketable: d.marketable === 1,
    tradableAfter: holdOf(tradableAfter),
    floatValue,
    paintSeed,
    stickers: stickersOf(d),
    inspectLink: inspect
      ? inspect.replace('%assetid%', a.assetid).replace('%owner_steamid%', ownerSteamId)
      : null,
    // Storage units are Tool items named "Storage Unit" (steam.md §8); they hold items the web inventory never lists.
    isCasket: typeTag === 'CSGO_Type_Tool' && d.market_hash_name === 'Storage Unit',
  };
}
