// Test harness for the offer surfaces: a small generated world served on port 0, and a Steam client written from
// steam.md alone (cookies, form posts, Referer, HMAC confirmation keys) — no platform Steam code, no mocks.
import { createHmac, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildEmulatorApp } from '../src/app.ts';
import { generateWorld } from '../src/world/generate.ts';
import type { World } from '../src/world/world.ts';

export interface Harness {
  app: FastifyInstance;
  world: World;
  base: string;
  close(): Promise<void>;
}

export async function startEmulator(world?: World): Promise<Harness> {
  const w =
    world ??
    generateWorld({
      seed: 7,
      bots: 2,
      itemsPerBot: 25,
      users: 3,
      userItemsMin: 15,
      userItemsMax: 20,
      epoch: Math.floor(Date.now() / 1000),
    });
  const app = await buildEmulatorApp({ world: w });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { app, world: w, base: `http://127.0.0.1:${port}`, close: () => app.close() };
}

export interface AccountInfo {
  steamid: string;
  accountId: number;
  kind: 'bot' | 'user';
  tradeToken: string;
  accessToken: string;
  identitySecret: string;
  steamLoginSecure: string;
  refreshToken: string;
  persona: string;
}

export interface InventoryItem {
  assetid: string;
  contextid: string;
  classid: string;
  instanceid: string;
  tradable: boolean;
}

type Json = Record<string, unknown>;

function parseJson(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return { text };
  }
}

/** What a bot or a user's browser does against steamcommunity.com / api.steampowered.com (steam.md §4, §6). */
export class SteamClient {
  readonly base: string;
  readonly account: AccountInfo;
  readonly sessionid = randomBytes(12).toString('hex');

  constructor(base: string, account: AccountInfo) {
    this.base = base;
    this.account = account;
  }

  static async forAccount(base: string, steamid: string): Promise<SteamClient> {
    const res = await fetch(`${base}/_emulator/accounts/${steamid}`);
    return new SteamClient(base, (await res.json()) as AccountInfo);
  }

