import { CompiledQuery, sql, type Kysely } from 'kysely';
import { categoryOf } from '@platform/core';
import type { MainDatabase, PricingDatabase } from '@platform/db';
import { mergePage, type RawInventoryPage } from '@platform/steam';
import { generateWorld, priceFeed, type World } from '@platform/steam-emulator';

/**
 * A world large enough to measure (issue 10: the seed's 400 bots × 1000 items): the emulator's
 * world generator (real CS2 names, rarities, wear ranges, floats, paint seeds, sticker sets,
 * trade locks on ~9% of items) read through the platform's own Steam parsing (mergePage), written
 * to MySQL as sinv writes a bot's refresh, with the emulator's price feed in the pricing
 * database and a share of the items reserved by pending trades of one world user.
 *
 * Doppler phases: the emulator's world has one item per Doppler skin, where Steam has one per
 * phase (paint index). The loader gives each Doppler asset a phase drawn from its asset id, with
 * Steam's rough odds, and writes it into the asset's name as Steam's newer descriptions do.
 */
export interface WorldOptions {
  items: number;
  bots: number;
  /** Share of items reserved by pending trades (0..1). */
  reservedShare: number;
  seed?: number;
  /** Reservations end this far ahead (the sweeper leaves them alone until then). */
  reservedForMs?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface WorldReport {
  bots: number;
  items: number;
  reserved: number;
  locked: number;
  names: number;
  ms: number;
}

const ACCOUNT_PREFIX = 'worldbot';
const WORLD_USER_STEAM_ID = '76561199999000001';

const DOPPLER = [
  ['Phase 1', 24],
  ['Phase 2', 24],
  ['Phase 3', 24],
  ['Phase 4', 24],
  ['Ruby', 1.5],
  ['Sapphire', 1.5],
  ['Black Pearl', 1],
] as const;
const GAMMA = [
  ['Phase 1', 24],
  ['Phase 2', 24],
  ['Phase 3', 24],
  ['Phase 4', 24],
  ['Emerald', 4],
] as const;

function phaseFor(marketHashName: string, assetId: string): string | null {
  const table = marketHashName.includes('Gamma Doppler')
    ? GAMMA
    : marketHashName.includes('Doppler')
      ? DOPPLER
      : null;
  if (!table) return null;
  let h = 2166136261;
  for (const c of assetId) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  let r = (h / 4294967296) * 100;
  for (const [name, w] of table) {
    r -= w;
    if (r <= 0) return name;
  }
  return 'Phase 1';
}

const COLUMNS = [
  'asset_id',
  'context_id',
  'bot_id',
  'class_id',
  'instance_id',
  'market_hash_name',
  'name',
  'type',
  'rarity',
  'category',
  'exterior',
  'float_value',
  'paint_seed',
  'stickers',
  'attributes',
  'tradable_after',
  'tradable',
] as const;
const ROW = `(${COLUMNS.map(() => '?').join(',')})`;

/** Rows already there from an earlier load (its bots by account name, their items, the world user's trades). */
export async function removeWorld(db: Kysely<MainDatabase>): Promise<void> {
  const user = await db
    .selectFrom('users')
    .select('id')
    .where('steam_id', '=', WORLD_USER_STEAM_ID)
    .executeTakeFirst();
  if (user) {
    const trades = db.selectFrom('trades').select('id').where('user_id', '=', user.id);
    await db.deleteFrom('reservations').where('trade_id', 'in', trades).execute();
    await db.deleteFrom('trades').where('user_id', '=', user.id).execute();
  }
  const bots = (
    await db.selectFrom('bots').select('id').where('account_name', 'like', `${ACCOUNT_PREFIX}%`).execute()
  ).map((b) => b.id);
  for (const id of bots) await db.deleteFrom('items').where('bot_id', '=', id).execute();
  if (bots.length) await db.deleteFrom('bots').where('id', 'in', bots).execute();
}

export async function loadWorld(
  db: Kysely<MainDatabase>,
  pricing: Kysely<PricingDatabase>,
  o: WorldOptions,
): Promise<WorldReport> {
  const t0 = performance.now();
  const now = new Date();
  const perBot = Math.ceil(o.items / o.bots);
  // The generator puts a storage unit in every bot's inventory: one more per bot keeps the count.
  const world = generateWorld({
    seed: o.seed ?? 42,
    bots: o.bots,
    itemsPerBot: perBot + 1,
    users: 0,
    userItemsMin: 0,
    userItemsMax: 0,
    epoch: Math.floor(now.getTime() / 1000),
  });
  await writePrices(pricing, world);
  const botIds = await writeBots(db, world, perBot);
  let written = 0;
  let locked = 0;
  const assets: string[] = [];
  const names = new Set<string>();
  for (const [i, bot] of world.bots().entries()) {
    const botId = botIds[i]!;
    const items = botItems(world, bot.steamid, now).slice(0, Math.min(perBot, o.items - written));
    const classes = new Map<string, string>();
    for (let k = 0; k < items.length; k += 1000) {
      const chunk = items.slice(k, k + 1000);
      const values: unknown[] = [];
      for (const it of chunk) {
        const phase = phaseFor(it.marketHashName, it.assetId);
        const name = !phase
          ? it.name
          : / \([^)]*\)$/.test(it.name)
            ? it.name.replace(/ \(([^)]*)\)$/, ` ${phase} ($1)`)
            : `${it.name} ${phase}`;
        if (it.tradableAfter) locked++;
        if (it.iconUrl) classes.set(it.classId, it.iconUrl);
        names.add(it.marketHashName);
        assets.push(it.assetId);
        values.push(
          it.assetId,
          it.contextId === '16' ? 16 : 2,
          botId,
          it.classId,
          it.instanceId,
          it.marketHashName,
          name.slice(0, 255),
          it.type.slice(0, 128),
          it.rarity.slice(0, 64),
          categoryOf(it.typeTag),
          it.exterior,
          it.floatValue,
          it.paintSeed,
          it.stickers.length > 0 ? JSON.stringify(it.stickers) : null,
          JSON.stringify({
            ...(it.typeTag ? { typeTag: it.typeTag } : {}),
            ...(it.weapon ? { weapon: it.weapon } : {}),
            ...(it.quality ? { quality: it.quality } : {}),
          }),
          it.tradableAfter,
          it.tradable ? 1 : 0,
        );
      }
      await db.executeQuery(
        CompiledQuery.raw(
          `INSERT INTO items (${COLUMNS.join(', ')}) VALUES ${new Array<string>(chunk.length).fill(ROW).join(',')}`,
          values,
        ),
      );
      written += chunk.length;
      o.onProgress?.(written, o.items);
    }
    if (classes.size > 0)
      await db
        .insertInto('item_classes')
        .values([...classes].map(([class_id, icon_url]) => ({ class_id, icon_url: icon_url.slice(0, 512) })))
        .onDuplicateKeyUpdate({ icon_url: sql`VALUES(icon_url)` })
        .execute();
    await db
      .updateTable('bots')
      .set({ item_count: items.length, inventory_refreshed_at: now })
      .where('id', '=', botId)
      .execute();
    if (written >= o.items) break;
  }
  const reserved = await reserve(
    db,
    assets,
    o.reservedShare,
    new Date(now.getTime() + (o.reservedForMs ?? 30 * 86_400_000)),
  );
  return {
    bots: botIds.length,
    items: written,
    reserved,
    locked,
    names: names.size,
    ms: performance.now() - t0,
  };
}

