// The libraries most Steam trading bots and sign-ins use — steam-tradeoffer-manager 2.13.0, steamcommunity 3.50.3,
// steam-totp 2.1.2, and openid 2.0.18 under passport-steam 1.0.18 — run unchanged against a live emulator, for what a
// trading bot and a sign-in do (issue 9 item 6). They believe they talk to https://steamcommunity.com and
// https://api.steampowered.com: test/libraries/steam-hosts.ts says how, without touching their code.
//
// Where the emulator cannot follow Steam:
// - Login: steamcommunity's login() goes through steam-session, i.e. IAuthenticationService's protobuf calls, which the
//   emulator offers at the library boundary only (README, steam.md §10 row 17). The bot therefore logs in with
//   POST /_emulator/auth/login (password + a steam-totp code) and hands the cookies it gets to setCookies(), as a bot
//   does with steam-session's getWebCookies().
// - steam-user (the CM connection: `tradeOffers`/`newItems` notifications that make TOM poll early) is not emulated;
//   the managers find changes by polling, TOM's default.
import assert from 'node:assert/strict';
import type { EventEmitter } from 'node:events';
import { after, before, test } from 'node:test';
import { controlJson, startEmulator, type Harness } from './offers.helpers.ts';
import {
  call,
  openid,
  SteamCommunityCtor,
  SteamStrategy,
  steamTotp,
  TradeOfferManagerLib,
  type EconItem,
  type PassportStrategy,
  type RelyingParty,
  type SteamCommunity,
  type TradeOffer,
  type TradeOfferManager,
} from './libraries/libraries.ts';
import { redirectSteamHosts, steamCertificate, type SteamHosts } from './libraries/steam-hosts.ts';

const { EOfferFilter, ETradeOfferState, EConfirmationMethod, ETradeStatus } = TradeOfferManagerLib;
const certificate = steamCertificate();
const skip =
  certificate === undefined ? 'needs openssl to make a certificate for the Steam host names' : false;

interface Account {
  steamid: string;
  accountId: number;
  accountName: string;
  password: string;
  persona: string;
  sharedSecret: string;
  identitySecret: string;
  tradeToken: string;
  apiKey: string;
}

/** One logged-in party: its community session and a trade-offer manager polling for it. */
interface Party {
  account: Account;
  community: SteamCommunity;
  manager: TradeOfferManager;
  refreshToken: string;
}

let h: Harness;
let hosts: SteamHosts | undefined;
let bot: Party;
let user: Party;
const startedAt = new Date();

async function account(steamid: string): Promise<Account> {
  return (await controlJson(h.base, 'GET', `/_emulator/accounts/${steamid}`)).body as unknown as Account;
}

/** steam-totp syncs with QueryTime and makes the Steam Guard code; the emulator's login answers the web cookies. */
async function logIn(acc: Account): Promise<{ cookies: string[]; refreshToken: string }> {
  const [offset] = await call<[number, number]>((cb) => steamTotp.getTimeOffset(cb));
  const res = await controlJson(h.base, 'POST', '/_emulator/auth/login', {
    account_name: acc.accountName,
    password: acc.password,
    two_factor_code: steamTotp.generateAuthCode(acc.sharedSecret, offset),
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { cookies: res.body['cookies'] as string[], refreshToken: res.body['refresh_token'] as string };
}

async function party(steamid: string): Promise<Party> {
  const acc = await account(steamid);
  const { cookies, refreshToken } = await logIn(acc);
  const community = new SteamCommunityCtor();
  // language 'en': TOM resolves item descriptions through GetAssetClassInfo and checks offers for "glitched" items.
  const manager = new TradeOfferManagerLib({
    community,
    language: 'en',
    pollInterval: 1000,
    dataDirectory: null,
  });
  await call<[]>((cb) => manager.setCookies(cookies, cb));
  return { account: acc, community, manager, refreshToken };
}

/** Resolves with the first `event` whose arguments match; a deadline, not a timing assertion. */
function nextEvent<T extends unknown[]>(
  emitter: EventEmitter,
  event: string,
  match: (...args: T) => boolean,
  ms = 20_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const listener = (...args: unknown[]): void => {
      if (!match(...(args as T))) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(args as T);
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`no matching ${event} within ${ms} ms`));
    }, ms);
    emitter.on(event, listener);
  });
}

