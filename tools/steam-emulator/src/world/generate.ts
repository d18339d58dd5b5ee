// Deterministic world generation: same GenerationParams (incl. epoch) ⇒ same accounts, assetids and items.
// This is what lets persistence store only params plus what changed (see persistence.ts).
import { createHmac } from 'node:crypto';
import { loadCatalog, souvenirCapable } from './catalog.ts';
import type { Catalog, CatalogItem } from './catalog.ts';
import { buildDescription, specKey, wearIndex } from './descriptions.ts';
import type { Account, AccountKind, Asset, ContextId, DescriptionSpec, GenerationParams } from './types.ts';
import { mulberry32, hash32, steamidFromAccountId, World } from './world.ts';

export const DEFAULT_PARAMS: GenerationParams = {
  seed: 42,
  bots: 4,
  itemsPerBot: 200,
  users: 10,
  userItemsMin: 20,
  userItemsMax: 200,
  epoch: 0,
};

/** Bots' account ids start here, users' at USER_ACCOUNT_BASE (arbitrary, inside the individual range). */
const BOT_ACCOUNT_BASE = 1_100_000_000;
const USER_ACCOUNT_BASE = 1_200_000_000;
const DAY = 86400;
const TOKEN_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

// Weighted draw of weapon rarities, roughly case odds skewed toward low tiers as inventories are.
const WEAPON_RARITY_WEIGHTS: Array<[string, number]> = [
  ['#b0c3d9', 20],
  ['#5e98d9', 20],
  ['#4b69ff', 30],
  ['#8847ff', 15],
  ['#d32ce6', 8],
  ['#eb4b4b', 4],
  ['#e4ae39', 0.05],
];

export type Progress = (done: number, total: number) => void;

function bytesFrom(seed: number, label: string, n: number): Buffer {
  const out = Buffer.alloc(n);
  let block = 0;
  let off = 0;
  while (off < n) {
    const h = createHmac('sha256', String(seed)).update(`${label}:${block++}`).digest();
    off += h.copy(out, off, 0, Math.min(h.length, n - off));
  }
  return out;
}

function makeAccount(world: World, kind: AccountKind, index: number, seed: number): Account {
  const accountId = (kind === 'bot' ? BOT_ACCOUNT_BASE : USER_ACCOUNT_BASE) + index;
  const steamid = steamidFromAccountId(accountId);
  const label = `${kind}:${index}`;
  const tokenBytes = bytesFrom(seed, `${label}:trade`, 8);
  const tradeToken = [...tokenBytes].map((b) => TOKEN_CHARS[b % TOKEN_CHARS.length]).join('');
  // Every bot has a mobile authenticator; so do users except every fifth, who confirm trades by e-mail and have
  // them held (steam.md §4.8), so a default world has both kinds.
  const authenticator = kind === 'bot' || index % 5 !== 4;
  const name =
    kind === 'bot' ? `bot${String(index + 1).padStart(4, '0')}` : `user${String(index + 1).padStart(5, '0')}`;
  const account: Account = {
    kind,
    steamid,
    accountId,
    accountName: name,
    password: bytesFrom(seed, `${label}:password`, 9).toString('base64url'),
    persona: kind === 'bot' ? `Platform Bot ${index + 1}` : `Player ${index + 1}`,
    avatarUrl: `https://avatars.fastly.steamstatic.com/${bytesFrom(seed, `${label}:avatar`, 20).toString('hex')}`,
    tradeToken,
    apiKey: bytesFrom(seed, `${label}:apikey`, 16).toString('hex').toUpperCase(),
    accessToken: '',
    accessTokenExpires: 0,
    refreshToken: '',
    refreshTokenExpires: 0,
    sharedSecret: authenticator ? bytesFrom(seed, `${label}:shared`, 20).toString('base64') : '',
    identitySecret: authenticator ? bytesFrom(seed, `${label}:identity`, 20).toString('base64') : '',
    authenticatorSince: 0,
    privateInventory: false,
    tradeBannedUntil: 0,
    restrictedUntil: 0,
    escrowDays: 0,
    tradeProtectionAcknowledged: true,
  };
  world.addAccount(account);
  world.renewAccessToken(account);
  world.renewRefreshToken(account);
  return account;
}