/** A bot's items as sinv reads them: the emulator's assets and descriptions through mergePage. */
function botItems(world: World, steamId: string, now: Date) {
  const out = [];
  for (const contextId of ['2', '16'] as const) {
    const list = world.inventory(steamId, contextId).list();
    const page: RawInventoryPage = { assets: [], descriptions: [], asset_properties: [] };
    const seen = new Set<string>();
    for (const a of list) {
      const d = world.description(a);
      page.assets!.push({
        appid: 730,
        contextid: contextId,
        assetid: a.assetid,
        classid: a.classid,
        instanceid: a.instanceid,
        amount: '1',
      });
      const key = `${a.classid}_${a.instanceid}`;
      if (!seen.has(key)) {
        seen.add(key);
        page.descriptions!.push(d);
      }
      const props = [];
      if (a.props.paintSeed !== undefined)
        props.push({ propertyid: 1, int_value: String(a.props.paintSeed) });
      if (a.props.paintWear !== undefined) props.push({ propertyid: 2, float_value: a.props.paintWear });
      if (props.length) page.asset_properties!.push({ assetid: a.assetid, asset_properties: props });
    }
    const lockOf = new Map(list.map((a) => [a.assetid, a.tradableAfter]));
    for (const item of mergePage(page, contextId, now, steamId)) {
      if (item.isCasket) continue;
      // The emulator describes a locked asset by a locked variant of its description; the lock
      // end is the asset's own (steam.md §4.8: cooldowns and trade protection).
      const until = (lockOf.get(item.assetId) ?? 0) * 1000;
      if (until > now.getTime()) {
        item.tradableAfter = new Date(until);
        item.tradable = false;
      }
      out.push(item);
    }
  }
  return out;
}