const tradeUrlOf = (acc: Account): string =>
  `https://steamcommunity.com/tradeoffer/new/?partner=${acc.accountId}&token=${acc.tradeToken}`;

async function tradableOf(owner: Party, of: Party): Promise<EconItem[]> {
  const [items] = await call<[EconItem[]]>((cb) =>
    owner.manager.getUserInventoryContents(of.account.steamid, 730, 2, true, cb),
  );
  return items;
}

/** The bot asks for one of the user's items: no confirmation needed (it gives nothing). */
async function ask(item: EconItem): Promise<TradeOffer> {
  const offer = bot.manager.createOffer(tradeUrlOf(user.account));
  offer.addTheirItem(item);
  const [status] = await call<['sent' | 'pending']>((cb) => offer.send(cb));
  assert.equal(status, 'sent');
  return offer;
}

before(async () => {
  if (certificate === undefined) return;
  h = await startEmulator();
  hosts = await redirectSteamHosts(Number(new URL(h.base).port), certificate);
  bot = await party(h.world.bots()[0]!.steamid);
  user = await party(h.world.users()[0]!.steamid);
});

after(async () => {
  bot?.manager.shutdown();
  user?.manager.shutdown();
  await hosts?.close();
  await h?.close();
});

/** openid's callbacks carry `{message}` objects, not Errors. */
function rpCall<T>(fn: (cb: (err: { message: string } | null, result?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    fn((err, result) => (err ? reject(new Error(err.message)) : resolve(result as T)));
  });
}

/** The browser's part: the emulator's login page, auto-approved for `steamid`, answers with the redirect to return_to. */
async function signIn(authUrl: string, steamid: string): Promise<string> {
  assert.ok(authUrl.startsWith('https://steamcommunity.com/openid/login?'), authUrl);
  await controlJson(h.base, 'POST', '/_emulator/openid/auto', { steamid });
  const res = await fetch(authUrl.replace('https://steamcommunity.com', h.base), { redirect: 'manual' });
  assert.equal(res.status, 302);
  return res.headers.get('location')!;
}

test(
  'openid: discovers Steam at /openid and verifies an assertion after clock/advance; a forged one fails',
  { skip },
  async () => {
    const returnUrl = 'https://platform.example/auth/steam/return?state=abc';
    const rp: RelyingParty = new openid.RelyingParty(returnUrl, 'https://platform.example/', true, true, []);
    // Ten minutes ahead: a nonce stamped with the world clock would be outside openid's ±5 min freshness window.
    await controlJson(h.base, 'POST', '/_emulator/clock/advance', { seconds: 600 });
    try {
      const authUrl = await rpCall<string>((cb) =>
        rp.authenticate('https://steamcommunity.com/openid', false, cb),
      );
      const location = await signIn(authUrl, user.account.steamid);
      const result = await rpCall<{ authenticated: boolean; claimedIdentifier?: string }>((cb) =>
        rp.verifyAssertion(location, cb),
      );
      assert.equal(result.authenticated, true);
      assert.equal(result.claimedIdentifier, `https://steamcommunity.com/openid/id/${user.account.steamid}`);

      // Someone else's id in a genuine assertion: discovery on that claimed id passes, check_authentication does not.
      const forged = new URL(await signIn(authUrl, user.account.steamid));
      const victim = `https://steamcommunity.com/openid/id/${bot.account.steamid}`;
      forged.searchParams.set('openid.claimed_id', victim);
      forged.searchParams.set('openid.identity', victim);
      await assert.rejects(
        rpCall((cb) => rp.verifyAssertion(forged.toString(), cb)),
        /Invalid signature/,
      );
    } finally {
      await controlJson(h.base, 'POST', '/_emulator/clock/advance', { seconds: -600 });
      await controlJson(h.base, 'POST', '/_emulator/openid/auto', { steamid: null });
    }
  },
);

