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
 */
export const SNAPSHOT_VERSION = 1;
const RECORD = 23;
const NO_SEED = 0xffff;

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
  for (const item of s.items) {
    if (!names.has(item.marketHashName)) {
      names.set(item.marketHashName, names.size);
      nameBufs.push(Buffer.from(item.marketHashName, 'utf8'));
    }
  }
  if (names.size > 0xffff) throw new Error('too many names for one bot snapshot');
  let size = 1 + 4 + 4 + 1 + 2 + 4 + s.items.length * RECORD;
  for (const b of nameBufs) size += 2 + b.length;
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  o = out.writeUInt8(SNAPSHOT_VERSION, o);
  o = out.writeUInt32LE(s.botId, o);
  o = out.writeUInt32LE(s.refreshedAt, o);
  o = out.writeUInt8(s.stale ? 1 : 0, o);
  o = out.writeUInt16LE(nameBufs.length, o);
  for (const b of nameBufs) {
    o = out.writeUInt16LE(b.length, o);
    o += b.copy(out, o);
  }
  o = out.writeUInt32LE(s.items.length, o);
  for (const item of s.items) {
    o = out.writeBigUInt64LE(BigInt(item.assetId), o);
    o = out.writeUInt16LE(names.get(item.marketHashName) ?? 0, o);
    o = out.writeUInt8(item.contextId, o);
    o = out.writeUInt8((item.tradable ? 1 : 0) | (item.isCasket ? 2 : 0), o);
    o = out.writeFloatLE(item.floatValue ?? Number.NaN, o);
    o = out.writeUInt16LE(item.paintSeed ?? NO_SEED, o);
    o = out.writeUInt32LE(item.tradableAfter ?? 0, o);
    o = out.writeUInt8(Math.max(0, ITEM_CATEGORIES.indexOf(item.category)), o);
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
