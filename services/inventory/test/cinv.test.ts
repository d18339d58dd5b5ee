import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { SessionStore } from '@platform/http';
import { factory } from '@platform/testing';
import { buildCinvApp } from '../src/app.ts';
import { createCinv, createPricing } from '../src/runtime.ts';
import { inventoryContext, startEmulator, startStores, type Emulator, type Stores } from './harness.ts';

let emu: Emulator;
let twin: Emulator;
let stores: Stores;

/** An HTTP CONNECT proxy that counts the tunnels it opens. */
interface Proxy {
  url: string;
  tunnels: number;
  server: Server;
}
function startProxy(): Promise<Proxy> {
  const proxy: Proxy = { url: '', tunnels: 0, server: createServer() };
  proxy.server.on('connect', (req, client, head) => {
    proxy.tunnels++;
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host ?? '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  return new Promise((resolve) =>
    proxy.server.listen(0, '127.0.0.1', () => {
      proxy.url = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
      resolve(proxy);
    }),
  );
}

const epoch = Math.floor(Date.now() / 1000);
before(async () => {
  // The twin is the same world (same seed and epoch): it plays the fallback provider.
  [emu, twin, stores] = await Promise.all([
    startEmulator({ seed: 9, epoch, bots: 1, itemsPerBot: 10 }),
    startEmulator({ seed: 9, epoch, bots: 1, itemsPerBot: 10 }),
    startStores(),
  ]);
});
after(async () => {
  await Promise.all([emu.close(), twin.close()]);
  await stores.close();
});

async function cinv(t: Parameters<typeof inventoryContext>[0], env: Record<string, string> = {}) {
  const { ctx } = await inventoryContext(t, emu, stores, env);
  const { config } = ctx;
  const pricing = createPricing(ctx);
  await pricing.importer.run();
  await pricing.start();
  const parts = createCinv(ctx);
  const sessions = new SessionStore(ctx.redis, { keyPrefix: config.redis.keyPrefix, ...config.session });
  const app = await buildCinvApp(ctx, { enricher: pricing.enricher, inventories: parts.inventories });
  t.after(() => app.close());
  return { app, ctx, config, pricing, inventories: parts.inventories, sessions };
}

interface ItemBody {
  assetId: string;
  marketHashName: string;
  price: number | null;
  depositPrice: number | null;
  withdrawPrice: number | null;
  accepted: boolean;
  refusal: string | null;
}
interface InventoryBody {
  steamId: string;
  source: string;
  cached: boolean;
  stale: boolean;
  items: ItemBody[];
}
const bodyOf = (res: { json(): unknown }) => res.json() as InventoryBody;

const user = (i: number) => emu.world.users()[i]!.steamid;
/** What a stranger sees: Steam hides trade-locked items from everyone but the owner (steam.md §3.1). */
const visible = (w: Emulator, steamId: string) =>
  w.world
    .inventory(steamId, '2')
    .list()
    .filter((a) => a.tradableAfter <= w.world.clock.now());

test('an inventory comes back priced, with tradability and acceptance; then from the cache', async (t) => {
  const { app } = await cinv(t);
  const steamId = user(0);
  const first = await app.inject(`/api/v1/inventories/${steamId}`);
  assert.equal(first.statusCode, 200);
  const body = bodyOf(first);
  assert.equal(body.cached, false);
  assert.equal(body.source, 'steam');
  assert.equal(body.items.length, visible(emu, steamId).length);
  const priced = body.items.find((i) => i.price !== null);
  assert.ok(priced, 'some item has a price');
  assert.ok(priced.depositPrice! <= priced.price! && priced.withdrawPrice! >= priced.price!);
  for (const item of body.items) {
    assert.equal(typeof item.accepted, 'boolean');
    if (!item.accepted)
      assert.ok(
        ['NO_PRICE', 'BELOW_MIN_PRICE', 'NOT_TRADABLE', 'OVERSTOCKED'].includes(item.refusal ?? ''),
        item.refusal ?? 'no reason',
      );
  }
  const second = await app.inject(`/api/v1/inventories/${steamId}`);
  assert.equal(second.json().cached, true);
  assert.equal(second.json().stale, false);
  assert.deepEqual(second.json().items, body.items);
});

test('acceptance rules: blocklist, minimum price, overstock', async (t) => {
  const { app, pricing } = await cinv(t, { ACCEPT_MIN_PRICE_CENTS: '0', ACCEPT_OVERSTOCK_CAP: '1' });
  const steamId = user(1);
  const items = emu.world
    .inventory(steamId, '2')
    .list()
    .filter((a) => emu.world.description(a).marketable === 1);
  const blocked = emu.world.description(items[0]!).market_hash_name;
  await stores.dbs.pricing
    .insertInto('price_blocklist')
    .values({ market_hash_name: blocked, reason: 'test', created_by: 'test' })
    .execute();
  t.after(() =>
    stores.dbs.pricing
      .deleteFrom('price_blocklist')
      .execute()
      .then(() => undefined),
  );
  await pricing.book.reload();
  const body = bodyOf(await app.inject(`/api/v1/inventories/${steamId}`));
  const view = body.items.find((i) => i.marketHashName === blocked)!;
  assert.deepEqual([view.accepted, view.refusal], [false, 'BLOCKLISTED']);
  assert.ok(body.items.some((i) => i.accepted));
});

test('a private inventory, an unknown account, Steam unavailable: clear errors', async (t) => {
  const { app } = await cinv(t);
  emu.world.account(user(2))!.privateInventory = true;
  t.after(() => {
    emu.world.account(user(2))!.privateInventory = false;
  });
  const priv = await app.inject(`/api/v1/inventories/${user(2)}`);
  assert.equal(priv.statusCode, 403);
  assert.equal(priv.json().error.code, 'INVENTORY_PRIVATE');
  const unknown = await app.inject('/api/v1/inventories/76561190000000001');
  assert.equal(unknown.statusCode, 404);
  assert.equal(unknown.json().error.code, 'STEAM_USER_NOT_FOUND');
  const bad = await app.inject('/api/v1/inventories/123');
  assert.equal(bad.statusCode, 400);
  await emu.setFault('inventory', { status5xx: 503 });
  const down = await app.inject(`/api/v1/inventories/${user(3)}`);
  assert.equal(down.statusCode, 503);
  assert.equal(down.json().error.code, 'STEAM_UNAVAILABLE');
});

test('429: the next proxy of the pool takes the request', async (t) => {
  const [a, b] = await Promise.all([startProxy(), startProxy()]);
  t.after(() => {
    for (const p of [a, b]) {
      p.server.closeAllConnections();
      p.server.close();
    }
  });
  const { app } = await cinv(t, { CINV_PROXIES: `${a.url},${b.url}` });
  await emu.setFault('inventory', { burst429: 1 });
  const res = await app.inject(`/api/v1/inventories/${user(0)}`);
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().source, 'steam');
  assert.equal(a.tunnels, 1, 'the first proxy was tried and refused');
  assert.equal(b.tunnels, 1, 'the second proxy answered');
});