test(
  'passport-steam: redirects to Steam, then signs the user in with its GetPlayerSummaries profile',
  { skip },
  async () => {
    const strategy: PassportStrategy = new SteamStrategy(
      {
        returnURL: 'https://platform.example/auth/steam/return',
        realm: 'https://platform.example/',
        apiKey: bot.account.apiKey,
      },
      (identifier, profile, done) => done(null, { identifier, profile }),
    );
    // What passport's middleware does with a strategy: call authenticate(req) and wait for one of four outcomes.
    const run = (req: Record<string, unknown>) =>
      new Promise<{ redirect?: string; user?: unknown; fail?: unknown; error?: Error }>((resolve) => {
        strategy.redirect = (url) => resolve({ redirect: url });
        strategy.success = (u) => resolve({ user: u });
        strategy.fail = (info) => resolve({ fail: info });
        strategy.error = (err) => resolve({ error: err });
        strategy.authenticate(req, {});
      });
    const start = await run({ method: 'GET', url: '/auth/steam', query: {}, headers: {} });
    assert.ok(start.redirect, JSON.stringify(start));
    const location = new URL(await signIn(start.redirect, user.account.steamid));
    const back = await run({
      method: 'GET',
      url: `${location.pathname}${location.search}`,
      query: Object.fromEntries(location.searchParams),
      headers: {},
    });
    assert.equal(back.error, undefined, back.error?.stack);
    const signedIn = back.user as { identifier: string; profile: { id: string; displayName: string } };
    assert.equal(signedIn.identifier, `https://steamcommunity.com/openid/id/${user.account.steamid}`);
    assert.equal(signedIn.profile.id, user.account.steamid);
    assert.equal(signedIn.profile.displayName, user.account.persona);
    await controlJson(h.base, 'POST', '/_emulator/openid/auto', { steamid: null });
  },
);

test('steam-totp: the time offset follows the world clock and its code logs in', { skip }, async () => {
  await controlJson(h.base, 'POST', '/_emulator/clock/advance', { seconds: 90 });
  try {
    const [offset] = await call<[number, number]>((cb) => steamTotp.getTimeOffset(cb));
    assert.ok(Math.abs(offset - 90) <= 1, `offset ${offset}`);
    // A third account: logging in supersedes the access token, so not one of the two sessions in use.
    await logIn(await account(h.world.users()[1]!.steamid));
  } finally {
    await controlJson(h.base, 'POST', '/_emulator/clock/advance', { seconds: -90 });
  }
});

test(
  'steamcommunity: getSteamUser, getUserInventoryContents, getTradeURL and changeTradeURL',
  { skip },
  async () => {
    const [profile] = await call<
      [{ name: string; steamID: { getSteamID64(): string }; privacyState: string }]
    >((cb) => bot.community.getSteamUser(user.community.steamID!, cb));
    assert.equal(profile.name, user.account.persona);
    assert.equal(profile.steamID.getSteamID64(), user.account.steamid);
    assert.equal(profile.privacyState, 'public');

    // A stranger sees the tradable items of context 2 (locked ones are hidden from others, steam.md §3.1).
    const [theirs, , total] = await call<[EconItem[], unknown[], number]>((cb) =>
      bot.community.getUserInventoryContents(user.account.steamid, 730, 2, true, 'english', cb),
    );
    const now = h.world.clock.now();
    const expected = h.world
      .inventory(user.account.steamid, '2')
      .list()
      .filter((a) => a.tradableAfter <= now && h.world.description(a).tradable === 1);
    assert.deepEqual(theirs.map((i) => i.assetid).sort(), expected.map((a) => a.assetid).sort());
    assert.equal(total, h.world.inventory(user.account.steamid, '2').size);
    assert.ok(theirs.every((i) => typeof i.market_hash_name === 'string' && i.tradable));
    const [own] = await call<[EconItem[]]>((cb) => user.manager.getInventoryContents(730, 2, false, cb));
    assert.equal(own.length, h.world.inventory(user.account.steamid, '2').size, 'the owner sees everything');

    const [url, token] = await call<[string, string]>((cb) => user.community.getTradeURL(cb));
    assert.equal(url, tradeUrlOf(user.account));
    assert.equal(token, user.account.tradeToken);
    const [viaManager] = await call<[string]>((cb) => user.manager.getOfferToken(cb));
    assert.equal(viaManager, token);
    const [newUrl, newToken] = await call<[string, string]>((cb) => user.community.changeTradeURL(cb));
    assert.notEqual(newToken, token);
    assert.equal(h.world.account(user.account.steamid)?.tradeToken, newToken);
    assert.equal((await call<[string, string]>((cb) => user.community.getTradeURL(cb)))[1], newToken);
    assert.equal(
      newUrl,
      `https://steamcommunity.com/tradeoffer/new/?partner=${user.account.accountId}&token=${newToken}`,
    );
    user.account.tradeToken = newToken;
  },
);