interface Generator {
  world: World;
  catalog: Catalog;
  rand: () => number;
  stickerPool: CatalogItem[];
  /** Applied sticker sets; a small fixed set bounds the number of distinct instanceids. */
  stickerCombos: number[][];
  epoch: number;
  specToKey: Map<string, { descKey: string; classid: string; instanceid: string }>;
}

function pick<T>(rand: () => number, list: T[]): T {
  const v = list[Math.floor(rand() * list.length)];
  if (v === undefined) throw new Error('empty pick list');
  return v;
}

function pickWeapon(g: Generator): CatalogItem {
  let total = 0;
  for (const [, w] of WEAPON_RARITY_WEIGHTS) total += w;
  let r = g.rand() * total;
  for (const [rarity, w] of WEAPON_RARITY_WEIGHTS) {
    r -= w;
    if (r <= 0) {
      const list = g.catalog.weaponsByRarity.get(rarity);
      if (list !== undefined && list.length > 0) return pick(g.rand, list);
    }
  }
  return pick(g.rand, g.catalog.weaponsByRarity.get('#4b69ff') ?? []);
}

function descriptionFor(
  g: Generator,
  spec: DescriptionSpec,
): { descKey: string; classid: string; instanceid: string } {
  const key = specKey(spec);
  let entry = g.specToKey.get(key);
  if (entry === undefined) {
    const { description, meta } = buildDescription(spec);
    const descKey = `${description.classid}_${description.instanceid}`;
    g.world.descriptions.set(descKey, description);
    g.world.descriptionMeta.set(descKey, meta);
    entry = { descKey, classid: description.classid, instanceid: description.instanceid };
    g.specToKey.set(key, entry);
  }
  return entry;
}

/** Draws one random item (not a casket) and returns the asset without id/context. */
function randomItem(g: Generator): Omit<Asset, 'assetid' | 'contextid' | 'tradableAfter'> {
  const r = g.rand();
  let item: CatalogItem;
  if (r < 0.62) item = pickWeapon(g);
  else if (r < 0.64) item = pick(g.rand, g.catalog.knives);
  else if (r < 0.655) item = pick(g.rand, g.catalog.gloves);
  else if (r < 0.8) item = pick(g.rand, g.stickerPool);
  else if (r < 0.92) item = pick(g.rand, g.catalog.cases);
  else if (r < 0.96) item = pick(g.rand, g.catalog.agents);
  else item = pick(g.rand, g.catalog.charms);
  const skin = item.kind === 'weapon' || item.kind === 'knife' || item.kind === 'glove';
  let wear = -1;
  const props: Asset['props'] = {};
  let statTrak = false;
  let souvenir = false;
  const stickers: number[] = [];
  if (skin) {
    const float = item.wearMin + g.rand() * (item.wearMax - item.wearMin);
    props.paintWear = Math.round(float * 1e9) / 1e9;
    props.paintSeed = Math.floor(g.rand() * 1001);
    wear = wearIndex(float);
    if (item.statTrakable && g.rand() < 0.1) statTrak = true;
    else if (souvenirCapable(item) && g.rand() < 0.04) souvenir = true;
    if (item.kind === 'weapon' && g.rand() < 0.12) stickers.push(...pick(g.rand, g.stickerCombos));
  }
  const d = descriptionFor(g, { itemId: item.id, wear, statTrak, souvenir, stickers });
  return { descKey: d.descKey, classid: d.classid, instanceid: d.instanceid, amount: 1, props };
}