  /** Access tokens live ~24 h (§7.1): after a clock jump, exchange the refresh token like a bot would. */
  async refresh(): Promise<void> {
    const res = await fetch(`${this.base}/_emulator/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: this.account.refreshToken }),
    });
    const body = (await res.json()) as { access_token: string; steamLoginSecure: string };
    this.account.accessToken = body.access_token;
    this.account.steamLoginSecure = body.steamLoginSecure;
  }

  get cookie(): string {
    return `sessionid=${this.sessionid}; steamLoginSecure=${this.account.steamLoginSecure}`;
  }

  async postForm(
    path: string,
    fields: Record<string, string | string[]>,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Json }> {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) {
      if (Array.isArray(v)) for (const x of v) form.append(k, x);
      else form.append(k, v);
    }
    const res = await fetch(`${this.base}${path}`, {
      method: 'POST',
      headers: { cookie: this.cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: form.toString(),
    });
    return { status: res.status, body: parseJson(await res.text()) };
  }

  /** POST /tradeoffer/new/send exactly as §4.2 lists the fields and Referer. */
  async sendOffer(opts: {
    partner: AccountInfo;
    give: InventoryItem[];
    receive: InventoryItem[];
    token?: string | null;
    message?: string;
    sessionid?: string;
    referer?: string | null;
  }): Promise<{ status: number; body: Json }> {
    const asset = (i: InventoryItem) => ({
      appid: 730,
      contextid: i.contextid,
      amount: 1,
      assetid: i.assetid,
    });
    const token = opts.token === undefined ? opts.partner.tradeToken : opts.token;
    const referer =
      opts.referer === undefined
        ? `https://steamcommunity.com/tradeoffer/new/?partner=${opts.partner.accountId}${token === null ? '' : `&token=${token}`}`
        : opts.referer;
    return this.postForm(
      '/tradeoffer/new/send',
      {
        sessionid: opts.sessionid ?? this.sessionid,
        serverid: '1',
        partner: opts.partner.steamid,
        tradeoffermessage: opts.message ?? 'test offer',
        json_tradeoffer: JSON.stringify({
          newversion: true,
          version: opts.give.length + opts.receive.length + 1,
          me: { assets: opts.give.map(asset), currency: [], ready: false },
          them: { assets: opts.receive.map(asset), currency: [], ready: false },
        }),
        captcha: '',
        trade_offer_create_params: JSON.stringify(token === null ? {} : { trade_offer_access_token: token }),
      },
      referer === null ? {} : { referer },
    );
  }

  async acceptOffer(id: string, partnerSteamid: string): Promise<{ status: number; body: Json }> {
    return this.postForm(
      `/tradeoffer/${id}/accept`,
      { sessionid: this.sessionid, serverid: '1', tradeofferid: id, partner: partnerSteamid, captcha: '' },
      { referer: `https://steamcommunity.com/tradeoffer/${id}/` },
    );
  }

  /**
   * Accepts, then, when the acceptance waits for this account's confirmation (it gives items, §4.3), answers it as
   * its phone or mailbox would through the control API. `tradeid` is read back from the offer.
   */
  async acceptConfirmed(
    id: string,
    partnerSteamid: string,
  ): Promise<{ status: number; body: Json; tradeid: string | undefined }> {
    const res = await this.acceptOffer(id, partnerSteamid);
    if (res.body['needs_mobile_confirmation'] === true || res.body['needs_email_confirmation'] === true) {
      await fetch(`${this.base}/_emulator/accounts/${this.account.steamid}/offers/${id}/confirm`, {
        method: 'POST',
      });
    }
    const tradeid = (await this.offer(id))['tradeid'];
    return { ...res, tradeid: typeof tradeid === 'string' ? tradeid : undefined };
  }

  async webapi(
    method: string,
    params: Record<string, string | number> = {},
  ): Promise<{ status: number; eresult: string | null; body: Json }> {
    const qs = new URLSearchParams({ access_token: this.account.accessToken });
    for (const [k, v] of Object.entries(params)) qs.set(k, String(v));
    const res = await fetch(`${this.base}/IEconService/${method}/v1/?${qs.toString()}`);
    return { status: res.status, eresult: res.headers.get('x-eresult'), body: parseJson(await res.text()) };
  }

  async offer(id: string): Promise<Json> {
    const res = await this.webapi('GetTradeOffer', { tradeofferid: id });
    return (res.body['response'] as Json)['offer'] as Json;
  }

  /** Own inventory with cookies (owner view shows context 16 and locked items, steam.md §3.1). */
  async inventory(contextid: '2' | '16' = '2'): Promise<InventoryItem[]> {
    const res = await fetch(
      `${this.base}/inventory/${this.account.steamid}/730/${contextid}?l=english&count=1000`,
      {
        headers: { cookie: this.cookie },
      },
    );
    const body = (await res.json()) as {
      assets?: Array<{ assetid: string; contextid: string; classid: string; instanceid: string }>;
      descriptions?: Array<{ classid: string; instanceid: string; tradable: number }>;
    };
    const tradable = new Map(
      (body.descriptions ?? []).map((d) => [`${d.classid}_${d.instanceid}`, d.tradable === 1]),
    );
    return (body.assets ?? []).map((a) => ({
      ...a,
      tradable: tradable.get(`${a.classid}_${a.instanceid}`) ?? false,
    }));
  }

  async tradableItems(n: number): Promise<InventoryItem[]> {
    const items = (await this.inventory('2')).filter((i) => i.tradable);
    if (items.length < n) throw new Error(`only ${items.length} tradable items`);
    return items.slice(0, n);
  }

  // ---- mobile confirmations (steam.md §6.2, §6.3) ----

  confKey(time: number, tag: string): string {
    const buf = Buffer.alloc(8);
    buf.writeBigUInt64BE(BigInt(time));
    return createHmac('sha1', Buffer.from(this.account.identitySecret, 'base64'))
      .update(Buffer.concat([buf, Buffer.from(tag)]))
      .digest('base64');
  }

  async mobileconf(
    path: string,
    tag: string,
    time: number,
    extra: Record<string, string> = {},
    key?: string,
  ): Promise<Json> {
    const qs = new URLSearchParams({
      p: 'android:00000000-0000-0000-0000-000000000000',
      a: this.account.steamid,
      k: key ?? this.confKey(time, tag),
      t: String(time),
      m: 'react',
      tag,
      ...extra,
    });
    const res = await fetch(`${this.base}/mobileconf/${path}?${qs.toString()}`, {
      headers: { cookie: this.cookie, 'user-agent': 'okhttp/4.9.2' },
    });
    const text = await res.text();
    try {
      return JSON.parse(text) as Json;
    } catch {
      return { html: text };
    }
  }
}

export async function serverTime(base: string): Promise<number> {
  const res = await fetch(`${base}/_emulator/clock`);
  return ((await res.json()) as { now: number }).now;
}

/** Moves the world clock, then refreshes the clients' sessions (a jump of days outlives access tokens). */
export async function advanceClock(
  base: string,
  seconds: number,
  clients: SteamClient[] = [],
): Promise<void> {
  await fetch(`${base}/_emulator/clock/advance`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seconds }),
  });
  for (const client of clients) await client.refresh();
}

export async function controlJson(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

/** A fresh emulator with its first bot and first user, each with a logged-in client (one per test file). */
export async function startWithBotAndUser(): Promise<{ h: Harness; bot: SteamClient; user: SteamClient }> {
  const h = await startEmulator();
  const bot = h.world.bots()[0];
  const user = h.world.users()[0];
  if (bot === undefined || user === undefined) throw new Error('world too small');
  return {
    h,
    bot: await SteamClient.forAccount(h.base, bot.steamid),
    user: await SteamClient.forAccount(h.base, user.steamid),
  };
}
