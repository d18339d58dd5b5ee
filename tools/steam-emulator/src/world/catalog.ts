// The CS2 item catalog: names, rarities, wear ranges, collections from @ianlucas/cs2-lib (MIT), read from the
// derived English extract catalog-data.json (regenerate with src/scripts/build-catalog.ts). Loading the library's
// translations directly costs ~3 s and ~600 MB per process.
import { readFileSync } from 'node:fs';

/** One row of catalog-data.json (a subset of cs2-lib's CS2Item plus English names). */
interface CS2Item {
  id: number;
  type: string;
  name: string;
  baseName?: string;
  collectionName?: string;
  base?: boolean;
  category?: string;
  collection?: string;
  containerType?: number;
  def?: number;
  image?: string;
  index?: number;
  model?: string;
  rarity?: string;
  statTrakless?: boolean;
  wearMax?: number;
  wearMin?: number;
}

export type CatalogKind = 'weapon' | 'knife' | 'glove' | 'sticker' | 'case' | 'agent' | 'charm' | 'casket';

export interface CatalogItem {
  id: number;
  kind: CatalogKind;
  /** Display name without ★/StatTrak™/exterior, e.g. "AK-47 | Redline", "Sticker | Shooter". */
  name: string;
  /** cs2-lib rarity colour, e.g. '#4b69ff'. */
  rarity: string;
  def: number;
  paintIndex: number;
  wearMin: number;
  wearMax: number;
  collection: string | undefined;
  collectionName: string | undefined;
  /** e.g. 'weapon_ak47'. */
  weaponTag: string | undefined;
  weaponName: string | undefined;
  /** Type tag: CSGO_Type_Rifle… and its label. */
  typeTag: string;
  typeLabel: string;
  statTrakable: boolean;
  image: string;
}

/** Map collections with souvenir packages (the only ones that can drop Souvenir skins). */
const SOUVENIR_COLLECTIONS = new Set([
  'set_dust_2',
  'set_dust_2_2021',
  'set_mirage',
  'set_mirage_2021',
  'set_inferno',
  'set_inferno_2',
  'set_nuke',
  'set_nuke_2',
  'set_overpass',
  'set_overpass_2024',
  'set_vertigo',
  'set_vertigo_2021',
  'set_ancient',
  'set_anubis',
  'set_train',
  'set_train_2021',
  'set_cache',
  'set_cobblestone',
]);

const SNIPERS = new Set(['awp', 'ssg08', 'scar20', 'g3sg1']);
const MACHINEGUNS = new Set(['negev', 'm249']);

function typeOfWeapon(item: CS2Item): { tag: string; label: string } {
  const model = item.model ?? '';
  if (SNIPERS.has(model)) return { tag: 'CSGO_Type_SniperRifle', label: 'Sniper Rifle' };
  if (MACHINEGUNS.has(model)) return { tag: 'CSGO_Type_Machinegun', label: 'Machinegun' };
  switch (item.category) {
    case 'secondary':
      return { tag: 'CSGO_Type_Pistol', label: 'Pistol' };
    case 'smg':
      return { tag: 'CSGO_Type_SMG', label: 'SMG' };
    case 'heavy':
      return { tag: 'CSGO_Type_Shotgun', label: 'Shotgun' };
    default:
      return { tag: 'CSGO_Type_Rifle', label: 'Rifle' };
  }
}