test('Steam refuses: the fallback provider answers in Steam shape', async (t) => {
  const { app } = await cinv(t, { CINV_FALLBACK_URL: twin.url.toString() });
  await emu.setFault('inventory', { burst429: 100 });
  const res = await app.inject(`/api/v1/inventories/${user(1)}`);
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().source, 'fallback');
  assert.deepEqual(
    bodyOf(res)
      .items.map((i) => i.assetId)
      .sort(),
    visible(twin, user(1))
      .map((a) => a.assetid)
      .sort(),
  );
});

test('stale-while-revalidate, and fresh=1 limited per requester', async (t) => {
  const { app, inventories } = await cinv(t, {
    CINV_CACHE_FRESH_MS: '0',
    CINV_FRESH_MIN_INTERVAL_MS: '60000',
  });
  const steamId = user(3);
  const first = bodyOf(await app.inject(`/api/v1/inventories/${steamId}`));
  // The user trades an item away; the cached copy is served (stale) while a refresh runs.
  const gone = visible(emu, steamId)[0]!.assetid;
  emu.world.moveAssets(steamId, user(0), [gone]);
  const stale = bodyOf(await app.inject(`/api/v1/inventories/${steamId}`));
  assert.equal(stale.stale, true);
  assert.equal(stale.items.length, first.items.length);
  await inventories.drain();
  const revalidated = bodyOf(await app.inject(`/api/v1/inventories/${steamId}`));
  assert.equal(revalidated.items.length, first.items.length - 1);
  assert.ok(!revalidated.items.some((i) => i.assetId === gone));
  await inventories.drain();

  const forced = await app.inject(`/api/v1/inventories/${steamId}?fresh=1`);
  assert.equal(forced.statusCode, 200);
  assert.equal(forced.json().cached, false);
  const again = await app.inject(`/api/v1/inventories/${steamId}?fresh=1`);
  assert.equal(again.statusCode, 429);
  assert.equal(again.json().error.code, 'RATE_LIMITED');
});

test("the signed-in user's own inventory, and the per-IP limit", async (t) => {
  const { app, config, sessions } = await cinv(t, { CINV_RATE_LIMIT_MAX: '3' });
  assert.equal((await app.inject('/api/v1/me/inventory')).statusCode, 401);
  const owner = await factory.user(stores.dbs.main, { steamId: user(2) });
  const { token } = await sessions.create({
    userId: owner.id,
    steamId: user(2),
    ip: '127.0.0.1',
    userAgent: 'test',
  });
  const me = await app.inject({
    url: '/api/v1/me/inventory',
    headers: { cookie: `${config.session.cookieName}=${token}` },
  });
  assert.equal(me.statusCode, 200);
  assert.equal(me.json().steamId, user(2));
  // The limit counts per client IP and route: three answers, then 429.
  for (let i = 0; i < 3; i++)
    assert.equal((await app.inject(`/api/v1/inventories/${user(2)}`)).statusCode, 200);
  const limited = await app.inject(`/api/v1/inventories/${user(2)}`);
  assert.equal(limited.statusCode, 429);
});

