// The four libraries most Steam trading bots and sign-ins use, loaded unchanged from node_modules (CommonJS, no
// types of their own): just the part of their API the libraries test calls, typed so the test stays type-checked.
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

type Callback<T extends unknown[]> = (err: Error | null, ...results: T) => void;

export interface SteamID {
  accountid: number;
  getSteamID64(): string;
}

/** An item as steamcommunity/steam-tradeoffer-manager hand it out (CEconItem / EconItem). */
export interface EconItem {
  assetid: string;
  id: string;
  appid: number;
  contextid: string;
  classid: string;
  instanceid: string;
  market_hash_name: string;
  name?: string;
  tradable: boolean;
  missing?: boolean;
  new_assetid?: string;
  new_contextid?: string;
}

export interface SteamCommunity extends EventEmitter {
  steamID: SteamID | null;
  setCookies(cookies: string[]): void;
  getSteamUser(
    id: SteamID,
    cb: Callback<[{ name: string; steamID: SteamID; privacyState: string; avatarHash: string | null }]>,
  ): void;
  getUserInventoryContents(
    id: SteamID | string,
    appid: number,
    contextid: number,
    tradableOnly: boolean,
    language: string,
    cb: Callback<[EconItem[], unknown[], number]>,
  ): void;
  getTradeURL(cb: Callback<[string, string]>): void;
  changeTradeURL(cb: Callback<[string, string]>): void;
  acceptConfirmationForObject(
    identitySecret: string,
    objectID: string,
    cb: (err: Error | null) => void,
  ): void;
}

export interface TradeOffer {
  id: string | null;
  partner: SteamID;
  state: number;
  isOurOffer: boolean;
  tradeID: string | null;
  confirmationMethod: number | null;
  escrowEnds: Date | null;
  itemsToGive: EconItem[];
  itemsToReceive: EconItem[];
  addMyItem(item: EconItem): boolean;
  addTheirItem(item: EconItem): boolean;
  setMessage(message: string): void;
  send(cb: Callback<['sent' | 'pending']>): void;
  accept(cb: Callback<['accepted' | 'pending' | 'escrow']>): void;
  decline(cb: (err: Error | null) => void): void;
  cancel(cb: (err: Error | null) => void): void;
  update(cb: (err: Error | null) => void): void;
  getExchangeDetails(cb: Callback<[number, Date, EconItem[], EconItem[]]>): void;
  getReceivedItems(cb: Callback<[EconItem[]]>): void;
  getUserDetails(
    cb: Callback<
      [
        { personaName: string; escrowDays: number; avatarIcon?: string; contexts: unknown },
        {
          personaName: string;
          escrowDays: number;
          probation: boolean;
          avatarIcon?: string;
          contexts: unknown;
        },
      ]
    >,
  ): void;
}

export interface TradeOfferManager extends EventEmitter {
  steamID: SteamID | null;
  setCookies(cookies: string[], cb: (err: Error | null) => void): void;
  shutdown(): void;
  doPoll(): void;
  createOffer(partner: string): TradeOffer;
  getOffer(id: string, cb: Callback<[TradeOffer]>): void;
  getOffers(filter: number, historicalCutoff: Date, cb: Callback<[TradeOffer[], TradeOffer[]]>): void;
  getInventoryContents(
    appid: number,
    contextid: number,
    tradableOnly: boolean,
    cb: Callback<[EconItem[]]>,
  ): void;
  getUserInventoryContents(
    id: SteamID | string,
    appid: number,
    contextid: number,
    tradableOnly: boolean,
    cb: Callback<[EconItem[]]>,
  ): void;
  getOfferToken(cb: Callback<[string]>): void;
}

export interface TradeOfferManagerModule {
  new (options: Record<string, unknown>): TradeOfferManager;
  EOfferFilter: { ActiveOnly: 1; HistoricalOnly: 2; All: 3 };
  ETradeOfferState: Record<string, number>;
  EConfirmationMethod: { None: 0; Email: 1; MobileApp: 2 };
  ETradeStatus: Record<string, number>;
}

export interface SteamTotp {
  getTimeOffset(cb: Callback<[number, number]>): void;
  generateAuthCode(secret: string, timeOffset: number): string;
}

export interface RelyingParty {
  authenticate(
    identifier: string,
    immediate: boolean,
    cb: (err: { message: string } | null, url?: string) => void,
  ): void;
  verifyAssertion(
    url: string,
    cb: (
      err: { message: string } | null,
      result?: { authenticated: boolean; claimedIdentifier?: string },
    ) => void,
  ): void;
}

export interface OpenIdModule {
  RelyingParty: new (
    returnUrl: string,
    realm: string | null,
    stateless: boolean,
    strict: boolean,
    extensions: unknown[],
  ) => RelyingParty;
}

/** The part of passport's Strategy contract a test drives: authenticate(req) ends in one of these four. */
export interface PassportStrategy {
  authenticate(req: Record<string, unknown>, options?: Record<string, unknown>): void;
  redirect: (url: string) => void;
  success: (user: unknown, info?: unknown) => void;
  fail: (info?: unknown) => void;
  error: (err: Error) => void;
}

export type SteamStrategyCtor = new (
  options: Record<string, unknown>,
  verify: (
    identifier: string,
    profile: Record<string, unknown>,
    done: (err: Error | null, user?: unknown) => void,
  ) => void,
) => PassportStrategy;

export const SteamCommunityCtor = require('steamcommunity') as new (
  options?: Record<string, unknown>,
) => SteamCommunity;
export const TradeOfferManagerLib = require('steam-tradeoffer-manager') as TradeOfferManagerModule;
export const steamTotp = require('steam-totp') as SteamTotp;
export const openid = require('openid') as OpenIdModule;
export const SteamStrategy = require('passport-steam') as SteamStrategyCtor;

/** Node-style callback API → promise. */
export function call<T extends unknown[]>(fn: (cb: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    fn((err, ...results) => (err ? reject(err) : resolve(results)));
  });
}
