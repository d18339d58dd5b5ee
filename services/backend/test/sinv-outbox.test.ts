// sinv's site-inventory.changed goes through the outbox: written in the transaction of the bot's
// items changes, published by the backend's relay. A refresh whose event nobody could publish
// (the relay down, standing for a lost publish) and a sinv killed right after its commit still
// reach the backend's search index once the relay runs, without the index's reconciliation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { eventually, testEnv } from '@platform/testing';
import { siteItems, startTrading, type Trading } from './trading.harness.ts';

let t: Trading;
before(async () => {
  // The index's reconciliation never runs here: only the events can change it.
  t = await startTrading({ bots: 2, itemsPerBot: 40, users: 1, env: { SEARCH_RECONCILE_MS: '3600000' } });
  await eventually(() => t.backend.search.ready(), 30_000);
});
after(() => t?.close());

async function listed(marketHashName: string): Promise<string[]> {
  const res = await t.app.inject(
    `/api/v1/inventory/site?marketHashName=${encodeURIComponent(marketHashName)}&limit=200`,
  );
  assert.equal(res.statusCode, 200, res.body);
  return res.json<{ items: Array<{ assetId: string }> }>().items.map((i) => i.assetId);
}

async function unpublished(botId: number) {
  return t.stores.dbs.main
    .selectFrom('outbox')
    .select(['id', 'event_id'])
    .where('topic', '=', 'event:site-inventory.changed')
    .where('aggregate_id', '=', `bot:${botId}`)
    .where('published_at', 'is', null)
    .execute();
}

/** Moves a listed item of one bot to the other in the emulator: one removal, one addition. */
async function moveBetweenBots() {
  const bots = await t.sinv.bots.listActive();
  const listedNow = await siteItems(t, 200);
  const item = listedNow.find((i) => i.botId === bots[0]!.id)!;
  assert.ok(item, 'a listed item on the first bot');
  assert.ok((await listed(item.marketHashName)).includes(item.assetId));
  const [moved] = t.emu.world.moveAssets(bots[0]!.steamId, bots[1]!.steamId, [item.assetId]);
  return { from: bots[0]!, to: bots[1]!, item, newAssetId: moved!.newAssetid };
}

test('a refresh whose event could not be published reaches the index once the relay runs', async () => {
  await t.backend.relay.stop();
  const { from, to, item, newAssetId } = await moveBetweenBots();
  await t.sinv.reconcile.refreshBot(from.id);
  await t.sinv.reconcile.refreshBot(to.id);
  assert.equal((await unpublished(from.id)).length, 1, 'the removal waits in the outbox');
  assert.equal((await unpublished(to.id)).length, 1, 'the addition waits in the outbox');
  // Nothing was published: the index still lists the item where it was.
  await delay(300);
  let now = await listed(item.marketHashName);
  assert.ok(now.includes(item.assetId) && !now.includes(newAssetId));

  t.backend.relay.start();
  await eventually(async () => {
    now = await listed(item.marketHashName);
    return !now.includes(item.assetId) && now.includes(newAssetId);
  });
  assert.equal((await unpublished(from.id)).length + (await unpublished(to.id)).length, 0);
});

test('a sinv killed between its commit and any publish loses nothing', async () => {
  const { from, item } = await moveBetweenBots();
  const env = testEnv(t.stores, t.inventoryEnv);
  const child = spawn(process.execPath, [
    new URL('./sinv-outbox.child.ts', import.meta.url).pathname,
    JSON.stringify(env),
    String(from.id),
  ]);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, sig) => resolve(sig)),
  );
  assert.equal(signal, 'SIGKILL', `the child was killed after its commit: ${stderr}`);
  const rows = await t.stores.dbs.main
    .selectFrom('items')
    .select('asset_id')
    .where('asset_id', '=', item.assetId)
    .execute();
  assert.deepEqual(rows, [], 'the removal committed');
  // The relay (running in this process) publishes the dead process's event; the index drops the item.
  await eventually(async () => !(await listed(item.marketHashName)).includes(item.assetId));
  assert.equal((await unpublished(from.id)).length, 0);
});
