/** CS2 lives in app 730; context 2 is the tradable inventory, 16 holds trade-protected items (steam.md §3, §4.8). */
export const CS2_APPID = 730;
export type InventoryContext = '2' | '16';

/** One asset as Steam's community endpoint lists it (steam.md §3.1). */
export interface RawAsset {
  appid: number;
  contextid: string;
  assetid: string;
  classid: string;
  instanceid?: string;
  amount: string;
}

export interface RawDescriptionLine {
  type?: string;
  value?: string;
  name?: string;
  color?: string;
}

export interface RawTag {
  category: string;
  internal_name: string;
  localized_category_name?: string;
  localized_tag_name?: string;
  color?: string;
}

/** The subset of CEconItem_Description the platform reads (steam.md §3.2). */
export interface RawDescription {
  appid: number;
  classid: string;
  instanceid?: string;
  icon_url?: string;
  descriptions?: RawDescriptionLine[];
  owner_descriptions?: RawDescriptionLine[];
  tradable?: number;
  marketable?: number;
  actions?: Array<{ link: string; name: string }>;
  name?: string;
  name_color?: string;
  type?: string;
  market_name?: string;
  market_hash_name?: string;
  tags?: RawTag[];
  item_expiration?: string;
}

export interface RawAssetProperty {
  propertyid: number;
  int_value?: string | number;
  float_value?: number | string;
  string_value?: string;
}

export interface RawInventoryPage {
  assets?: RawAsset[];
  descriptions?: RawDescription[];
  asset_properties?: Array<{ assetid: string; asset_properties?: RawAssetProperty[] }>;
  more_items?: number;
  last_assetid?: string;
  total_inventory_count?: number;
  success?: number;
}

/** An asset merged with its description and properties: what the platform works with. */
export interface SteamItem {
  assetId: string;
  contextId: InventoryContext;
  classId: string;
  instanceId: string;
  amount: number;
  marketHashName: string;
  name: string;
  /** Steam's type line, e.g. "StatTrak™ Classified Rifle". */
  type: string;
  /** Internal Type tag, e.g. CSGO_Type_Rifle: the item's category for pricing. */
  typeTag: string | null;
  weapon: string | null;
  quality: string | null;
  rarity: string;
  rarityColor: string | null;
  exterior: string | null;
  iconUrl: string;
  nameColor: string | null;
  tradable: boolean;
  marketable: boolean;
  /** When a trade cooldown or trade protection ends; null when there is none or it is unknown. */
  tradableAfter: Date | null;
  floatValue: number | null;
  paintSeed: number | null;
  stickers: string[];
  inspectLink: string | null;
  isCasket: boolean;
}

export interface SteamInventory {
  steamId: string;
  contextId: InventoryContext;
  items: SteamItem[];
  /** Steam's total_inventory_count; greater than items.length when Steam hides items from this viewer. */
  totalCount: number;
  /**
   * Assets Steam listed whose ids are not 64-bit numbers, left out of `items` for good: they
   * count as read when judging whether a read was complete (they were not hidden).
   */
  unusable: number;
}
