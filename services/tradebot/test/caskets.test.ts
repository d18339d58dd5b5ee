// Storage units end to end: a bot over its casket line moves its least-demanded items into its
// storage unit (the emulator's GC stand-in), sinv keeps them as site items, a withdrawal of a
// casketed item takes it out before the offer and completes; a full unit (1011) sends items to
// another unit; a full inventory (1015) with no room anywhere refuses the offer with a reason.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, stopProcess } from '@platform/testing';
import { Registry } from 'prom-client';
import { createLogger } from '@platform/observability';
import { EmulatorStorageUnits, type StorageUnitsPort } from '@platform/steam';
import { loadConfig, type Tradebot } from '../src/index.ts';
import { createTradebotMetrics } from '../src/metrics.ts';
import { CasketKeeper } from '../src/storage/caskets.ts';
import { startFleet, type Fleet } from './fleet.harness.ts';

let f: Fleet;
let botId: number;
let steamId: string;
let capacity: number;

/** Item counts per bot scale with capacity / TIER_OF: TIER_OF = capacity makes them literal. */
const casketEnv = (above: number, target: number) => ({
  TIER_OF: String(capacity),
  TIER_VERY_GOOD_BELOW: String(capacity - 2),
  TIER_GOOD_BELOW: String(capacity - 1),
  CASKET_ABOVE: String(above),
  CASKET_TARGET: String(target),
  CASKET_CHECK_MS: '100',
});

before(async () => {
  f = await startFleet({ bots: 1, itemsPerBot: 40, users: 3 });
  const bot = await f.db.selectFrom('bots').select(['id', 'steam_id', 'capacity']).executeTakeFirstOrThrow();
  botId = bot.id;
  steamId = bot.steam_id;
  capacity = bot.capacity;
});
after(() => f.close());

async function casketed(): Promise<Array<{ asset_id: string; casket_asset_id: string | null }>> {
  return f.db
    .selectFrom('items')
    .select(['asset_id', 'casket_asset_id'])
    .where('bot_id', '=', botId)
    .where('casket_asset_id', 'is not', null)
    .execute();
}

async function outside(): Promise<number> {
  const rows = await f.db
    .selectFrom('items')
    .select('asset_id')
    .where('bot_id', '=', botId)
    .where('casket_asset_id', 'is', null)
    .execute();
  return rows.length;
}

/** Where the emulator has an asset: the inventory, a storage unit, or nowhere on the bot. */
function whereIs(assetId: string): string {
  if (f.emu.world.findAsset(steamId, assetId)) return 'inventory';
  for (const [casketId, contents] of f.emu.world.casketContents)
    if (contents.has(assetId)) return `casket:${casketId}`;
  return 'gone';
}

function addEmptyCasket(): string {
  const first = f.emu.world
    .inventory(steamId, '2')
    .list()
    .find((a) => f.emu.world.casketContents.has(a.assetid))!;
  const assetid = f.emu.world.nextAssetId();
  f.emu.world.inventory(steamId, '2').addUnsorted({ ...first, assetid, casketCount: 0 });
  f.emu.world.casketContents.set(assetid, new Map());
  return assetid;
}

function fillCasket(casketId: string): void {
  const contents = f.emu.world.casketContents.get(casketId)!;
  const filler = [...contents.values()][0] ?? f.emu.world.inventory(steamId, '2').list()[0]!;
  while (contents.size < 1000) {
    const assetid = f.emu.world.nextAssetId();
    contents.set(assetid, { ...filler, assetid });
  }
}