test('getUserDetails reads the trade window: personas, escrow days, avatars', { skip }, async () => {
  const offer = bot.manager.createOffer(tradeUrlOf(user.account));
  const [me, them] = await call<
    [
      { personaName: string; escrowDays: number; avatarIcon?: string },
      { personaName: string; escrowDays: number; probation: boolean; avatarIcon?: string },
    ]
  >((cb) => offer.getUserDetails(cb));
  assert.equal(me.personaName, bot.account.persona);
  assert.equal(them.personaName, user.account.persona);
  assert.deepEqual([me.escrowDays, them.escrowDays, them.probation], [0, 0, false]);
  assert.match(me.avatarIcon ?? '', /\.jpg$/);
  assert.match(them.avatarIcon ?? '', /\.jpg$/);
});

let accepted: TradeOffer | undefined;

test(
  'a trade: send, acceptConfirmationForObject, sentOfferChanged/newOffer, accept (pending), user confirms',
  { skip },
  async () => {
    const [botItem] = (
      await call<[EconItem[]]>((cb) => bot.manager.getInventoryContents(730, 2, true, cb))
    )[0];
    const [userItem] = await tradableOf(bot, user);
    const offer = bot.manager.createOffer(tradeUrlOf(user.account));
    offer.addMyItem(botItem!);
    offer.addTheirItem(userItem!);
    offer.setMessage('libraries test');
    const [status] = await call<['sent' | 'pending']>((cb) => offer.send(cb));
    // The bot gives an item: state 9 until its phone confirms (steam.md §4.2).
    assert.equal(status, 'pending');
    assert.equal(offer.state, ETradeOfferState['CreatedNeedsConfirmation']);
    assert.equal(offer.confirmationMethod, EConfirmationMethod.MobileApp);

    const confirmedSeen = nextEvent<[TradeOffer, number]>(
      bot.manager,
      'sentOfferChanged',
      (o) => o.id === offer.id,
    );
    const arrived = nextEvent<[TradeOffer]>(user.manager, 'newOffer', (o) => o.id === offer.id);
    await call<[]>((cb) =>
      bot.community.acceptConfirmationForObject(bot.account.identitySecret, offer.id!, cb),
    );
    const [changed, was] = await confirmedSeen;
    assert.deepEqual(
      [was, changed.state],
      [ETradeOfferState['CreatedNeedsConfirmation'], ETradeOfferState['Active']],
    );
    const [incoming] = await arrived;
    assert.equal(incoming.isOurOffer, false);
    assert.deepEqual(
      [incoming.itemsToGive.map((i) => i.assetid), incoming.itemsToReceive.map((i) => i.assetid)],
      [[userItem!.assetid], [botItem!.assetid]],
    );
    assert.ok(
      incoming.itemsToReceive.every((i) => typeof i.name === 'string'),
      'descriptions resolved',
    );

    const [fromOfferPage] = await call<[{ personaName: string }, { personaName: string }]>((cb) =>
      incoming.getUserDetails(cb),
    );
    assert.equal(fromOfferPage.personaName, user.account.persona);

    // The user gives an item too: its acceptance waits for its own phone (§4.3).
    const [result] = await call<['accepted' | 'pending' | 'escrow']>((cb) => incoming.accept(cb));
    assert.equal(result, 'pending');
    const done = nextEvent<[TradeOffer, number]>(
      bot.manager,
      'sentOfferChanged',
      (o) => o.id === offer.id && o.state === ETradeOfferState['Accepted'],
    );
    await call<[]>((cb) =>
      user.community.acceptConfirmationForObject(user.account.identitySecret, incoming.id!, cb),
    );
    [accepted] = await done;
    assert.match(accepted.tradeID ?? '', /^\d+$/);
  },
);