async function writePrices(pricing: Kysely<PricingDatabase>, world: World): Promise<void> {
  const rows = priceFeed(world);
  for (let i = 0; i < rows.length; i += 1000)
    await pricing
      .insertInto('prices')
      .values(
        rows
          .slice(i, i + 1000)
          .map((r) => ({ market_hash_name: r.market_hash_name, price: String(r.price), source: 'world' })),
      )
      .onDuplicateKeyUpdate({ price: sql`VALUES(price)`, source: sql`VALUES(source)` })
      .execute();
}

async function writeBots(db: Kysely<MainDatabase>, world: World, perBot: number): Promise<number[]> {
  const bots = world.bots();
  await db
    .insertInto('bots')
    .values(
      bots.map((b) => ({
        steam_id: b.steamid,
        account_name: `${ACCOUNT_PREFIX}${b.accountName.replace(/^bot/, '')}`,
        display_name: b.persona,
        capacity: Math.max(1000, perBot * 2),
      })),
    )
    .execute();
  const rows = await db
    .selectFrom('bots')
    .select(['id', 'steam_id'])
    .where(
      'steam_id',
      'in',
      bots.map((b) => b.steamid),
    )
    .execute();
  const byId = new Map(rows.map((r) => [r.steam_id, r.id]));
  return bots.map((b) => byId.get(b.steamid)!);
}

/** Pending withdrawals of the world user, 50 items each, holding `share` of the items. */
async function reserve(
  db: Kysely<MainDatabase>,
  assets: string[],
  share: number,
  until: Date,
): Promise<number> {
  const count = Math.round(assets.length * share);
  if (count === 0) return 0;
  const existing = await db
    .selectFrom('users')
    .select('id')
    .where('steam_id', '=', WORLD_USER_STEAM_ID)
    .executeTakeFirst();
  const userId =
    existing?.id ??
    String(
      (
        await db
          .insertInto('users')
          .values({ steam_id: WORLD_USER_STEAM_ID, persona_name: 'World loader' })
          .executeTakeFirstOrThrow()
      ).insertId,
    );
  // Every k-th item, so reserved items spread over every bot and name.
  const step = assets.length / count;
  const picked = Array.from({ length: count }, (_, i) => assets[Math.floor(i * step)]!);
  for (let i = 0; i < picked.length; i += 50) {
    const chunk = picked.slice(i, i + 50);
    const t = await db
      .insertInto('trades')
      .values({
        user_id: userId,
        kind: 'withdraw',
        state: 'pending',
        idempotency_key: `world:${Date.now()}:${i}`,
        user_gives_value: '0',
        user_receives_value: '0',
        balance_hold: '0',
        balance_delta: '0',
        expires_at: until,
      })
      .executeTakeFirstOrThrow();
    await db
      .insertInto('reservations')
      .values(chunk.map((asset_id) => ({ asset_id, trade_id: String(t.insertId), reserved_until: until })))
      .execute();
  }
  return count;
}
