// A price import cut off by a killed process must not stay `running` for ever, and an import a
// live process holds must never be taken for an interrupted one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { TestContext } from 'node:test';
import { createTestContext, eventually, stopProcess } from '@platform/testing';
import { loadConfig } from '../src/config.ts';
import { createPricing } from '../src/runtime.ts';
import { startHttp, startStores, type Stores } from './harness.ts';

let stores: Stores;
let feed: { url: string; close(): void };
let feedUrl: string;
/** Feed answers held open: the import reading them is "in the middle". */
const held: ServerResponse[] = [];
before(async () => {
  stores = await startStores();
  feed = await startHttp((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('[{"market_hash_name":"A","price":100}');
    held.push(res);
  });
  feedUrl = `${feed.url}feed`;
});
after(async () => {
  feed.close();
  await stores.close();
});

async function pricingOf(t: Pick<TestContext, 'after'>) {
  const { ctx, close } = await createTestContext(loadConfig, {
    stores,
    env: { PRICE_FEED_URL: feedUrl, PRICE_FEED_FORMAT: 'json', PRICE_IMPORT_ABANDON_AFTER_MS: '1000' },
  });
  t.after(close);
  return createPricing(ctx);
}

async function imports() {
  return stores.dbs.pricing
    .selectFrom('price_imports')
    .select(['id', 'status', 'finished_at'])
    .orderBy('id')
    .execute();
}

test('an import whose process was killed is marked abandoned when pricing starts again', async (t) => {
  const child = spawn(
    process.execPath,
    [
      new URL('./price-import.child.ts', import.meta.url).pathname,
      JSON.stringify({ ...stores.dbs.settings, url: stores.dbs.settings.url.toString() }),
      feedUrl,
    ],
    { stdio: 'inherit' },
  );
  t.after(() => stopProcess(child, 'SIGKILL'));
  // In the middle: the run is recorded and the feed is being read.
  await eventually(async () => held.length > 0 && (await imports()).some((r) => r.status === 'running'));
  await stopProcess(child, 'SIGKILL');
  const [run] = await imports();
  assert.equal(run?.status, 'running', 'the killed process left its run running');

  // Past the bound without a heartbeat from the dead process.
  await delay(1_500);
  const pricing = await pricingOf(t);
  await pricing.start();
  const [after] = await imports();
  assert.equal(after?.status, 'abandoned');
  assert.ok(after?.finished_at, 'an abandoned run has an end');
});

test('a run held by a live process is never marked abandoned, however long it takes', async (t) => {
  await stores.dbs.pricing.deleteFrom('price_imports').execute();
  const importer = await pricingOf(t);
  const before = held.length;
  const running = importer.importer.run();
  await eventually(async () => held.length > before && (await imports()).some((r) => r.status === 'running'));
  // Longer than the bound: only the heartbeat tells this run from a dead one.
  await delay(2_500);
  const other = await pricingOf(t);
  await other.start();
  assert.equal(await other.importer.abandonInterrupted(), 0);
  assert.deepEqual(
    (await imports()).map((r) => r.status),
    ['running'],
  );
  held.at(-1)!.end(']');
  const report = await running;
  assert.equal(report.status, 'ok');
  assert.deepEqual(
    (await imports()).map((r) => r.status),
    ['ok'],
  );
});
