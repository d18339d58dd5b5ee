// Builds Steam-shaped CEconItem_Description objects (steam.md §3.2) from a DescriptionSpec, deterministically,
// so the world persists only specs and rebuilds descriptions on load.
import { createHash } from 'node:crypto';
import { loadCatalog } from './catalog.ts';
import type { CatalogItem } from './catalog.ts';
import type { Description, DescriptionLine, DescriptionMeta, DescriptionSpec, Tag } from './types.ts';
import { APPID } from './types.ts';
import { hash32 } from './world.ts';

export const EXTERIORS = [
  'Factory New',
  'Minimal Wear',
  'Field-Tested',
  'Well-Worn',
  'Battle-Scarred',
] as const;
/** Float upper bounds of each exterior (CS2 wear tiers). */
export const WEAR_BOUNDS = [0.07, 0.15, 0.38, 0.45, 1] as const;

/** Inspect link owner-placeholder host steamid seen in real payloads (steam.md §3.2). */
const INSPECT_PREFIX = 'steam://rungame/730/76561202255233023/+csgo_econ_action_preview%20';

interface RarityInfo {
  internal: string;
  label: string;
  color: string;
}

// cs2-lib rarity colour -> Steam Rarity tag (steam.md §3.2 map). Weapon and non-weapon names differ.
const WEAPON_RARITY: Record<string, RarityInfo> = {
  '#ded6cc': { internal: 'Rarity_Default_Weapon', label: 'Base Grade', color: 'b0c3d9' },
  '#b0c3d9': { internal: 'Rarity_Common_Weapon', label: 'Consumer Grade', color: 'b0c3d9' },
  '#5e98d9': { internal: 'Rarity_Uncommon_Weapon', label: 'Industrial Grade', color: '5e98d9' },
  '#4b69ff': { internal: 'Rarity_Rare_Weapon', label: 'Mil-Spec Grade', color: '4b69ff' },
  '#8847ff': { internal: 'Rarity_Mythical_Weapon', label: 'Restricted', color: '8847ff' },
  '#d32ce6': { internal: 'Rarity_Legendary_Weapon', label: 'Classified', color: 'd32ce6' },
  '#eb4b4b': { internal: 'Rarity_Ancient_Weapon', label: 'Covert', color: 'eb4b4b' },
  '#e4ae39': { internal: 'Rarity_Contraband_Weapon', label: 'Contraband', color: 'e4ae39' },
};
const OTHER_RARITY: Record<string, RarityInfo> = {
  '#ded6cc': { internal: 'Rarity_Common', label: 'Base Grade', color: 'b0c3d9' },
  '#b0c3d9': { internal: 'Rarity_Common', label: 'Base Grade', color: 'b0c3d9' },
  '#5e98d9': { internal: 'Rarity_Uncommon', label: 'Industrial Grade', color: '5e98d9' },
  '#4b69ff': { internal: 'Rarity_Rare', label: 'High Grade', color: '4b69ff' },
  '#8847ff': { internal: 'Rarity_Mythical', label: 'Remarkable', color: '8847ff' },
  '#d32ce6': { internal: 'Rarity_Legendary', label: 'Exotic', color: 'd32ce6' },
  '#eb4b4b': { internal: 'Rarity_Ancient', label: 'Extraordinary', color: 'eb4b4b' },
  '#e4ae39': { internal: 'Rarity_Contraband', label: 'Contraband', color: 'e4ae39' },
};
const AGENT_RARITY: Record<string, RarityInfo> = {
  '#4b69ff': { internal: 'Rarity_Rare_Character', label: 'Distinguished', color: '4b69ff' },
  '#8847ff': { internal: 'Rarity_Mythical_Character', label: 'Exceptional', color: '8847ff' },
  '#d32ce6': { internal: 'Rarity_Legendary_Character', label: 'Superior', color: 'd32ce6' },
  '#eb4b4b': { internal: 'Rarity_Ancient_Character', label: 'Master', color: 'eb4b4b' },
};

