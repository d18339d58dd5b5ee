// sinv's site-inventory.changed reaches browsers without any publish: sinv writes it to the
// outbox in the transaction of its items changes, and the socket server's polling fallback reads
// the outbox. Here no outbox relay runs at all (a publish that never happens), and the socket
// server is down during one refresh: the clients still get the site:items of both.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createPricing,
  createSinv,
  loadConfig as loadInventoryConfig,
  seedBotsFromEmulator,
} from '@platform/inventory';
import {
  createTestContext,
  startEmulator,
  startStores,
  uniquePrefix,
  type Emulator,
  type Stores,
} from '@platform/testing';
import { client, eventually, startLive, type Live } from './live.harness.ts';

let emu: Emulator;
let stores: Stores;
let prefix: string;
let sinv: ReturnType<typeof createSinv>;
const closers: Array<() => Promise<unknown>> = [];

before(async () => {
  [emu, stores] = await Promise.all([
    startEmulator({ seed: 5, bots: 1, itemsPerBot: 20, users: 1 }),
    startStores(),
  ]);
  prefix = uniquePrefix('test:sinv-outbox');
  const inventory = await createTestContext(loadInventoryConfig, {
    stores,
    name: 'inventory',
    env: {
      REDIS_KEY_PREFIX: prefix,
      STEAM_COMMUNITY_URL: emu.url.toString(),
      STEAM_EMULATOR_URL: emu.url.toString(),
      PRICE_FEED_URL: new URL('_emulator/prices', emu.url).toString(),
    },
  });
  closers.push(() => inventory.close());
  await seedBotsFromEmulator(inventory.ctx);
  sinv = createSinv(inventory.ctx, { pricing: createPricing(inventory.ctx) });
  for (const bot of await sinv.bots.listActive()) await sinv.reconcile.refreshBot(bot.id);
});
after(async () => {
  for (const close of closers.reverse()) await close();
  await emu.close();
  await stores.close();
});

async function startSocket(): Promise<Live> {
  const live = await startLive(stores, { REDIS_KEY_PREFIX: prefix });
  await eventually(() => live.server.sequencer.isLeader);
  return live;
}

/** Gives the user one of the bot's items in the emulator and returns its asset id. */
async function giveAway(): Promise<string> {
  const [bot] = await sinv.bots.listActive();
  const user = emu.world.users()[0]!;
  const assetId = emu.world.inventory(bot!.steamId, '2').list()[0]!.assetid;
  emu.world.moveAssets(bot!.steamId, user.steamid, [assetId]);
  await sinv.reconcile.refreshBot(bot!.id);
  return assetId;
}

const removedIn = (messages: Array<Record<string, unknown>>) =>
  new Set(messages.flatMap((m) => (m.removed as string[] | undefined) ?? []));

test('a refresh nobody publishes reaches a socket client through the polling fallback', async () => {
  const live = await startSocket();
  const watcher = client(live.url);
  try {
    await watcher.ready;
    const gone = await giveAway();
    await eventually(() => removedIn(watcher.of('site:items')).has(gone));
    const unpublished = await stores.dbs.main
      .selectFrom('outbox')
      .select('id')
      .where('topic', '=', 'event:site-inventory.changed')
      .where('published_at', 'is', null)
      .execute();
    assert.ok(unpublished.length > 0, 'no relay ran: the event was never published on the bus');
  } finally {
    watcher.close();
    await live.close();
  }
});

test('a refresh made while the socket server was down is delivered when it returns', async () => {
  // A client that saw the site stream up to here, then the socket server goes away.
  const before = await startSocket();
  const first = client(before.url);
  const lastSiteSeq = (await first.ready).siteSeq as number;
  assert.equal(typeof lastSiteSeq, 'number');
  first.close();
  // The server stops; its context's close (which deletes the test's Redis keys, the outbox
  // cursor with them) waits for the end.
  await before.server.app.close();
  closers.push(() => before.close());

  const gone = await giveAway();
  const live = await startSocket();
  const watcher = client(live.url, { auth: { lastSiteSeq } });
  try {
    await watcher.ready;
    // Replayed from the site stream (the fallback sequenced it when the server returned), or
    // delivered live if the fallback reads it after this client connected.
    await eventually(() => removedIn(watcher.of('site:items')).has(gone));
  } finally {
    watcher.close();
    await live.close();
  }
});
