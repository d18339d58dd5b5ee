// The trade client, the login port and the session wrapper against the emulator over HTTP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EResult, type ApiRequest, type ApiResponse, type ITransport } from 'steam-session';
import { startEmulator, type Emulator } from '@platform/testing';
import type { SteamTradeError } from '../src/index.ts';
import {
  BotSession,
  EmulatorAuth,
  LoginLimiter,
  MemoryLimiterStore,
  OfferState,
  SteamSessionAuth,
  SteamTradeClient,
  type BotCredentials,
} from '../src/index.ts';

let emu: Emulator;
let client: SteamTradeClient;
let bot: BotCredentials;
let user: { steamid: string; accountId: number; tradeToken: string };

const limits = { perIp: 100, global: 100, windowMs: 60_000, backoffMs: 1_000, maxBackoffMs: 8_000 };

function tradableAsset(steamId: string, skip = 0): string {
  const now = emu.world.clock.now();
  const list = emu.world
    .inventory(steamId, '2')
    .list()
    .filter((a) => a.tradableAfter <= now && a.casketCount === undefined);
  const a = list[skip];
  if (!a) throw new Error('no tradable asset');
  return a.assetid;
}

before(async () => {
  emu = await startEmulator({ seed: 5, bots: 1, itemsPerBot: 30, users: 2 });
  client = new SteamTradeClient({ communityUrl: emu.url, webApiUrl: emu.url, timeoutMs: 5_000 });
  const b = emu.world.bots()[0]!;
  bot = {
    steamId: b.steamid,
    accountName: b.accountName,
    password: b.password,
    sharedSecret: b.sharedSecret,
    identitySecret: b.identitySecret,
  };
  const u = emu.world.users()[0]!;
  user = { steamid: u.steamid, accountId: u.accountId, tradeToken: u.tradeToken };
});
after(() => emu.close());

describe('a bot session against the emulator', () => {
  test('logs in, sends, confirms, reads the offer and the trade, and a cancel ends it', async () => {
    const session = new BotSession({
      creds: bot,
      auth: new EmulatorAuth({ emulatorUrl: emu.url }),
      limiter: new LoginLimiter(new MemoryLimiterStore(), limits),
      ip: '127.0.0.1',
    });
    await session.call((s) => client.acknowledgeTradeProtection(s));
    const asset = tradableAsset(bot.steamId);
    const sent = await session.call((s) =>
      client.sendOffer(s, {
        partnerSteamId: user.steamid,
        partnerAccountId: String(user.accountId),
        token: user.tradeToken,
        give: [{ assetId: asset, contextId: '2' }],
        receive: [],
        message: 'Trade 1 · code ABC123 · ref 77',
      }),
    );
    assert.equal(sent.needsMobileConfirmation, true);
    const pending = await session.call((s) => client.getOffer(s, sent.offerId));
    assert.equal(pending?.state, OfferState.CreatedNeedsConfirmation);
    const confs = await session.call((s) => client.getConfirmations(s, bot));
    const conf = confs.find((c) => c.creatorId === sent.offerId);
    assert.ok(conf, 'the send waits for a confirmation');
    await session.call((s) => client.respondToConfirmation(s, bot, conf, 'allow'));
    const sentList = await session.call((s) =>
      client.getSentOffers(s, { activeOnly: true, historicalCutoff: 1 }),
    );
    const mine = sentList.find((o) => o.offerId === sent.offerId);
    assert.equal(mine?.state, OfferState.Active);
    assert.match(mine?.message ?? '', /ref 77/);

    // The user accepts: the trade's status names what moved.
    await emu.control('POST', `_emulator/accounts/${user.steamid}/offers/${sent.offerId}/accept`);
    const accepted = await session.call((s) => client.getOffer(s, sent.offerId));
    assert.equal(accepted?.state, OfferState.Accepted);
    const status = await session.call((s) => client.getTradeStatus(s, accepted.tradeId!));
    assert.equal(status?.assetsGiven[0]?.assetId, asset);
    assert.ok(status?.assetsGiven[0]?.newAssetId);

    // A second offer, canceled by the bot: state 6. Escrow: none between these two.
    const second = await session.call((s) =>
      client.sendOffer(s, {
        partnerSteamId: user.steamid,
        partnerAccountId: String(user.accountId),
        token: user.tradeToken,
        give: [{ assetId: tradableAsset(bot.steamId, 1), contextId: '2' }],
        receive: [],
        message: 'second',
      }),
    );
    await session.call((s) => client.cancelOffer(s, second.offerId));
    assert.equal((await session.call((s) => client.getOffer(s, second.offerId)))?.state, OfferState.Canceled);
    assert.equal(await session.call((s) => client.getEscrowSeconds(s, user.steamid, user.tradeToken)), 0);
    assert.equal(session.logins, 1);
  });

  test('an expired session is noticed by the call and a new login retries it', async () => {
    let sessions = 0;
    const session = new BotSession({
      creds: bot,
      auth: new EmulatorAuth({ emulatorUrl: emu.url }),
      limiter: new LoginLimiter(new MemoryLimiterStore(), limits),
      ip: '127.0.0.1',
      onSession: () => {
        sessions++;
      },
    });
    await session.call((s) => client.getSentOffers(s, { activeOnly: true, historicalCutoff: 1 }));
    await emu.control('POST', `_emulator/accounts/${bot.steamId}/expire-session`);
    // WebAPI (403 page), community POST (401) and mobileconf all recover through one renewal each.
    await session.call((s) => client.getSentOffers(s, { activeOnly: true, historicalCutoff: 1 }));
    await emu.control('POST', `_emulator/accounts/${bot.steamId}/expire-session`);
    await session.call((s) => client.getConfirmations(s, bot));
    await emu.control('POST', `_emulator/accounts/${bot.steamId}/expire-session`);
    await session.call((s) => client.acknowledgeTradeProtection(s));
    assert.equal(sessions, 4);
  });

  test('a wrong session reads as session_expired, a strError as its EResult', async () => {
    const dead = {
      steamId: bot.steamId,
      sessionId: 'x',
      steamLoginSecure: 'nope',
      accessToken: 'nope',
      refreshToken: undefined,
      accessTokenExpiresAt: 0,
    };
    await assert.rejects(client.cancelOffer(dead, '1'), (e: SteamTradeError) => e.kind === 'session_expired');
    await assert.rejects(
      client.getSentOffers(dead, { activeOnly: true }),
      (e: SteamTradeError) => e.kind === 'session_expired',
    );
    const session = new BotSession({
      creds: bot,
      auth: new EmulatorAuth({ emulatorUrl: emu.url }),
      limiter: new LoginLimiter(new MemoryLimiterStore(), limits),
      ip: '127.0.0.1',
    });
    await emu.setFault('tradeoffer.send', { eresult: 16, count: 1 });
    await assert.rejects(
      session.call((s) =>
        client.sendOffer(s, {
          partnerSteamId: user.steamid,
          partnerAccountId: String(user.accountId),
          token: user.tradeToken,
          give: [{ assetId: tradableAsset(bot.steamId, 2), contextId: '2' }],
          receive: [],
          message: 'x',
        }),
      ),
      (e: SteamTradeError) => e.kind === 'eresult' && e.eresult === 16 && e.maybeDone,
    );
    await emu.clearFaults();
  });
});

