import { ITEM_CATEGORIES, type ItemCategory } from '@platform/core';

/**
 * The site-inventory snapshot in Redis: one binary value per bot (sinv rewrites a bot's value
 * after each refresh of that bot, so an update never touches the others), read by anyone who
 * lists the site inventory quickly. MySQL stays the source of truth.
 *
 * Layout, version 1 (little endian):
 *   u8 version | u32 botId | u32 refreshedAt (unix s) | u8 flags (1 = stale)
 *   u16 nameCount | nameCount × (u16 byteLength, utf8 market_hash_name)
 *   u32 itemCount | itemCount × 23-byte records:
 *     u64 assetId | u16 nameIndex | u8 contextId | u8 flags (1 = tradable, 2 = casket)
 *     f32 float (NaN = none) | u16 paintSeed (0xffff = none) | u32 tradableAfter (unix s, 0 = none)
 *     u8 category (index in core's ITEM_CATEGORIES, for the spread)
 * Names repeat across a bot's items, so each is stored once per bot.
 *
 * Encoding is total: sinv writes MySQL first, so a value the format cannot hold must not throw
 * (that would fail every retry of the bot). Out-of-range values are written by these rules:
 * - paintSeed not an integer in 0..65534: none (CS2's seeds are 0..1000; 0xffff means none).
 * - tradableAfter (and refreshedAt) at or before 1970, or not a number: none (a hold that ended
 *   is no hold); after 2106-02-07 (u32 seconds): 0xffffffff, the format's last second, so a hold
 *   stays a hold; fractions of a second are dropped.
 * - category not one of core's ITEM_CATEGORIES: 'other'.
 * - a market_hash_name longer than 65535 UTF-8 bytes: cut at the last whole character.
 * - an item whose assetId is not a u64 in decimal or whose contextId does not fit a byte is
 *   left out (with it the header's count): no trade could name it. So are items bringing a
 *   65536th distinct name (a bot holds a few thousand items at most).
 * The packages/steam merge already keeps Steam's seeds and ids in these ranges; these rules
 * make the format safe for any caller.
 */
export const SNAPSHOT_VERSION = 1;
const RECORD = 23;
const NO_SEED = 0xffff;
const U32_MAX = 0xffff_ffff;
const U64 = /^\d{1,20}$/;
const U64_MAX = 2n ** 64n - 1n;
const OTHER = ITEM_CATEGORIES.indexOf('other');

function seedField(v: number | null): number {
  return v !== null && Number.isInteger(v) && v >= 0 && v < NO_SEED ? v : NO_SEED;
}

/** Unix seconds as u32, 0 = none. */
function secondsField(v: number | null): number {
  if (v === null || Number.isNaN(v) || v <= 0) return 0;
  return v >= U32_MAX ? U32_MAX : Math.floor(v);
}

function assetIdField(v: string): bigint | undefined {
  if (!U64.test(v)) return undefined;
  const n = BigInt(v);
  return n <= U64_MAX ? n : undefined;
}

/** UTF-8 bytes of a name, cut to what a u16 length can say, at a character boundary. */
function nameBytes(name: string): Buffer {
  const b = Buffer.from(name, 'utf8');
  if (b.length <= 0xffff) return b;
  let end = 0xffff;
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--; // back to the start of a character
  return b.subarray(0, end);
}

export interface SnapshotItem {
  assetId: string;
  category: ItemCategory;
  marketHashName: string;
  contextId: number;
  tradable: boolean;
  isCasket: boolean;
  floatValue: number | null;
  paintSeed: number | null;
  /** Unix seconds; null = tradable now. */
  tradableAfter: number | null;
}

export interface BotSnapshot {
  botId: number;
  refreshedAt: number;
  stale: boolean;
  items: SnapshotItem[];
}