describe('storage units', () => {
  let tb: Tradebot;

  test('a casket round trip: over the line → least-demanded items in; a withdrawal takes one out, sends, completes', async () => {
    const start = await outside();
    const target = start - 8;
    // Seven items of one name (the site's largest stock; sinv's next refresh restores the names).
    const casketIds = new Set([...f.emu.world.casketContents.keys()]);
    const mine = (
      await f.db
        .selectFrom('items')
        .select(['asset_id', 'market_hash_name'])
        .where('bot_id', '=', botId)
        .where('context_id', '=', 2)
        .orderBy('asset_id', 'desc')
        .execute()
    ).filter((r) => !casketIds.has(String(r.asset_id)));
    const common = mine.slice(0, 7).map((r) => String(r.asset_id));
    await f.db
      .updateTable('items')
      .set({ market_hash_name: mine[0]!.market_hash_name })
      .where('asset_id', 'in', common)
      .execute();
    tb = await f.startTradebot(casketEnv(start - 3, target));
    await eventually(async () => (await outside()) <= target, 20_000);
    const inside = await casketed();
    assert.equal(inside.length, start - target, 'moved down to the target exactly');
    for (const r of inside) assert.equal(whereIs(r.asset_id), `casket:${r.casket_asset_id}`);
    // The least demanded went in: the seven copies of the name the site has most of.
    const moved = new Set(inside.map((r) => String(r.asset_id)));
    for (const id of common) assert.ok(moved.has(id), `${id} (stock 7) was moved`);

    // sinv re-reads the bot: casketed items stay site items, not counted in the inventory.
    // (The harness's sinv cached the emulator's cookie, which the tradebot's login replaced: it
    // re-fetches after the refusal.)
    await f.sinv.reconcile.refreshBot(botId).catch(() => f.sinv.reconcile.refreshBot(botId));
    assert.equal((await casketed()).length, inside.length, 'sinv kept the casketed rows');
    const bot = await f.db.selectFrom('bots').select('item_count').where('id', '=', botId).executeTakeFirst();
    assert.equal(bot?.item_count, await outside());

    // A withdrawal of a casketed item: taken out, offered, accepted, settled.
    const p = await f.player(0, 1_000_000n);
    await f.autoAccept(p.steamId);
    const ids = new Set(inside.map((r) => r.asset_id));
    const item = (await f.siteItems()).find((i) => ids.has(i.assetId));
    assert.ok(item, 'a casketed item is on offer on the site');
    const userItems = f.emu.world.inventoryCount(p.steamId);
    const trade = await f.createTrade(p, { receive: [item.assetId] });
    assert.equal(await f.waitFinal(trade.id), 'completed');
    assert.equal(whereIs(item.assetId), 'gone', 'the item left the bot');
    assert.equal(f.emu.world.inventoryCount(p.steamId), userItems + 1, 'the user has it');
    const [offer] = await f.botOffersOf(trade.id);
    assert.equal(offer?.status, 'accepted');
    assert.equal((await casketed()).length, inside.length - 1, 'no longer recorded as casketed');
    await f.assertLedger(p.userId);
    await f.stopTradebot(tb);
  });

  test('a full unit (1011) sends items to another unit', async () => {
    const [first] = (await new EmulatorStorageUnits(f.emu.url).listCaskets(steamId)).slice(0, 1);
    fillCasket(first!.casketId);
    const second = addEmptyCasket();
    // A stale list (as node-globaloffensive's cached inventory can be): every unit looks empty,
    // so the keeper tries the full one first and must take the GC's 1011.
    const real = new EmulatorStorageUnits(f.emu.url);
    const stale: StorageUnitsPort = {
      name: 'stale',
      listCaskets: async (s) =>
        (await real.listCaskets(s)).map((c) => ({ ...c, count: c.casketId === second ? 1 : 0 })),
      contents: (s, c) => real.contents(s, c),
      add: (s, c, a) => real.add(s, c, a),
      remove: (s, c, a) => real.remove(s, c, a),
    };
    const before = (await casketed()).length;
    const start = await outside();
    tb = await f.startTradebot(casketEnv(start - 1, start - 3), undefined, { units: stale });
    await eventually(async () => (await outside()) <= start - 3, 20_000);
    const now = await casketed();
    assert.equal(now.length, before + 3);
    const moved = now.filter((r) => String(r.casket_asset_id) === second);
    assert.equal(moved.length, 3, 'the three went to the second unit');
    for (const r of moved) assert.equal(whereIs(r.asset_id), `casket:${second}`);
    assert.equal(f.emu.world.casketContents.get(first!.casketId)!.size, 1000);
    await f.stopTradebot(tb);
  });

  test('a full inventory (1015) with every unit full refuses the withdrawal with a clear reason', async () => {
    for (const c of await new EmulatorStorageUnits(f.emu.url).listCaskets(steamId)) fillCasket(c.casketId);
    const inside = await casketed();
    const ids = new Set(inside.map((r) => r.asset_id));
    const item = (await f.siteItems()).find((i) => ids.has(i.assetId));
    assert.ok(item);
    const cap = f.emu.world.inventoryCapacity;
    f.emu.world.inventoryCapacity = f.emu.world.inventoryCount(steamId);
    try {
      tb = await f.startTradebot(casketEnv(capacity, capacity));
      const p = await f.player(1, 1_000_000n);
      await f.autoAccept(p.steamId);
      const balance = await f.balanceOf(p.userId);
      const trade = await f.createTrade(p, { receive: [item.assetId] });
      assert.equal(await f.waitFinal(trade.id), 'failed');
      const [offer] = await f.botOffersOf(trade.id);
      assert.equal(offer?.end_reason, 'casket_inventory_full');
      assert.equal(offer?.steam_offer_id, null, 'nothing was sent');
      assert.equal(
        whereIs(item.assetId),
        `casket:${inside.find((r) => r.asset_id === item.assetId)!.casket_asset_id}`,
      );
      assert.equal(await f.balanceOf(p.userId), balance, 'refunded');
      await f.assertLedger(p.userId);
      await f.stopTradebot(tb);
    } finally {
      f.emu.world.inventoryCapacity = cap;
    }
  });

  test('a kill at any point of a move loses nothing: the GC’s contents set the record right', async () => {
    const units = new EmulatorStorageUnits(f.emu.url);
    const keeper = new CasketKeeper(
      {
        db: f.db,
        units,
        config: loadConfig(f.tradebotEnv(casketEnv(capacity, capacity))),
        logger: createLogger({ service: 'test', level: 'silent' }),
        metrics: createTradebotMetrics(new Registry()),
        refreshBot: () => Promise.resolve(),
      },
      { id: botId, steamId, capacity },
    );
    const [casket] = await units.listCaskets(steamId);
    const contents = f.emu.world.casketContents.get(casket!.casketId)!;
    // Room for one: drop a filler (an asset the site never knew).
    const siteIds = new Set(
      (await f.db.selectFrom('items').select('asset_id').where('bot_id', '=', botId).execute()).map((r) =>
        String(r.asset_id),
      ),
    );
    contents.delete([...contents.keys()].find((x) => !siteIds.has(x))!);
    const loose = await f.db
      .selectFrom('items')
      .select('asset_id')
      .where('bot_id', '=', botId)
      .where('casket_asset_id', 'is', null)
      .where('context_id', '=', 2)
      .where('asset_id', '!=', casket!.casketId)
      .limit(2)
      .execute();
    const [a, b] = loose.map((r) => String(r.asset_id));
    const [c] = (await casketed()).map((r) => String(r.asset_id));
    // a: killed after the intent, before the GC call (marked, still in the inventory).
    await f.db
      .updateTable('items')
      .set({ casket_asset_id: casket!.casketId })
      .where('asset_id', '=', a!)
      .execute();
    // b: in the unit, the mark lost (a crash between a retried intent and the GC's answer).
    await units.add(steamId, casket!.casketId, b!);
    // c: taken out by the GC, killed before the mark was cleared.
    const cCasket = (await casketed()).find((r) => String(r.asset_id) === c)!.casket_asset_id!;
    await f.db.updateTable('items').set({ casket_asset_id: cCasket }).where('asset_id', '=', c!).execute();
    f.emu.world.inventoryCapacity += 1;
    await units.remove(steamId, String(cCasket), c!);
    const { fixed } = await keeper.reconcile();
    assert.equal(fixed, 3);
    const rows = await f.db
      .selectFrom('items')
      .select(['asset_id', 'casket_asset_id'])
      .where('asset_id', 'in', [a!, b!, c!])
      .execute();
    const mark = new Map(
      rows.map((r) => [String(r.asset_id), r.casket_asset_id && String(r.casket_asset_id)]),
    );
    assert.equal(mark.get(a!), null);
    assert.equal(whereIs(a!), 'inventory');
    assert.equal(mark.get(b!), casket!.casketId);
    assert.equal(whereIs(b!), `casket:${casket!.casketId}`);
    assert.equal(mark.get(c!), null);
    assert.equal(whereIs(c!), 'inventory');
    assert.equal((await keeper.reconcile()).fixed, 0, 'idempotent');
  });

  test('SIGKILL of the tradebot during a batch of moves, then a restart: every item is where its record says', async () => {
    const fresh = addEmptyCasket();
    const siteBefore = new Set(
      (await f.db.selectFrom('items').select('asset_id').where('bot_id', '=', botId).execute()).map((r) =>
        String(r.asset_id),
      ),
    );
    const start = await outside();
    // Slow GC moves so the kill lands inside the batch.
    await f.emu.setFault('gc.casket', { latencyMs: 150 });
    const env = { ...casketEnv(start - 1, start - 12), CASKET_BATCH: '12' };
    const child = f.spawnTradebot(env);
    await eventually(async () => (await casketed()).some((r) => String(r.casket_asset_id) === fresh), 30_000);
    await new Promise((r) => setTimeout(r, 100 + Math.floor(Math.random() * 400)));
    await stopProcess(child, 'SIGKILL');
    await f.emu.clearFaults();
    const inUnit = () => f.emu.world.casketContents.get(fresh)!.size;
    assert.ok(inUnit() < 12, 'killed before the batch finished');

    // The restarted process reads the units and sets every record right (the batch is not
    // resumed: the bot is under its line now; it moves more when it crosses it again).
    const rowsOf = () =>
      f.db.selectFrom('items').select(['asset_id', 'casket_asset_id']).where('bot_id', '=', botId).execute();
    const agree = (r: { asset_id: string; casket_asset_id: string | null }) =>
      whereIs(String(r.asset_id)) ===
      (r.casket_asset_id === null ? 'inventory' : `casket:${r.casket_asset_id}`);
    tb = await f.startTradebot(env);
    await eventually(async () => (await rowsOf()).every(agree), 20_000);
    await f.stopTradebot(tb);
    const rows = await rowsOf();
    assert.deepEqual(new Set(rows.map((r) => String(r.asset_id))), siteBefore, 'no site item lost or added');
    const marked = rows.filter((r) => String(r.casket_asset_id) === fresh).length;
    assert.ok(marked > 0);
    assert.equal(inUnit(), marked, 'each moved item is in the unit once, and recorded');
  });

  test('an extraction that gives the item a new asset id: the offer gives the new id and completes', async () => {
    // steam.md §8: undocumented whether ids change on extraction; the emulator keeps them. This
    // port re-keys the item after taking it out, as Steam may.
    const real = new EmulatorStorageUnits(f.emu.url);
    const renamed = new Map<string, string>();
    const rekeying: StorageUnitsPort = {
      name: 'rekeying',
      listCaskets: (x) => real.listCaskets(x),
      contents: (x, c) => real.contents(x, c),
      add: (x, c, a) => real.add(x, c, a),
      remove: async (x, c, a) => {
        const out = await real.remove(x, c, a);
        const asset = f.emu.world.removeAsset(x, a)!;
        const assetid = f.emu.world.nextAssetId();
        f.emu.world.addAsset(x, { ...asset, assetid });
        renamed.set(a, assetid);
        return { ...out, assetId: assetid };
      },
    };
    const ids = new Set((await casketed()).map((r) => r.asset_id));
    const item = (await f.siteItems()).find((i) => ids.has(i.assetId));
    assert.ok(item);
    tb = await f.startTradebot(casketEnv(capacity, capacity), undefined, { units: rekeying });
    const p = await f.player(2, 1_000_000n);
    await f.autoAccept(p.steamId);
    const userItems = f.emu.world.inventoryCount(p.steamId);
    const trade = await f.createTrade(p, { receive: [item.assetId] });
    assert.equal(await f.waitFinal(trade.id), 'completed');
    await f.stopTradebot(tb);
    const newId = renamed.get(item.assetId);
    assert.ok(newId, 'taken out under a new id');
    const [offer] = await f.botOffersOf(trade.id);
    const items = (typeof offer!.items === 'string' ? JSON.parse(offer!.items) : offer!.items) as {
      give: Array<{ assetId: string }>;
    };
    assert.deepEqual(
      items.give.map((a) => a.assetId),
      [newId],
      'the offer record gives the new id',
    );
    assert.equal(whereIs(newId), 'gone');
    const left = await f.db
      .selectFrom('items')
      .select('asset_id')
      .where('asset_id', 'in', [item.assetId, newId])
      .execute();
    assert.equal(left.length, 0, 'the site item is settled away');
    assert.equal(f.emu.world.inventoryCount(p.steamId), userItems + 1);
    await f.assertLedger(p.userId);
  });
});