function stripPrefix(name: string, prefix: string): string {
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

export interface Catalog {
  byId: Map<number, CatalogItem>;
  weaponsByRarity: Map<string, CatalogItem[]>;
  knives: CatalogItem[];
  gloves: CatalogItem[];
  stickers: CatalogItem[];
  cases: CatalogItem[];
  agents: CatalogItem[];
  charms: CatalogItem[];
  casket: CatalogItem;
}

let cached: Catalog | undefined;

export function loadCatalog(): Catalog {
  if (cached !== undefined) return cached;
  const byId = new Map<number, CatalogItem>();
  const weaponsByRarity = new Map<string, CatalogItem[]>();
  const lists = {
    knives: [] as CatalogItem[],
    gloves: [] as CatalogItem[],
    stickers: [] as CatalogItem[],
    cases: [] as CatalogItem[],
    agents: [] as CatalogItem[],
    charms: [] as CatalogItem[],
  };
  let casket: CatalogItem | undefined;
  const data = JSON.parse(readFileSync(new URL('./catalog-data.json', import.meta.url), 'utf8')) as {
    items: CS2Item[];
  };
  for (const item of data.items) {
    const tr = item;
    const base = {
      id: item.id,
      rarity: item.rarity ?? '#ded6cc',
      def: item.def ?? 0,
      paintIndex: item.index ?? 0,
      wearMin: item.wearMin ?? 0,
      wearMax: item.wearMax ?? 1,
      collection: item.collection,
      collectionName: tr.collectionName,
      image: item.image ?? '',
    };
    const baseName = item.baseName;
    let entry: CatalogItem | undefined;
    if (item.type === 'weapon' && item.base !== true && item.index !== undefined) {
      const t = typeOfWeapon(item);
      entry = {
        ...base,
        kind: 'weapon',
        name: tr.name,
        weaponTag: `weapon_${item.model ?? 'unknown'}`,
        weaponName: baseName,
        typeTag: t.tag,
        typeLabel: t.label,
        statTrakable: item.statTrakless !== true,
      };
      const list = weaponsByRarity.get(entry.rarity) ?? [];
      list.push(entry);
      weaponsByRarity.set(entry.rarity, list);
    } else if (item.type === 'melee' && item.base !== true && item.index !== undefined) {
      entry = {
        ...base,
        kind: 'knife',
        name: tr.name,
        weaponTag: `weapon_${item.model ?? 'knife'}`,
        weaponName: baseName,
        typeTag: 'CSGO_Type_Knife',
        typeLabel: 'Knife',
        statTrakable: true,
      };
      lists.knives.push(entry);
    } else if (item.type === 'glove' && item.base !== true && item.index !== undefined) {
      entry = {
        ...base,
        kind: 'glove',
        name: tr.name,
        weaponTag: undefined,
        weaponName: baseName,
        typeTag: 'Type_Hands',
        typeLabel: 'Gloves',
        statTrakable: false,
      };
      lists.gloves.push(entry);
    } else if (item.type === 'sticker') {
      entry = {
        ...base,
        kind: 'sticker',
        name: tr.name,
        weaponTag: undefined,
        weaponName: undefined,
        typeTag: 'CSGO_Tool_Sticker',
        typeLabel: 'Sticker',
        statTrakable: false,
      };
      lists.stickers.push(entry);
    } else if (item.type === 'case' && item.containerType === 0) {
      entry = {
        ...base,
        kind: 'case',
        name: stripPrefix(tr.name, 'Container | '),
        weaponTag: undefined,
        weaponName: undefined,
        typeTag: 'CSGO_Type_WeaponCase',
        typeLabel: 'Container',
        statTrakable: false,
      };
      lists.cases.push(entry);
    } else if (item.type === 'agent') {
      entry = {
        ...base,
        kind: 'agent',
        name: stripPrefix(tr.name, 'Agent | '),
        weaponTag: undefined,
        weaponName: undefined,
        typeTag: 'Type_CustomPlayer',
        typeLabel: 'Agent',
        statTrakable: false,
      };
      lists.agents.push(entry);
    } else if (item.type === 'keychain') {
      entry = {
        ...base,
        kind: 'charm',
        name: tr.name,
        weaponTag: undefined,
        weaponName: undefined,
        typeTag: 'CSGO_Type_Charm',
        typeLabel: 'Charm',
        statTrakable: false,
      };
      lists.charms.push(entry);
    } else if (item.type === 'tool' && item.def === 1201) {
      entry = {
        ...base,
        kind: 'casket',
        name: 'Storage Unit',
        weaponTag: undefined,
        weaponName: undefined,
        typeTag: 'CSGO_Type_Tool',
        typeLabel: 'Tool',
        statTrakable: false,
      };
      casket = entry;
    }
    if (entry !== undefined) byId.set(entry.id, entry);
  }
  if (casket === undefined) throw new Error('cs2-lib catalog has no storage unit (def 1201)');
  cached = { byId, weaponsByRarity, ...lists, casket };
  return cached;
}

export function souvenirCapable(item: CatalogItem): boolean {
  return item.kind === 'weapon' && item.collection !== undefined && SOUVENIR_COLLECTIONS.has(item.collection);
}
