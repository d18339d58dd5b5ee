/** What the tradebot needs of a bot account to log in and confirm (never logged). */
export interface BotCredentials {
  steamId: string;
  accountName: string;
  password: string;
  /** Steam Guard shared_secret (login codes, steam.md §6.2). */
  sharedSecret: string;
  /** identity_secret (mobile confirmation keys, steam.md §6.2). */
  identitySecret: string;
}

/** A logged-in web session (steam.md §7.1 step 4). */
export interface BotWebSession {
  steamId: string;
  /** Cookie values: `sessionid` and `steamLoginSecure` (`<steamid>||<access token>`, URL-encoded). */
  sessionId: string;
  steamLoginSecure: string;
  accessToken: string;
  /** ~200 days; refreshes the access token without a password login. */
  refreshToken: string | undefined;
  /** Unix ms; the session may die earlier without notice (§7.2). */
  accessTokenExpiresAt: number;
}

/** The login port: the emulator's session surface locally, steam-session in production. */
export interface SteamAuthPort {
  readonly name: string;
  /** A password + TOTP login. Throws SteamTradeError (rate_limited on 84/87, eresult otherwise). */
  login(creds: BotCredentials): Promise<BotWebSession>;
  /** New cookies from a refresh token; throws session_expired when the refresh token is dead. */
  refresh(session: BotWebSession): Promise<BotWebSession>;
}

export interface OfferAsset {
  assetId: string;
  contextId: string;
}

export interface SendOfferInput {
  partnerSteamId: string;
  /** From the partner's trade URL (`partner=` accountid, `token=`). */
  partnerAccountId: string;
  token: string;
  /** What the bot gives. */
  give: OfferAsset[];
  /** What the bot receives. */
  receive: OfferAsset[];
  /** ≤128 chars (TOM truncates there). */
  message: string;
}

export interface SentOffer {
  offerId: string;
  needsMobileConfirmation: boolean;
  needsEmailConfirmation: boolean;
}

/** ETradeOfferState (steam.md §4.5). */
export const OfferState = {
  Invalid: 1,
  Active: 2,
  Accepted: 3,
  Countered: 4,
  Expired: 5,
  Canceled: 6,
  Declined: 7,
  InvalidItems: 8,
  CreatedNeedsConfirmation: 9,
  CanceledBySecondFactor: 10,
  InEscrow: 11,
} as const;

export interface TradeOfferView {
  offerId: string;
  partnerAccountId: number;
  message: string;
  state: number;
  isOurOffer: boolean;
  tradeId: string | undefined;
  timeCreated: number;
  timeUpdated: number;
  escrowEndDate: number;
  itemsToGive: OfferAsset[];
  itemsToReceive: OfferAsset[];
}

export interface TradedAsset {
  assetId: string;
  contextId: string;
  newAssetId: string | undefined;
  newContextId: string | undefined;
  rollbackNewAssetId: string | undefined;
}

/** A trade element of GetTradeStatus (steam.md §4.4); status is ETradeStatus (§4.5). */
export interface TradeStatusView {
  tradeId: string;
  status: number;
  assetsReceived: TradedAsset[];
  assetsGiven: TradedAsset[];
}

/** ETradeStatus values that mean Steam rolled the trade back (§4.5, §4.8). */
export const ROLLBACK_STATUSES: ReadonlySet<number> = new Set([5, 6, 7, 11]);

export interface Confirmation {
  id: string;
  nonce: string;
  creatorId: string;
  type: number;
}

export interface OffersQuery {
  /** Active offers plus those changed since the cutoff (incremental polls). */
  activeOnly: boolean;
  /** Unix seconds; ignored without activeOnly/historicalOnly (a full sweep). */
  historicalCutoff?: number;
}

/** The trade surfaces, per bot session (steam.md §4, §6). */
export interface SteamTradePort {
  sendOffer(s: BotWebSession, input: SendOfferInput): Promise<SentOffer>;
  cancelOffer(s: BotWebSession, offerId: string): Promise<void>;
  acknowledgeTradeProtection(s: BotWebSession): Promise<void>;
  /** Sent offers (GetTradeOffers, every page). */
  getSentOffers(s: BotWebSession, q: OffersQuery): Promise<TradeOfferView[]>;
  /** Received offers that are active (counter-offers end up here). */
  getReceivedActiveOffers(s: BotWebSession): Promise<TradeOfferView[]>;
  declineOffer(s: BotWebSession, offerId: string): Promise<void>;
  getOffer(s: BotWebSession, offerId: string): Promise<TradeOfferView | undefined>;
  getTradeStatus(s: BotWebSession, tradeId: string): Promise<TradeStatusView | undefined>;
  /** Seconds of hold for a trade with this partner (both_escrow), undefined when Steam does not say. */
  getEscrowSeconds(s: BotWebSession, partnerSteamId: string, token: string): Promise<number | undefined>;
  getConfirmations(s: BotWebSession, creds: BotCredentials): Promise<Confirmation[]>;
  respondToConfirmation(
    s: BotWebSession,
    creds: BotCredentials,
    c: Confirmation,
    op: 'allow' | 'cancel',
  ): Promise<void>;
  /** Own asset ids in contexts 2 and 16 (the new-asset-id fallback of §4.7). */
  ownAssetIds(s: BotWebSession): Promise<Array<{ assetId: string; contextId: string }>>;
}