describe('login limits', () => {
  test('the emulator throttle (84) backs the IP off, and the limiter refuses before Steam is asked', async () => {
    await emu.control('PUT', '_emulator/settings', {
      loginLimits: { windowSeconds: 600, perIp: 2, perAccount: 50 },
    });
    let now = 1_000_000;
    const limiter = new LoginLimiter(new MemoryLimiterStore(() => now), limits, () => now);
    const auth = new EmulatorAuth({ emulatorUrl: emu.url });
    const mk = () => new BotSession({ creds: bot, auth, limiter, ip: '10.0.0.1' });
    let refused: SteamTradeError | undefined;
    for (let i = 0; i < 5 && !refused; i++) {
      await mk()
        .ensure()
        .catch((e: unknown) => {
          refused = e as SteamTradeError;
        });
    }
    assert.equal(refused?.kind, 'rate_limited');
    assert.equal(refused?.eresult, 84);
    // Backing off: the next try does not reach Steam.
    await assert.rejects(
      mk().ensure(),
      (e: SteamTradeError) => e.kind === 'rate_limited' && /backoff/.test(e.message),
    );
    now += 1_001;
    await emu.control('PUT', '_emulator/settings', {
      loginLimits: { windowSeconds: 600, perIp: 1000, perAccount: 1000 },
    });
    await mk().ensure();
  });

  test('per-IP and global budgets', async () => {
    const now = 5_000_000;
    const limiter = new LoginLimiter(
      new MemoryLimiterStore(() => now),
      { ...limits, perIp: 2, global: 3 },
      () => now,
    );
    assert.equal((await limiter.acquire('a', 'x')).ok, true);
    assert.equal((await limiter.acquire('a', 'y')).ok, true);
    assert.deepEqual(await limiter.acquire('a', 'z'), { ok: false, retryAtMs: 5_040_000, reason: 'ip' });
    assert.deepEqual(await limiter.acquire('b', 'z'), { ok: false, retryAtMs: 5_040_000, reason: 'global' });
  });
});

describe('steam-session in production', () => {
  test('drives IAuthenticationService up to the network boundary and maps its failure', async () => {
    const seen: ApiRequest[] = [];
    const transport: ITransport = {
      sendRequest(req: ApiRequest): Promise<ApiResponse> {
        seen.push(req);
        return Promise.resolve({ result: EResult.RateLimitExceeded, errorMessage: 'RateLimitExceeded' });
      },
      close() {},
    };
    const auth = new SteamSessionAuth({ transport });
    await assert.rejects(
      auth.login(bot),
      (e: SteamTradeError) => e.kind === 'rate_limited' && e.eresult === 84,
    );
    assert.equal(seen[0]?.apiInterface, 'Authentication');
    assert.equal(seen[0]?.apiMethod, 'GetPasswordRSAPublicKey');
    // The request message is protobuf-encoded: the account name travels in it.
    assert.ok(Buffer.from(seen[0]?.requestData as Uint8Array).includes(bot.accountName));
  });
});