function fillInventory(g: Generator, account: Account, count: number, protectedShare: number): void {
  const { world, rand, epoch } = g;
  for (let i = 0; i < count; i++) {
    const base = randomItem(g);
    const roll = rand();
    let contextid: ContextId = '2';
    let tradableAfter = 0;
    if (roll < protectedShare) {
      // Received in a trade within the last 7 days: trade protected (steam.md §4.8), context 16.
      contextid = '16';
      tradableAfter = epoch + Math.floor(1 + rand() * 7) * DAY;
    } else if (roll < protectedShare + 0.06) {
      // Market/in-game purchase cooldown (market_tradable_restriction 7, steam.md §3.2).
      tradableAfter = epoch + Math.floor(1 + rand() * 7) * DAY;
    }
    const asset: Asset = { ...base, assetid: world.nextAssetId(), contextid, tradableAfter };
    world.inventory(account.steamid, contextid).addUnsorted(asset);
  }
}

function addCasket(g: Generator, account: Account, contents: number): void {
  const { world } = g;
  const d = descriptionFor(g, {
    itemId: g.catalog.casket.id,
    wear: -1,
    statTrak: false,
    souvenir: false,
    stickers: [],
  });
  const casket: Asset = {
    descKey: d.descKey,
    classid: d.classid,
    instanceid: d.instanceid,
    amount: 1,
    props: {},
    assetid: world.nextAssetId(),
    contextid: '2',
    tradableAfter: 0,
    casketCount: contents,
  };
  world.inventory(account.steamid, '2').addUnsorted(casket);
  const inside = new Map<string, Asset>();
  for (let i = 0; i < contents; i++) {
    const asset: Asset = { ...randomItem(g), assetid: world.nextAssetId(), contextid: '2', tradableAfter: 0 };
    inside.set(asset.assetid, asset);
  }
  world.casketContents.set(casket.assetid, inside);
}

export function generateWorld(params: GenerationParams, progress?: Progress): World {
  const world = new World(params);
  const catalog = loadCatalog();
  const seed = params.seed;
  const rand = mulberry32(hash32(`world:${seed}`));
  // A bounded sticker pool keeps the number of distinct descriptions (and the cache) reasonable.
  const stickerRand = mulberry32(hash32(`stickers:${seed}`));
  const stickerPool: CatalogItem[] = [];
  for (let i = 0; i < 400; i++) stickerPool.push(pick(stickerRand, catalog.stickers));
  const stickerCombos: number[][] = [];
  for (let i = 0; i < 40; i++) {
    const n = 1 + Math.floor(stickerRand() * 4);
    const combo: number[] = [];
    for (let j = 0; j < n; j++) combo.push(pick(stickerRand, stickerPool).id);
    stickerCombos.push(combo);
  }
  const g: Generator = {
    world,
    catalog,
    rand,
    stickerPool,
    stickerCombos,
    epoch: params.epoch,
    specToKey: new Map(),
  };
  // Token issue times use the clock; pin it to the epoch offset so tokens are valid from generation.
  const total = params.bots + params.users;
  let done = 0;
  for (let i = 0; i < params.bots; i++) {
    const bot = makeAccount(world, 'bot', i, seed);
    // Bots keep a casket for overflow stock (storage units, steam.md §8) and 1000-item-ish inventories.
    addCasket(g, bot, Math.floor(rand() * 30));
    fillInventory(g, bot, Math.max(0, params.itemsPerBot - 1), 0.03);
    progress?.(++done, total);
  }
  for (let i = 0; i < params.users; i++) {
    const user = makeAccount(world, 'user', i, seed);
    const span = Math.max(0, params.userItemsMax - params.userItemsMin);
    const count = params.userItemsMin + Math.floor(rand() * (span + 1));
    if (rand() < 0.2) addCasket(g, user, Math.floor(rand() * 50));
    fillInventory(g, user, count, 0.1);
    progress?.(++done, total);
  }
  world.markClean();
  world.dirtyInventories.clear();
  return world;
}