test('getExchangeDetails and getReceivedItems give the new asset ids of the trade', { skip }, async () => {
  assert.ok(accepted, 'the trade of the previous test');
  const [status, , received, given] = await call<[number, Date, EconItem[], EconItem[]]>((cb) =>
    accepted!.getExchangeDetails(cb),
  );
  assert.equal(status, ETradeStatus['Complete']);
  assert.deepEqual(
    [received.map((i) => i.assetid), given.map((i) => i.assetid)],
    [accepted.itemsToReceive.map((i) => i.assetid), accepted.itemsToGive.map((i) => i.assetid)],
  );
  const [got] = received;
  assert.match(got?.new_assetid ?? '', /^\d+$/);
  assert.equal(got?.new_contextid, '16', 'trade-protected receipt (steam.md §4.8)');
  assert.ok(
    h.world.inventory(bot.account.steamid, '16').get(String(got?.new_assetid)),
    'the item is in the bot context 16',
  );

  const [items] = await call<[EconItem[]]>((cb) => accepted!.getReceivedItems(cb));
  assert.deepEqual(
    items.map((i) => [i.assetid, i.contextid]),
    received.map((i) => [i.new_assetid, i.new_contextid]),
  );
  assert.equal(items[0]?.market_hash_name, got?.market_hash_name);
});

test('decline and cancel: sentOfferChanged to 7, receivedOfferChanged to 6', { skip }, async () => {
  const [first, second] = await tradableOf(bot, user);
  const toDecline = await ask(first!);
  const [incoming] = await nextEvent<[TradeOffer]>(user.manager, 'newOffer', (o) => o.id === toDecline.id);
  const declined = nextEvent<[TradeOffer, number]>(
    bot.manager,
    'sentOfferChanged',
    (o) => o.id === toDecline.id,
  );
  await call<[]>((cb) => incoming.decline(cb));
  assert.equal((await declined)[0].state, ETradeOfferState['Declined']);

  const toCancel = await ask(second!);
  await nextEvent<[TradeOffer]>(user.manager, 'newOffer', (o) => o.id === toCancel.id);
  const withdrawn = nextEvent<[TradeOffer, number]>(
    user.manager,
    'receivedOfferChanged',
    (o) => o.id === toCancel.id,
  );
  await call<[]>((cb) => toCancel.cancel(cb));
  const [seen, was] = await withdrawn;
  assert.deepEqual([was, seen.state], [ETradeOfferState['Active'], ETradeOfferState['Canceled']]);
});

test(
  'an offer whose item is no longer owned: 8 InvalidItems, item missing; accepting fails with 26',
  { skip },
  async () => {
    const [item] = await tradableOf(bot, user);
    const stale = await ask(item!);
    const [staleIncoming] = await nextEvent<[TradeOffer]>(user.manager, 'newOffer', (o) => o.id === stale.id);
    // The same item goes to the bot in another trade first.
    const other = await ask(item!);
    const [otherIncoming] = await nextEvent<[TradeOffer]>(user.manager, 'newOffer', (o) => o.id === other.id);
    const invalid = nextEvent<[TradeOffer, number]>(
      bot.manager,
      'sentOfferChanged',
      (o) => o.id === stale.id && o.state === ETradeOfferState['InvalidItems'],
    );
    assert.equal(
      (await call<['accepted' | 'pending' | 'escrow']>((cb) => otherIncoming.accept(cb)))[0],
      'pending',
    );
    await call<[]>((cb) =>
      user.community.acceptConfirmationForObject(user.account.identitySecret, other.id!, cb),
    );
    const [gone] = await invalid;
    assert.equal(gone.itemsToReceive[0]?.missing, true);
    await assert.rejects(
      call((cb) => staleIncoming.accept(cb)),
      (err: Error & { eresult?: number }) => err.eresult === 26,
    );
  },
);