function rarityOf(item: CatalogItem): RarityInfo {
  const table =
    item.kind === 'weapon' || item.kind === 'knife'
      ? WEAPON_RARITY
      : item.kind === 'agent'
        ? AGENT_RARITY
        : OTHER_RARITY;
  return table[item.rarity] ?? OTHER_RARITY[item.rarity] ?? OTHER_RARITY['#ded6cc']!;
}

function tag(
  category: string,
  internal: string,
  localizedCategory: string,
  label: string,
  color?: string,
): Tag {
  const t: Tag = {
    category,
    internal_name: internal,
    localized_category_name: localizedCategory,
    localized_tag_name: label,
  };
  if (color !== undefined) t.color = color;
  return t;
}

/** Decimal id in [10^(digits-1), 10^digits) from a string hash, for classid/instanceid. */
function numericId(input: string, digits: number): string {
  const h = createHash('sha1').update(input).digest();
  const n = h.readBigUInt64BE(0) % (9n * 10n ** BigInt(digits - 1));
  return (n + 10n ** BigInt(digits - 1)).toString();
}

export function specKey(spec: DescriptionSpec): string {
  return `${spec.itemId}:${spec.wear}:${spec.statTrak ? 1 : 0}:${spec.souvenir ? 1 : 0}:${spec.stickers.join(',')}`;
}

export function wearIndex(float: number): number {
  for (let i = 0; i < WEAR_BOUNDS.length; i++) if (float < WEAR_BOUNDS[i]!) return i;
  return 4;
}

export function buildDescription(spec: DescriptionSpec): { description: Description; meta: DescriptionMeta } {
  const catalog = loadCatalog();
  const item = catalog.byId.get(spec.itemId);
  if (item === undefined) throw new Error(`unknown catalog item ${spec.itemId}`);
  const rarity = rarityOf(item);
  const star = item.kind === 'knife' || item.kind === 'glove';
  const prefix = `${star ? '★ ' : ''}${spec.statTrak ? 'StatTrak™ ' : ''}${spec.souvenir ? 'Souvenir ' : ''}`;
  const name = `${prefix}${item.name}`;
  const exterior = spec.wear >= 0 ? EXTERIORS[spec.wear] : undefined;
  const marketName = exterior !== undefined ? `${name} (${exterior})` : name;
  const classid = numericId(`class:${spec.itemId}:${spec.wear}:${spec.statTrak}:${spec.souvenir}`, 10);
  // Items without per-instance data share a common instanceid in real payloads (e.g. 188530139, steam.md §4.4).
  const instanceid =
    spec.stickers.length === 0 ? '188530139' : numericId(`inst:${spec.stickers.join(',')}`, 10);
  const isCasket = item.kind === 'casket';

  const lines: DescriptionLine[] = [];
  if (exterior !== undefined)
    lines.push({ type: 'html', value: `Exterior: ${exterior}`, name: 'exterior_wear' });
  lines.push({ type: 'html', value: ' ', name: 'blank' });
  if (isCasket) {
    lines.push({
      type: 'html',
      value: 'Storage Unit for up to 1,000 items. Manage its contents in-game.',
      name: 'description',
    });
  }
  if (item.collectionName !== undefined) {
    lines.push({ type: 'html', value: item.collectionName, name: 'itemset_name', color: '9da1a9' });
  }
  if (spec.stickers.length > 0) {
    const names = spec.stickers.map((id) => stripSticker(catalog.byId.get(id)?.name ?? 'Unknown'));
    lines.push({
      type: 'html',
      value: `<br><div id="sticker_info" class="sticker_info" style="border: 2px solid rgb(102, 102, 102); border-radius: 6px; width=100; margin:4px; padding:8px;"><center>Sticker: ${names.join(', ')}</center></div>`,
      name: 'sticker_info',
    });
  }

  const qualityInternal = spec.statTrak
    ? 'strange'
    : spec.souvenir
      ? 'tournament'
      : star
        ? 'unusual'
        : 'normal';
  const qualityLabel = spec.statTrak ? 'StatTrak™' : spec.souvenir ? 'Souvenir' : star ? '★' : 'Normal';
  const nameColor = spec.statTrak ? 'CF6A32' : spec.souvenir ? 'FFD700' : star ? '8650AC' : 'D2D2D2';
  const typeLine = isCasket
    ? 'Base Grade Tool'
    : `${prefix}${rarity.label} ${item.typeLabel}`.replace('Souvenir ', 'Souvenir ');

  const tags: Tag[] = [tag('Type', item.typeTag, 'Type', item.typeLabel)];
  if (item.weaponTag !== undefined && item.weaponName !== undefined) {
    tags.push(tag('Weapon', item.weaponTag, 'Weapon', item.weaponName));
  }
  if (item.collection !== undefined && item.collectionName !== undefined) {
    tags.push(tag('ItemSet', item.collection, 'Collection', item.collectionName));
  }
  tags.push(tag('Quality', qualityInternal, 'Category', qualityLabel));
  tags.push(tag('Rarity', rarity.internal, 'Quality', rarity.label, rarity.color));
  if (exterior !== undefined) tags.push(tag('Exterior', `WearCategory${spec.wear}`, 'Exterior', exterior));

  const inspectable = item.kind === 'weapon' || item.kind === 'knife' || item.kind === 'glove';
  const d = numericId(`d:${classid}:${instanceid}`, 19);
  const description: Description = {
    appid: APPID,
    classid,
    instanceid,
    currency: 0,
    background_color: '',
    icon_url: iconUrl(item),
    icon_url_large: iconUrl(item),
    descriptions: lines,
    tradable: isCasket ? 0 : 1,
    name,
    name_color: nameColor,
    type: typeLine,
    market_name: marketName,
    market_hash_name: marketName,
    commodity: item.kind === 'case' || item.kind === 'sticker' || item.kind === 'charm' ? 1 : 0,
    market_tradable_restriction: 7,
    market_marketable_restriction: 7,
    marketable: isCasket ? 0 : 1,
    tags,
  };
  if (inspectable) {
    description.actions = [
      { link: `${INSPECT_PREFIX}S%owner_steamid%A%assetid%D${d}`, name: 'Inspect in Game...' },
    ];
    description.market_actions = [
      { link: `${INSPECT_PREFIX}M%listingid%A%assetid%D${d}`, name: 'Inspect in Game...' },
    ];
  }
  return {
    description,
    meta: { spec, rarity: rarity.label, itemType: item.kind, isCasket },
  };
}

