// The public API's shapes (/work/shared/design/api.md), as the storefront reads them.

export interface Me {
  id: string;
  steamId: string;
  personaName: string;
  avatarUrl: string;
  tradeUrl: string | null;
  createdAt: string;
}

export interface Sticker {
  name: string;
  slot?: number;
}

/** Fields common to a site item and an item of the user's inventory. */
export interface ItemBase {
  assetId: string;
  marketHashName: string;
  name: string;
  price: number | null;
  floatValue?: number | null;
  paintSeed?: number | null;
  phase?: string | null;
  exterior?: string | null;
  rarity?: string | null;
  type?: string;
  weapon?: string | null;
  statTrak?: boolean;
  souvenir?: boolean;
  stickers?: Sticker[];
  iconUrl?: string;
  tradableAt: string | null;
}

export type SiteItem = ItemBase;

export interface UserItem extends ItemBase {
  accepted: boolean;
  refusal: { code: string; message: string } | null;
}

export interface SiteGroup {
  marketHashName: string;
  count: number;
  minPrice: number;
  maxPrice: number;
  iconUrl?: string;
}

export type Facets = Record<string, Record<string, number> | undefined>;

export interface SitePage {
  items: (SiteItem | SiteGroup)[];
  nextCursor: string | null;
  currency: string;
  facets?: Facets;
}

export interface UserInventory {
  items: UserItem[];
  currency: string;
  fetchedAt: string | null;
  stale: boolean;
}

export interface TradeItemRef {
  assetId: string;
  marketHashName: string;
  price: number;
}

export type TradeState =
  | 'pending'
  | 'sent'
  | 'canceling'
  | 'completed'
  | 'declined'
  | 'expired'
  | 'canceled'
  | 'failed'
  | 'reversed'
  | (string & {});

export interface Trade {
  id: string;
  type: 'deposit' | 'withdraw' | 'swap';
  state: TradeState;
  give: TradeItemRef[];
  receive: TradeItemRef[];
  giveValue: number;
  receiveValue: number;
  balanceDelta: number;
  currency: string;
  verificationCode: string;
  expiresAt: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt?: string | null;
  reason?: string | null;
  offers: { id: string; steamOfferId: string | null; state: string }[];
}

export interface Balance {
  amount: number;
  protected: number;
  currency: string;
  debt?: number;
}

export interface LedgerEntry {
  id: string;
  delta: number;
  balanceAfter: number;
  reason: string;
  tradeId: string | null;
  createdAt: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** What the gateway tells the storefront about this deployment (GET /storefront.json). */
export interface SiteConfig {
  /** Where Steam's community pages are (locally: the emulator). */
  steamCommunityUrl: string;
  /** Locally, the emulator's page where a Steam user accepts offers; null in production. */
  emulatorUrl: string | null;
}

export const TERMINAL_STATES = new Set([
  'completed',
  'declined',
  'expired',
  'canceled',
  'failed',
  'reversed',
]);