test(
  'getOffers(All) returns every offer; getOffers(HistoricalOnly) only finished ones',
  { skip },
  async () => {
    const [item] = await tradableOf(bot, user);
    const open = await ask(item!);
    const [allSent, allReceived] = await call<[TradeOffer[], TradeOffer[]]>((cb) =>
      bot.manager.getOffers(EOfferFilter.All, new Date(Date.now() + 31_536_000_000), cb),
    );
    const known = ((await controlJson(h.base, 'GET', `/_emulator/accounts/${bot.account.steamid}/offers`))
      .body['offers'] ?? []) as Array<{
      tradeofferid: string;
      trade_offer_state: number;
      is_our_offer: boolean;
    }>;
    const states = (list: Array<{ id: string | null; state: number }>) =>
      Object.fromEntries(list.map((o): [string, number] => [String(o.id), o.state]));
    assert.deepEqual(
      states(allSent),
      Object.fromEntries(
        known.filter((o) => o.is_our_offer).map((o) => [o.tradeofferid, o.trade_offer_state]),
      ),
    );
    assert.equal(allReceived.length, known.filter((o) => !o.is_our_offer).length);
    assert.ok(
      new Set(allSent.map((o) => o.state)).size >= 4,
      'accepted, declined, canceled, invalid, active…',
    );

    const [historical] = await call<[TradeOffer[], TradeOffer[]]>((cb) =>
      bot.manager.getOffers(EOfferFilter.HistoricalOnly, new Date(startedAt.getTime() - 60_000), cb),
    );
    assert.ok(!historical.some((o) => o.id === open.id), 'the open offer is not historical');
    assert.deepEqual(
      historical.map((o) => o.id).sort(),
      allSent
        .filter(
          (o) =>
            o.state !== ETradeOfferState['Active'] &&
            o.state !== ETradeOfferState['CreatedNeedsConfirmation'],
        )
        .map((o) => o.id)
        .sort(),
    );
    await call<[]>((cb) => open.cancel(cb));
  },
);

test(
  'session expiry: WebAPI 403 and community 401/login redirects emit sessionExpired; new cookies recover',
  { skip },
  async () => {
    await controlJson(h.base, 'POST', `/_emulator/accounts/${bot.account.steamid}/expire-session`);
    const managerExpired = nextEvent<[Error]>(bot.manager, 'sessionExpired', () => true);
    await assert.rejects(
      call((cb) => bot.manager.getOffers(EOfferFilter.ActiveOnly, new Date(), cb)),
      /HTTP error 403/,
    );
    await managerExpired;
    const communityExpired = nextEvent<[Error]>(bot.community, 'sessionExpired', () => true);
    await assert.rejects(
      call((cb) => bot.community.getTradeURL(cb)),
      /Not Logged In/,
    );
    await communityExpired;
    const [item] = (await call<[EconItem[]]>((cb) => user.manager.getInventoryContents(730, 2, true, cb)))[0];
    const refused = bot.manager.createOffer(tradeUrlOf(user.account));
    refused.addTheirItem(item!);
    await assert.rejects(
      call((cb) => refused.send(cb)),
      /Not Logged In/,
    );

    // What a bot does on sessionExpired: fresh web cookies from its refresh token, then setCookies again.
    const renewed = await controlJson(h.base, 'POST', '/_emulator/auth/refresh', {
      refresh_token: bot.refreshToken,
    });
    assert.equal(renewed.status, 200, JSON.stringify(renewed.body));
    await call<[]>((cb) => bot.manager.setCookies(renewed.body['cookies'] as string[], cb));
    const [sent] = await call<[TradeOffer[], TradeOffer[]]>((cb) =>
      bot.manager.getOffers(EOfferFilter.ActiveOnly, new Date(), cb),
    );
    assert.ok(Array.isArray(sent));
    assert.equal(
      (await call<[string, string]>((cb) => bot.community.getTradeURL(cb)))[1],
      bot.account.tradeToken,
    );
  },
);