test('a banned user is stopped at the guard: their sessions no longer read their inventory', async (t) => {
  const { app, config, sessions } = await cinv(t, { SESSION_CACHE_MS: '0' });
  const owner = await factory.user(stores.dbs.main, { steamId: user(1) });
  const { token } = await sessions.create({
    userId: owner.id,
    steamId: user(1),
    ip: '127.0.0.1',
    userAgent: 'test',
  });
  const headers = { cookie: `${config.session.cookieName}=${token}` };
  assert.equal((await app.inject({ url: '/api/v1/me/inventory', headers })).statusCode, 200);
  await stores.dbs.main
    .updateTable('users')
    .set({ banned_at: new Date() })
    .where('id', '=', owner.id)
    .execute();
  const refused = await app.inject({ url: '/api/v1/me/inventory', headers });
  assert.equal(refused.statusCode, 401);
  assert.equal(refused.json().error.code, 'UNAUTHENTICATED');
});

test('Redis down: cinv answers 503 DEPENDENCY_UNAVAILABLE, never 500', async (t) => {
  const { app } = await cinv(t, { REDIS_URL: 'redis://127.0.0.1:1', REDIS_CLUSTER: 'false' });
  const res = await app.inject(`/api/v1/inventories/${user(0)}`);
  assert.equal(res.statusCode, 503, res.body);
  assert.equal(res.json().error.code, 'DEPENDENCY_UNAVAILABLE');
});

test('fresh=1 is limited per requester: one person cannot block the owner; 0 turns the limit off', async (t) => {
  const { app, config, sessions } = await cinv(t, { CINV_FRESH_MIN_INTERVAL_MS: '60000' });
  const steamId = user(3);
  const owner = await factory.user(stores.dbs.main, { steamId });
  const { token } = await sessions.create({ userId: owner.id, steamId, ip: '127.0.0.1', userAgent: 'test' });
  const headers = { cookie: `${config.session.cookieName}=${token}` };
  // A stranger keeps asking for a fresh copy of the owner's inventory.
  const stranger = { remoteAddress: '203.0.113.9' };
  assert.equal(
    (await app.inject({ url: `/api/v1/inventories/${steamId}?fresh=1`, ...stranger })).statusCode,
    200,
  );
  const strangerAgain = await app.inject({ url: `/api/v1/inventories/${steamId}?fresh=1`, ...stranger });
  assert.equal(strangerAgain.statusCode, 429);
  assert.equal(strangerAgain.json().error.code, 'RATE_LIMITED');
  // The owner's own refresh is not blocked by it, and is limited for the owner alone.
  const own = await app.inject({ url: '/api/v1/me/inventory?fresh=1', headers });
  assert.equal(own.statusCode, 200);
  assert.equal(own.json().cached, false);
  assert.equal((await app.inject({ url: '/api/v1/me/inventory?fresh=1', headers })).statusCode, 429);

  const unlimited = await cinv(t, { CINV_FRESH_MIN_INTERVAL_MS: '0' });
  for (let i = 0; i < 2; i++) {
    const res = await unlimited.app.inject(`/api/v1/inventories/${steamId}?fresh=1`);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().cached, false);
  }
});

test('anonymous lookups spend a bounded Steam budget, per IP and for everyone; cached answers stay free', async (t) => {
  const { app } = await cinv(t, { CINV_ANON_STEAM_READS_PER_IP: '2', CINV_ANON_STEAM_READS: '3' });
  const from = (ip: string, i: number) =>
    app.inject({ url: `/api/v1/inventories/${user(i)}`, remoteAddress: ip });
  assert.equal((await from('198.51.100.1', 0)).statusCode, 200);
  assert.equal((await from('198.51.100.1', 1)).statusCode, 200);
  const perIp = await from('198.51.100.1', 2);
  assert.equal(perIp.statusCode, 429);
  assert.equal(perIp.json().error.reason, 'anonymous_ip_budget');
  // Already cached: served without spending anything.
  assert.equal((await from('198.51.100.1', 0)).statusCode, 200);
  // The global budget: a third Steam read from anyone is the last one this window.
  assert.equal((await from('198.51.100.2', 2)).statusCode, 200);
  const global = await from('198.51.100.3', 3);
  assert.equal(global.statusCode, 429);
  assert.equal(global.json().error.reason, 'anonymous_global_budget');
  assert.ok(Number(global.headers['retry-after'] ?? global.json().error.retryAfterSeconds) > 0);
});
