// Steam misbehaving while trades run: faults on random Steam endpoints (EResult 2/16/20/26, 5xx,
// 429 bursts, latency past the client's timeout) whenever fewer than 20% of the fleet's Steam
// calls failed so far, an outage of the offer endpoints, expired sessions. Every trade still
// ends settled or released (none stuck), no offer is sent twice, and no item or cent is lost.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SteamTradeClient, type SteamTradePort } from '@platform/steam';
import { startFleet, type Fleet } from './fleet.harness.ts';
import { FINAL, assertItems, assertMoney, assertNoDuplicateOffers } from './checks.ts';

let f: Fleet;
before(async () => {
  f = await startFleet({ bots: 2, itemsPerBot: 40, users: 8 });
});
after(() => f.close());

/** The real client, counting calls and failures (the fault rate the fleet met). */
function counting(inner: SteamTradePort, stats: { calls: number; failures: number }): SteamTradePort {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        stats.calls++;
        try {
          return await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } catch (err) {
          stats.failures++;
          throw err;
        }
      };
    },
  });
}

const RULES: Array<[string, Record<string, unknown>]> = [
  ['tradeoffer.send', { eresult: 16, count: 2 }],
  ['tradeoffer.send', { eresult: 2, count: 2 }],
  ['tradeoffer.send', { eresult: 20, count: 2 }],
  ['tradeoffer.send', { status5xx: 502, count: 2 }],
  ['tradeoffer.send', { eresult: 26, count: 2 }],
  ['tradeoffer.cancel', { eresult: 16, count: 2 }],
  ['GetTradeOffers', { status5xx: 500, count: 2 }],
  ['GetTradeOffers', { burst429: 2 }],
  ['GetTradeOffers', { latencyMs: 3_500 }],
  ['GetTradeOffers', { status5xx: 500, count: 4 }],
  ['GetTradeOffers', { eresult: 16, count: 4 }],
  ['GetTradeOffers', { burst429: 4 }],
  ['GetTradeOffers', { eresult: 20, count: 4 }],
  ['GetTradeOffer', { eresult: 16, count: 2 }],
  ['GetTradeStatus', { eresult: 16, count: 2 }],
  ['GetTradeHoldDurations', { status5xx: 503, count: 2 }],
  ['mobileconf.getlist', { eresult: 16, count: 2 }],
  ['mobileconf.ajaxop', { eresult: 2, count: 2 }],
  ['auth.refresh', { status5xx: 500, count: 2 }],
];

test(
  '~20% Steam faults: every trade ends settled or released, none stuck, nothing lost or doubled',
  { timeout: 200_000 },
  async () => {
    const stats = { calls: 0, failures: 0 };
    const env = f.tradebotEnv();
    const client = new SteamTradeClient({
      communityUrl: new URL(env.STEAM_COMMUNITY_URL!),
      webApiUrl: new URL(env.STEAM_WEB_API_URL!),
      timeoutMs: Number(env.STEAM_TIMEOUT_MS),
    });
    // Errors age out quickly here: a bot made unhealthy by the storm takes work again soon after.
    const tb = await f.startTradebot({ BOT_ERROR_WINDOW_MS: '5000', BOT_UNHEALTHY_ERRORS: '20' }, undefined, {
      steam: counting(client, stats),
    });
    const indexes = [0, 1, 2, 3, 5, 6, 7];
    const users: Array<{ userId: string; funded: bigint; headers: Record<string, string>; steamId: string }> =
      [];
    for (const i of indexes) {
      const p = await f.player(i, 200_000n);
      await f.autoAccept(p.steamId, 'accept', 100);
      users.push({ ...p, funded: 200_000n });
    }
    let stop = false;
    let injected = 0;
    const chaos = (async () => {
      for (let round = 0; !stop; round++) {
        await new Promise((r) => setTimeout(r, 30));
        if (round % 50 === 49) await f.emu.clearFaults();
        // Aim at ~20% of the fleet's Steam calls failing: inject while below it.
        if (stats.failures < 0.2 * stats.calls || stats.calls < 20) {
          // Half the time on the endpoint the fleet calls most (polling), else anywhere.
          const [name, rule] =
            Math.random() < 0.5
              ? (['GetTradeOffers', { status5xx: 500, count: 3 }] as const)
              : RULES[Math.floor(Math.random() * RULES.length)]!;
          await f.emu.setFault(name, { ...rule });
          injected++;
        }
        if (round === 80) {
          // An outage of the offer endpoints for a few seconds of world time, and dead sessions.
          const { now } = (await f.emu.control('GET', '_emulator/clock')) as { now: number };
          for (const n of ['tradeoffer.send', 'GetTradeOffers'])
            await f.emu.setFault(n, { outage: { from: now, until: now + 2 } });
          for (const b of f.emu.world.bots())
            await f.emu.control('POST', `_emulator/accounts/${b.steamid}/expire-session`);
        }
      }
    })();
    const site = await f.siteItems();
    const tradeIds: string[] = [];
    const given = new Set<string>();
    try {
      for (let i = 0; i < 20; i++) {
        const u = users[i % users.length]!;
        if (i % 4 === 3) {
          const give = (await f.givable(u)).find((g) => !given.has(g.assetId));
          if (give) {
            given.add(give.assetId);
            tradeIds.push((await f.createTrade(u, { give: [give.assetId] })).id);
            continue;
          }
        }
        tradeIds.push((await f.createTrade(u, { receive: [site.shift()!.assetId] })).id);
        await new Promise((r) => setTimeout(r, 100));
      }
      // Steam is unreliable for a while longer, then recovers.
      await new Promise((r) => setTimeout(r, 4_000));
    } finally {
      stop = true;
      await chaos;
      await f.emu.clearFaults();
    }
    // The rate while Steam misbehaved (calls after it recovered are not counted).
    const during = { ...stats };
    const states = await Promise.all(tradeIds.map((id) => f.waitFinal(id, 90_000)));
    assert.ok(states.every((s) => FINAL.includes(s)));
    const completed = states.filter((s) => s === 'completed').length;
    console.log(
      `faults: ${injected} injected; ${during.failures}/${during.calls} Steam calls failed while faults were on (${((100 * during.failures) / Math.max(1, during.calls)).toFixed(1)}%); ${completed}/${tradeIds.length} trades completed, the rest released: ${states.filter((s) => s !== 'completed').join(', ') || 'none'}`,
    );
    assert.ok(during.failures / during.calls >= 0.1, 'Steam really failed often during the run');
    assert.ok(completed >= tradeIds.length / 2, 'most trades still complete');
    await assertNoDuplicateOffers(f);
    await assertMoney(f, users);
    await assertItems(f, tradeIds);
    await f.stopTradebot(tb);
  },
);
