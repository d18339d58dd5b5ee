// Shapes of the emulator's world state. Ids that are 64-bit on Steam (steamid, assetid, classid, instanceid)
// are strings everywhere (steam.md §0 conventions).

export type AccountKind = 'user' | 'bot';
export type ContextId = '2' | '16';
export const APPID = 730;

export interface Account {
  kind: AccountKind;
  /** SteamID64 = 76561197960265728 + accountId (steam.md §2.1). */
  steamid: string;
  accountId: number;
  /** Login name for the emulator's login endpoint (bots log in; users only use OpenID). */
  accountName: string;
  password: string;
  persona: string;
  avatarUrl: string;
  /** Trade URL token, 8 chars of [A-Za-z0-9_-] (steam.md §2.2). */
  tradeToken: string;
  /** WebAPI key, 32 upper-case hex chars. */
  apiKey: string;
  /** JWT-shaped access token (steam.md §7.1), embedded in steamLoginSecure. */
  accessToken: string;
  accessTokenExpires: number;
  refreshToken: string;
  refreshTokenExpires: number;
  /**
   * Mobile authenticator secrets, base64 of 20 bytes (steam.md §6.2); both empty for an account without one (it
   * confirms trades by e-mail and has them held, §4.8). Every bot has one, and most users.
   */
  sharedSecret: string;
  identitySecret: string;
  /** When the authenticator was added (unix s); 0 = long before the world began. Holds apply for 7 days (§4.8). */
  authenticatorSince: number;
  privateInventory: boolean;
  /** Unix seconds; 0 = not banned. */
  tradeBannedUntil: number;
  /** Trade/market restriction (e.g. 30 days after a trade reversal, steam.md §4.8); 0 = none. */
  restrictedUntil: number;
  /**
   * Extra trade-hold days when this account gives items (control API); the hold Steam applies without an
   * authenticator comes on top of it (holdDays in trade.service.ts, steam.md §4.8).
   */
  escrowDays: number;
  /** Whether the one-time trade-protection acknowledgement was posted (steam.md §4.3). */
  tradeProtectionAcknowledged: boolean;
}

/** Asset properties surfaced as `asset_properties` (steam.md §3.1; propertyid 1 = seed, 2 = float, UNVERIFIED). */
export interface AssetProps {
  paintSeed?: number;
  paintWear?: number;
}

export interface Asset {
  assetid: string;
  contextid: ContextId;
  /** Key into world.descriptions: `${classid}_${instanceid}`. */
  descKey: string;
  classid: string;
  instanceid: string;
  amount: number;
  /** Unix seconds; 0 = tradable now. Items with tradableAfter > now are untradable (cooldown or protection). */
  tradableAfter: number;
  props: AssetProps;
  /** Storage units only: number of items inside (mirror of world.casketContents). */
  casketCount?: number;
}

/** Inputs from which a description is rebuilt deterministically (persisted instead of the full JSON). */
export interface DescriptionSpec {
  /** cs2-lib item id. */
  itemId: number;
  /** 0..4 = Factory New .. Battle-Scarred; -1 = no exterior. */
  wear: number;
  statTrak: boolean;
  souvenir: boolean;
  /** cs2-lib sticker item ids applied to the item. */
  stickers: number[];
}

export interface DescriptionLine {
  type: string;
  value: string;
  name: string;
  color?: string;
}

export interface Tag {
  category: string;
  internal_name: string;
  localized_category_name: string;
  localized_tag_name: string;
  color?: string;
}

/** CEconItem_Description subset that CS2 inventories carry (steam.md §3.2). */
export interface Description {
  appid: number;
  classid: string;
  instanceid: string;
  currency: number;
  background_color: string;
  icon_url: string;
  icon_url_large: string;
  descriptions: DescriptionLine[];
  tradable: number;
  actions?: Array<{ link: string; name: string }>;
  owner_descriptions?: DescriptionLine[];
  name: string;
  name_color: string;
  type: string;
  market_name: string;
  market_hash_name: string;
  market_actions?: Array<{ link: string; name: string }>;
  commodity: number;
  market_tradable_restriction: number;
  market_marketable_restriction: number;
  marketable: number;
  tags: Tag[];
  sealed?: number;
}

/** What the price feed and UI need per description, kept beside the Steam-shaped JSON. */
export interface DescriptionMeta {
  spec: DescriptionSpec;
  rarity: string;
  itemType: string;
  isCasket: boolean;
}

export interface MovedAsset {
  assetid: string;
  contextid: ContextId;
  classid: string;
  instanceid: string;
  amount: number;
  newAssetid: string;
  newContextid: ContextId;
}

export interface GenerationParams {
  seed: number;
  bots: number;
  itemsPerBot: number;
  users: number;
  /** Per-user item count range. */
  userItemsMin: number;
  userItemsMax: number;
  /** Unix seconds of first generation; cooldown dates derive from it so regeneration is identical. */
  epoch: number;
}
