import SteamTotp from 'steam-totp';
import { SteamTradeError, eresultOf } from './errors.ts';
import type {
  BotCredentials,
  BotWebSession,
  Confirmation,
  OfferAsset,
  OffersQuery,
  SendOfferInput,
  SentOffer,
  SteamTradePort,
  TradedAsset,
  TradeOfferView,
  TradeStatusView,
} from './types.ts';

export interface TradeClientOptions {
  /** https://steamcommunity.com in production; the emulator's URL locally. */
  communityUrl: URL;
  /** https://api.steampowered.com in production; the emulator's URL locally. */
  webApiUrl: URL;
  timeoutMs?: number;
}

type Json = Record<string, unknown>;

// Steam checks Referer/Origin against its own host, whatever host we reach it by (steam.md §4.1).
const STEAM_ORIGIN = 'https://steamcommunity.com';

const s = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const n = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' ? Number(v) || 0 : 0);
const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

function assetsOf(v: unknown): OfferAsset[] {
  return arr(v).map((a) => ({ assetId: s(a.assetid), contextId: s(a.contextid) || '2' }));
}

function offerOf(o: Json): TradeOfferView {
  return {
    offerId: s(o.tradeofferid),
    partnerAccountId: n(o.accountid_other),
    message: s(o.message),
    state: n(o.trade_offer_state),
    isOurOffer: o.is_our_offer === true,
    tradeId: o.tradeid === undefined || o.tradeid === '0' ? undefined : s(o.tradeid),
    timeCreated: n(o.time_created),
    timeUpdated: n(o.time_updated),
    escrowEndDate: n(o.escrow_end_date),
    itemsToGive: assetsOf(o.items_to_give),
    itemsToReceive: assetsOf(o.items_to_receive),
  };
}

function tradedOf(v: unknown): TradedAsset[] {
  return arr(v).map((a) => ({
    assetId: s(a.assetid),
    contextId: s(a.contextid) || '2',
    newAssetId: a.new_assetid === undefined ? undefined : s(a.new_assetid),
    newContextId: a.new_contextid === undefined ? undefined : s(a.new_contextid),
    rollbackNewAssetId: a.rollback_new_assetid === undefined ? undefined : s(a.rollback_new_assetid),
  }));
}

/**
 * Steam's trade surfaces over HTTP (steam.md §4, §6): the same code against Steam and the
 * emulator; only the base URLs differ. Every failure is a SteamTradeError whose kind says what to
 * do; a dead session is always `session_expired` (§7.2), whichever way Steam says it.
 */
export class SteamTradeClient implements SteamTradePort {
  readonly #o: Required<TradeClientOptions>;
  /** Steam's clock minus ours, seconds (QueryTime, §6.2): confirmation keys must use Steam's time. */
  #timeOffset: number | undefined;
  /** Last time used per account and tag: Steam takes an allow/cancel key once (SC bumps by a second). */
  readonly #usedTimes = new Map<string, number>();

  constructor(opts: TradeClientOptions) {
    this.#o = { timeoutMs: 15_000, ...opts };
  }