export function encodeBotSnapshot(s: BotSnapshot): Buffer {
  const names = new Map<string, number>();
  const nameBufs: Buffer[] = [];
  const rows: Array<{ item: SnapshotItem; assetId: bigint; nameIndex: number }> = [];
  for (const item of s.items) {
    const assetId = assetIdField(item.assetId);
    if (
      assetId === undefined ||
      !Number.isInteger(item.contextId) ||
      item.contextId < 0 ||
      item.contextId > 0xff
    )
      continue;
    let nameIndex = names.get(item.marketHashName);
    if (nameIndex === undefined) {
      if (names.size === 0xffff) continue;
      nameIndex = names.size;
      names.set(item.marketHashName, nameIndex);
      nameBufs.push(nameBytes(item.marketHashName));
    }
    rows.push({ item, assetId, nameIndex });
  }
  let size = 1 + 4 + 4 + 1 + 2 + 4 + rows.length * RECORD;
  for (const b of nameBufs) size += 2 + b.length;
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  o = out.writeUInt8(SNAPSHOT_VERSION, o);
  o = out.writeUInt32LE(s.botId, o);
  o = out.writeUInt32LE(secondsField(s.refreshedAt), o);
  o = out.writeUInt8(s.stale ? 1 : 0, o);
  o = out.writeUInt16LE(nameBufs.length, o);
  for (const b of nameBufs) {
    o = out.writeUInt16LE(b.length, o);
    o += b.copy(out, o);
  }
  o = out.writeUInt32LE(rows.length, o);
  for (const { item, assetId, nameIndex } of rows) {
    o = out.writeBigUInt64LE(assetId, o);
    o = out.writeUInt16LE(nameIndex, o);
    o = out.writeUInt8(item.contextId, o);
    o = out.writeUInt8((item.tradable ? 1 : 0) | (item.isCasket ? 2 : 0), o);
    o = out.writeFloatLE(item.floatValue ?? Number.NaN, o);
    o = out.writeUInt16LE(seedField(item.paintSeed), o);
    o = out.writeUInt32LE(secondsField(item.tradableAfter), o);
    const category = ITEM_CATEGORIES.indexOf(item.category);
    o = out.writeUInt8(category < 0 ? OTHER : category, o);
  }
  return out;
}

export function decodeBotSnapshot(buf: Buffer): BotSnapshot {
  let o = 0;
  const version = buf.readUInt8(o);
  o += 1;
  if (version !== SNAPSHOT_VERSION) throw new Error(`unknown snapshot version ${version}`);
  const botId = buf.readUInt32LE(o);
  o += 4;
  const refreshedAt = buf.readUInt32LE(o);
  o += 4;
  const stale = buf.readUInt8(o) === 1;
  o += 1;
  const nameCount = buf.readUInt16LE(o);
  o += 2;
  const names: string[] = new Array<string>(nameCount);
  for (let i = 0; i < nameCount; i++) {
    const len = buf.readUInt16LE(o);
    o += 2;
    names[i] = buf.toString('utf8', o, o + len);
    o += len;
  }
  const count = buf.readUInt32LE(o);
  o += 4;
  const items: SnapshotItem[] = new Array<SnapshotItem>(count);
  for (let i = 0; i < count; i++) {
    const assetId = buf.readBigUInt64LE(o).toString();
    const nameIndex = buf.readUInt16LE(o + 8);
    const contextId = buf.readUInt8(o + 10);
    const flags = buf.readUInt8(o + 11);
    const f = buf.readFloatLE(o + 12);
    const seed = buf.readUInt16LE(o + 16);
    const after = buf.readUInt32LE(o + 18);
    const category = ITEM_CATEGORIES[buf.readUInt8(o + 22)] ?? 'other';
    o += RECORD;
    items[i] = {
      assetId,
      category,
      marketHashName: names[nameIndex] ?? '',
      contextId,
      tradable: (flags & 1) === 1,
      isCasket: (flags & 2) === 2,
      // f32 keeps Steam's own precision: paint wear is a float32 in the game.
      floatValue: Number.isNaN(f) ? null : f,
      paintSeed: seed === NO_SEED ? null : seed,
      tradableAfter: after === 0 ? null : after,
    };
  }
  return { botId, refreshedAt, stale, items };
}

/**
 * The item count of an encoded snapshot, read from its header (skipping the names) without
 * decoding a record: a page of the site inventory decodes only the bots it shows.
 */
export function botSnapshotItemCount(buf: Buffer): number {
  const version = buf.readUInt8(0);
  if (version !== SNAPSHOT_VERSION) throw new Error(`unknown snapshot version ${version}`);
  let o = 10;
  const nameCount = buf.readUInt16LE(o);
  o += 2;
  for (let i = 0; i < nameCount; i++) o += 2 + buf.readUInt16LE(o);
  return buf.readUInt32LE(o);
}
