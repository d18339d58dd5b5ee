// "Offer sends/s" section of emulator.bench.ts (owned by the offers work): POST /tradeoffer/new/send over real
// HTTP, closed loop with concurrency, each request a complete community form post (cookies, sessionid, Referer,
// json_tradeoffer, trade token) as a bot would send it.
//
// How the outstanding-offer limit (30 per sender, 5 per partner, steam.md §4.8) is avoided without raising it:
// every sender sends to six different partners, five offers each ⇒ 30 per account (bots: deposit requests;
// users: item offers to bots); the run is bounded by that capacity (≤ 30 × accounts) and by time.
import { Worker } from 'node:worker_threads';
import type { World } from '@platform/steam-emulator';

const CONCURRENCY = 16;
const DURATION_MS = 6_000;
const USERS_PER_BOT = 6;
const OFFERS_PER_PAIR = 5;

interface SendRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

const SEND_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { port, requests, durationMs, concurrency } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
let next = 0, done = 0, errors = 0;
const statuses = {};
const started = performance.now();
const deadline = started + durationMs;
const one = (r) => new Promise((resolve) => {
  const req = http.request({ host: '127.0.0.1', port, path: r.path, method: 'POST', agent,
    headers: { ...r.headers, 'content-length': Buffer.byteLength(r.body) } }, (res) => {
    if (res.statusCode !== 200) { errors++; statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1; }
    res.resume();
    res.on('end', resolve);
  });
  req.on('error', () => { errors++; resolve(); });
  req.end(r.body);
});
const worker = async () => {
  while (performance.now() < deadline && next < requests.length) { await one(requests[next++]); done++; }
};
Promise.all(Array.from({ length: concurrency }, worker)).then(() => {
  agent.destroy();
  parentPort.postMessage({ done, errors, statuses, elapsed: (performance.now() - started) / 1000 });
});
`;

interface SendSpec {
  sender: { steamid: string; accessToken: string };
  partner: { steamid: string; accountId: number; tradeToken: string };
  give: string[];
  receive: string[];
  sessionid: string;
}

function toRequest(spec: SendSpec): SendRequest {
  const asset = (assetid: string) => ({ appid: 730, contextid: '2', amount: 1, assetid });
  const form = new URLSearchParams({
    sessionid: spec.sessionid,
    serverid: '1',
    partner: spec.partner.steamid,
    tradeoffermessage: 'bench',
    json_tradeoffer: JSON.stringify({
      newversion: true,
      version: spec.give.length + spec.receive.length + 1,
      me: { assets: spec.give.map(asset), currency: [], ready: false },
      them: { assets: spec.receive.map(asset), currency: [], ready: false },
    }),
    captcha: '',
    trade_offer_create_params: JSON.stringify({ trade_offer_access_token: spec.partner.tradeToken }),
  });
  return {
    path: '/tradeoffer/new/send',
    headers: {
      cookie: `sessionid=${spec.sessionid}; steamLoginSecure=${encodeURIComponent(`${spec.sender.steamid}||${spec.sender.accessToken}`)}`,
      'content-type': 'application/x-www-form-urlencoded',
      referer: `https://steamcommunity.com/tradeoffer/new/?partner=${spec.partner.accountId}&token=${spec.partner.tradeToken}`,
      origin: 'https://steamcommunity.com',
    },
    body: form.toString(),
  };
}

/**
 * Up to 30 sends per account, interleaved so concurrent requests come from different senders: every bot asks six
 * users for an item (deposit request, Active at once), every user offers one item to six bots (it gives an item, so
 * the offer waits in 9 for the user's confirmation; a send costs the same either way).
 */
function buildSends(world: World): SendRequest[] {
  const now = world.clock.now();
  const itemOf = (steamid: string): string | undefined =>
    world
      .inventory(steamid, '2')
      .list()
      .find((a) => a.tradableAfter <= now)?.assetid;
  const users = world.users().filter((u) => itemOf(u.steamid) !== undefined);
  const bots = world.bots();
  const userItem = new Map(users.map((u) => [u.steamid, itemOf(u.steamid) ?? '']));
  const sends: SendRequest[] = [];
  for (let slot = 0; slot < USERS_PER_BOT * OFFERS_PER_PAIR; slot += 1) {
    const group = Math.floor(slot / OFFERS_PER_PAIR);
    users.forEach((user, u) => {
      const bot = bots[(u * USERS_PER_BOT + group) % bots.length];
      if (bot !== undefined) {
        sends.push(
          toRequest({
            sender: user,
            partner: bot,
            give: [userItem.get(user.steamid) ?? ''],
            receive: [],
            sessionid: `u${u}`,
          }),
        );
      }
      const b = u % Math.max(1, bots.length);
      const botSender = u < bots.length ? bots[b] : undefined;
      const target = users[(u * USERS_PER_BOT + group) % users.length];
      if (botSender !== undefined && target !== undefined) {
        sends.push(
          toRequest({
            sender: botSender,
            partner: target,
            give: [],
            receive: [userItem.get(target.steamid) ?? ''],
            sessionid: `b${b}`,
          }),
        );
      }
    });
  }
  return sends;
}

/** `baselinePerSecond`: bare-Fastify tiny-JSON rate of the same run, printed as a ratio (machines are noisy). */
export async function benchOfferSends(world: World, port: number, baselinePerSecond?: number): Promise<void> {
  // Bots generated with 1000 items start at the inventory cap (steam.md §8), so every user's offer to a bot would be
  // refused as "inventory full": room for the run's offers keeps this a measure of sends, not of refusals.
  world.inventoryCapacity = 2000;
  const sends = buildSends(world);
  const result = await new Promise<{
    done: number;
    errors: number;
    statuses: Record<string, number>;
    elapsed: number;
  }>((resolve, reject) => {
    const worker = new Worker(SEND_WORKER, {
      eval: true,
      workerData: { port, requests: sends, durationMs: DURATION_MS, concurrency: CONCURRENCY },
    });
    worker.once(
      'message',
      (m: { done: number; errors: number; statuses: Record<string, number>; elapsed: number }) => {
        resolve(m);
        void worker.terminate();
      },
    );
    worker.once('error', reject);
  });
  console.log(
    `offer sends (POST /tradeoffer/new/send, ${CONCURRENCY} concurrent, ≤${DURATION_MS / 1000} s, ≤${sends.length} sends = ` +
      `(bots + users) × ${USERS_PER_BOT} partners × ${OFFERS_PER_PAIR}): ${(result.done / result.elapsed).toFixed(0)} sends/s, ` +
      `${result.done} sent in ${result.elapsed.toFixed(2)} s, ${result.errors} errors ${JSON.stringify(result.statuses)}` +
      (baselinePerSecond === undefined
        ? ''
        : ` · ratio sends/bare: ${(result.done / result.elapsed / baselinePerSecond).toFixed(2)}`),
  );
}