  #cookies(sess: BotWebSession): string {
    return `sessionid=${sess.sessionId}; steamLoginSecure=${sess.steamLoginSecure}`;
  }

  async #fetch(action: string, url: URL, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, {
        ...init,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#o.timeoutMs),
      });
    } catch (err) {
      throw new SteamTradeError('unavailable', action, (err as Error).message, { cause: err });
    }
  }

  /** A community form POST (send, cancel, decline, acknowledge). */
  async #community(
    action: string,
    path: string,
    form: Record<string, string>,
    sess: BotWebSession,
    referer: string,
  ) {
    const res = await this.#fetch(action, new URL(path.replace(/^\//, ''), this.#o.communityUrl), {
      method: 'POST',
      headers: {
        cookie: this.#cookies(sess),
        'content-type': 'application/x-www-form-urlencoded',
        referer,
        origin: STEAM_ORIGIN,
      },
      body: new URLSearchParams({ sessionid: sess.sessionId, ...form }).toString(),
    });
    const text = await res.text();
    this.#checkCommunity(action, res, text);
    try {
      return JSON.parse(text) as Json;
    } catch {
      throw new SteamTradeError('unavailable', action, 'Steam answered something that is not JSON', {
        status: res.status,
      });
    }
  }

  #checkCommunity(action: string, res: Response, text: string): void {
    if (res.status === 401 || res.status === 403 || /\/login/.test(res.headers.get('location') ?? ''))
      throw new SteamTradeError('session_expired', action, `not logged in (HTTP ${res.status})`, {
        status: res.status,
      });
    if (res.status === 429) throw new SteamTradeError('rate_limited', action, 'HTTP 429', { status: 429 });
    if (res.status >= 300) {
      let strError: string | undefined;
      try {
        strError = s((JSON.parse(text) as Json).strError) || undefined;
      } catch {
        // not JSON
      }
      const eresult = eresultOf(strError);
      if (eresult !== undefined)
        throw new SteamTradeError('eresult', action, strError ?? `EResult ${eresult}`, {
          status: res.status,
          eresult,
        });
      throw new SteamTradeError('unavailable', action, `HTTP ${res.status}`, { status: res.status });
    }
    if (/Not Logged In|g_steamID = false/.test(text.slice(0, 2000)) && !text.startsWith('{'))
      throw new SteamTradeError('session_expired', action, 'Steam shows a sign-in page', {
        status: res.status,
      });
  }

  /** An IEconService WebAPI GET with the session's access token (TOM's useAccessToken, §4.1). */
  async #webapi(method: string, sess: BotWebSession, params: Record<string, string>): Promise<Json> {
    const url = new URL(`IEconService/${method}/v1/`, this.#o.webApiUrl);
    url.search = new URLSearchParams({ access_token: sess.accessToken, ...params }).toString();
    const res = await this.#fetch(method, url, { method: 'GET' });
    const text = await res.text();
    // An expired token: 403 HTML "Access is denied" (TOM#350).
    if (res.status === 401 || res.status === 403)
      throw new SteamTradeError('session_expired', method, `access token refused (HTTP ${res.status})`, {
        status: res.status,
      });
    if (res.status === 429) throw new SteamTradeError('rate_limited', method, 'HTTP 429', { status: 429 });
    const xe = Number(res.headers.get('x-eresult') ?? '1');
    let body: Json | undefined;
    try {
      body = JSON.parse(text) as Json;
    } catch {
      body = undefined;
    }
    const response = (body?.response ?? undefined) as Json | undefined;
    const empty = !response || Object.keys(response).length === 0;
    if (res.status >= 500 && xe === 1)
      throw new SteamTradeError('unavailable', method, `HTTP ${res.status}`, { status: res.status });
    // TOM webapi.js: x-eresult 2 with a non-empty body is Steam's bogus failure; take the body.
    if (xe !== 1 && !(xe === 2 && !empty))
      throw new SteamTradeError('eresult', method, `x-eresult ${xe}`, { status: res.status, eresult: xe });
    if (!body || res.status >= 300)
      throw new SteamTradeError('unavailable', method, `HTTP ${res.status}`, { status: res.status });
    return response ?? {};
  }

  async sendOffer(sess: BotWebSession, input: SendOfferInput): Promise<SentOffer> {
    const side = (assets: OfferAsset[]) => ({
      assets: assets.map((a) => ({ appid: 730, contextid: a.contextId, amount: 1, assetid: a.assetId })),
      currency: [],
      ready: false,
    });
    const body = await this.#community(
      'send',
      '/tradeoffer/new/send',
      {
        serverid: '1',
        partner: input.partnerSteamId,
        tradeoffermessage: input.message.slice(0, 128),
        json_tradeoffer: JSON.stringify({
          newversion: true,
          version: input.give.length + input.receive.length + 1,
          me: side(input.give),
          them: side(input.receive),
        }),
        captcha: '',
        trade_offer_create_params: JSON.stringify({ trade_offer_access_token: input.token }),
      },
      sess,
      `${STEAM_ORIGIN}/tradeoffer/new/?partner=${input.partnerAccountId}&token=${input.token}`,
    );
    const offerId = s(body.tradeofferid);
    if (!/^\d+$/.test(offerId))
      throw new SteamTradeError('unavailable', 'send', 'no tradeofferid in the answer');
    return {
      offerId,
      needsMobileConfirmation: body.needs_mobile_confirmation === true,
      needsEmailConfirmation: body.needs_email_confirmation === true,
    };
  }

  async cancelOffer(sess: BotWebSession, offerId: string): Promise<void> {
    await this.#community(
      'cancel',
      `/tradeoffer/${offerId}/cancel`,
      {},
      sess,
      `${STEAM_ORIGIN}/tradeoffer/${offerId}/`,
    );
  }

  async declineOffer(sess: BotWebSession, offerId: string): Promise<void> {
    await this.#community(
      'decline',
      `/tradeoffer/${offerId}/decline`,
      {},
      sess,
      `${STEAM_ORIGIN}/tradeoffer/${offerId}/`,
    );
  }

  async acknowledgeTradeProtection(sess: BotWebSession): Promise<void> {
    // SC acknowledgeTradeProtection posts to a path with a double slash (steam.md §4.3).
    await this.#community(
      'acknowledge',
      '/trade/new/acknowledge',
      { message: '1' },
      sess,
      `${STEAM_ORIGIN}/`,
    );
  }

  async #offers(sess: BotWebSession, params: Record<string, string>, key: string): Promise<TradeOfferView[]> {
    const out: TradeOfferView[] = [];
    let cursor = '0';
    for (let page = 0; page < 1000; page++) {
      const r = await this.#webapi('GetTradeOffers', sess, { ...params, get_descriptions: '0', cursor });
      out.push(...arr(r[key]).map(offerOf));
      cursor = s(r.next_cursor) || '0';
      if (cursor === '0') break;
    }
    return out;
  }

  getSentOffers(sess: BotWebSession, q: OffersQuery): Promise<TradeOfferView[]> {
    return this.#offers(
      sess,
      {
        get_sent_offers: '1',
        get_received_offers: '0',
        active_only: q.activeOnly ? '1' : '0',
        historical_only: '0',
        ...(q.historicalCutoff !== undefined ? { time_historical_cutoff: String(q.historicalCutoff) } : {}),
      },
      'trade_offers_sent',
    );
  }

  getReceivedActiveOffers(sess: BotWebSession): Promise<TradeOfferView[]> {
    return this.#offers(
      sess,
      { get_sent_offers: '0', get_received_offers: '1', active_only: '1', historical_only: '0' },
      'trade_offers_received',
    );
  }

  async getOffer(sess: BotWebSession, offerId: string): Promise<TradeOfferView | undefined> {
    try {
      const r = await this.#webapi('GetTradeOffer', sess, { tradeofferid: offerId, get_descriptions: '0' });
      return r.offer ? offerOf(r.offer as Json) : undefined;
    } catch (err) {
      // Unknown or foreign ids: an empty response with x-eresult 9 (FileNotFound).
      if (err instanceof SteamTradeError && err.eresult === 9) return undefined;
      throw err;
    }
  }

  async getTradeStatus(sess: BotWebSession, tradeId: string): Promise<TradeStatusView | undefined> {
    try {
      const r = await this.#webapi('GetTradeStatus', sess, { tradeid: tradeId, get_descriptions: '0' });
      const t = arr(r.trades)[0];
      if (!t) return undefined;
      return {
        tradeId: s(t.tradeid),
        status: n(t.status),
        assetsReceived: tradedOf(t.assets_received),
        assetsGiven: tradedOf(t.assets_given),
      };
    } catch (err) {
      if (err instanceof SteamTradeError && err.eresult === 9) return undefined;
      throw err;
    }
  }

  async getEscrowSeconds(
    sess: BotWebSession,
    partnerSteamId: string,
    token: string,
  ): Promise<number | undefined> {
    const r = await this.#webapi('GetTradeHoldDurations', sess, {
      steamid_target: partnerSteamId,
      trade_offer_access_token: token,
    });
    const both = r.both_escrow as Json | undefined;
    return both ? n(both.escrow_end_duration_seconds) : undefined;
  }

  async #serverTime(): Promise<number> {
    if (this.#timeOffset === undefined) {
      const res = await this.#fetch(
        'QueryTime',
        new URL('ITwoFactorService/QueryTime/v1/', this.#o.webApiUrl),
        {
          method: 'POST',
        },
      );
      const body = (await res.json().catch(() => ({}))) as Json;
      const t = n((body.response as Json | undefined)?.server_time);
      this.#timeOffset = t > 0 ? t - Math.floor(Date.now() / 1000) : 0;
    }
    return Math.floor(Date.now() / 1000) + this.#timeOffset;
  }

  async #mobileconf(
    action: string,
    path: string,
    sess: BotWebSession,
    creds: BotCredentials,
    tag: string,
    extra: Record<string, string> = {},
  ): Promise<Json> {
    const key = `${creds.steamId}:${tag}`;
    const time = Math.max(await this.#serverTime(), (this.#usedTimes.get(key) ?? 0) + 1);
    this.#usedTimes.set(key, time);
    const url = new URL(`mobileconf/${path}`, this.#o.communityUrl);
    url.search = new URLSearchParams({
      p: SteamTotp.getDeviceID(creds.steamId),
      a: creds.steamId,
      k: SteamTotp.getConfirmationKey(creds.identitySecret, time, tag),
      t: String(time),
      m: 'react',
      tag,
      ...extra,
    }).toString();
    const res = await this.#fetch(action, url, {
      method: 'GET',
      // SC f7fe587: Steam wants the app's user agent on /mobileconf (steam.md §6.3).
      headers: { cookie: this.#cookies(sess), 'user-agent': 'okhttp/4.9.2' },
    });
    const text = await res.text();
    this.#checkCommunity(action, res, text);
    let body: Json;
    try {
      body = JSON.parse(text) as Json;
    } catch {
      throw new SteamTradeError('unavailable', action, 'not JSON', { status: res.status });
    }
    if (body.needauth === true) throw new SteamTradeError('session_expired', action, 'needauth');
    if (body.success !== true) {
      const message = s(body.message) || 'success: false';
      // A wrong key can be a stale clock: ask Steam for the time again next call.
      if (/authenticator/i.test(message)) this.#timeOffset = undefined;
      const eresult = eresultOf(message);
      throw new SteamTradeError(eresult === undefined ? 'unavailable' : 'eresult', action, message, {
        ...(eresult === undefined ? {} : { eresult }),
      });
    }
    return body;
  }

  async getConfirmations(sess: BotWebSession, creds: BotCredentials): Promise<Confirmation[]> {
    const body = await this.#mobileconf('confirmations', 'getlist', sess, creds, 'list');
    return arr(body.conf).map((c) => ({
      id: s(c.id),
      nonce: s(c.nonce),
      creatorId: s(c.creator_id),
      type: n(c.type),
    }));
  }

  async respondToConfirmation(
    sess: BotWebSession,
    creds: BotCredentials,
    c: Confirmation,
    op: 'allow' | 'cancel',
  ): Promise<void> {
    await this.#mobileconf('confirm', 'ajaxop', sess, creds, op, { op, cid: c.id, ck: c.nonce });
  }

  async ownAssetIds(sess: BotWebSession): Promise<Array<{ assetId: string; contextId: string }>> {
    const out: Array<{ assetId: string; contextId: string }> = [];
    for (const ctx of ['2', '16']) {
      let start: string | undefined;
      for (let page = 0; page < 100; page++) {
        const url = new URL(`inventory/${sess.steamId}/730/${ctx}`, this.#o.communityUrl);
        url.search = new URLSearchParams({
          l: 'english',
          count: '1000',
          ...(start ? { start_assetid: start } : {}),
        }).toString();
        const res = await this.#fetch('inventory', url, { headers: { cookie: this.#cookies(sess) } });
        const text = await res.text();
        if (res.status === 403)
          throw new SteamTradeError('session_expired', 'inventory', 'HTTP 403 on own inventory');
        if (res.status === 429) throw new SteamTradeError('rate_limited', 'inventory', 'HTTP 429');
        if (!res.ok)
          throw new SteamTradeError('unavailable', 'inventory', `HTTP ${res.status}`, { status: res.status });
        const body = JSON.parse(text) as Json;
        for (const a of arr(body.assets)) out.push({ assetId: s(a.assetid), contextId: ctx });
        if (body.more_items !== 1 && body.more_items !== true) break;
        start = s(body.last_assetid);
      }
    }
    return out;
  }
}