function stripSticker(name: string): string {
  return name.startsWith('Sticker | ') ? name.slice('Sticker | '.length) : name;
}

function iconUrl(item: CatalogItem): string {
  // Steam icon_url is an opaque path segment; derive a stable one from the catalog image path.
  const h = createHash('sha256')
    .update(item.image || String(item.id))
    .digest('base64url');
  return `i0CoZ81Ui0m-9KwlBY1L_18myuGuq1wfhWSaZgMttyVfPaERSR0Wqmu7LAocGIGz3UqlXOLrxM-vMGmW8VNxu5Dx60noTyL6kJ_m-B1Q7uCvZaZkNM-SA1iSzvp8j-1gSCGn20tzt${h}`;
}

/**
 * Variant shown while an asset is untradable (cooldown or trade protection): tradable 0 plus an
 * owner_descriptions line "Tradable/Marketable After …" in the day-first form (steam.md §3.2). Gets its own
 * instanceid so descriptions stay unique per classid+instanceid (UNVERIFIED: how Steam keys these).
 */
export function lockedVariant(base: Description, tradableAfter: number): Description {
  const date = new Date(tradableAfter * 1000);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const h = date.getUTCHours();
  const hh = h % 12 === 0 ? 12 : h % 12;
  const text = `${date.getUTCDate()} ${months[date.getUTCMonth()]} @ ${hh}:${String(date.getUTCMinutes()).padStart(2, '0')}${h < 12 ? 'am' : 'pm'}`;
  return {
    ...base,
    instanceid: String(hash32(`${base.instanceid}:${tradableAfter}`) + 1_000_000_000),
    tradable: 0,
    owner_descriptions: [
      { type: 'html', value: ' ', name: 'blank' },
      {
        type: 'html',
        value: `Tradable/Marketable After ${text} GMT`,
        color: 'ff4040',
        name: 'trade_restriction',
      },
    ],
  };
}
