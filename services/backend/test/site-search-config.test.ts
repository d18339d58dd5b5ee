import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, createTestContext, startStores, type Stores } from '@platform/testing';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

let stores: Stores;
before(async () => {
  stores = await startStores();
});
after(() => stores.close());

test('SEARCH_ADAPTER=opensearch without OPENSEARCH_URL stops the backend, saying what is missing', async (t) => {
  const { ctx, close } = await createTestContext(loadConfig, {
    stores,
    env: { SEARCH_ADAPTER: 'opensearch' },
  });
  t.after(close);
  await assert.rejects(buildApp(ctx), /OPENSEARCH_URL/);
});

test('bad search settings are refused by name', () => {
  assert.throws(() => loadConfig({ SEARCH_ADAPTER: 'elastic' }), /SEARCH_ADAPTER/);
  assert.throws(() => loadConfig({ SEARCH_RECONCILE_MS: '10' }), /SEARCH_RECONCILE_MS/);
  assert.throws(() => loadConfig({ OPENSEARCH_INDEX: 'Bad Name' }), /OPENSEARCH_INDEX/);
});

test('while the index loads, the route answers 503 DEPENDENCY_UNAVAILABLE (the worker is not ready)', async (t) => {
  const { app, close } = await buildTestApp(loadConfig, (ctx) => buildApp(ctx), { stores });
  t.after(close);
  // buildApp does not start the index (start() does): the route says it is not ready.
  const res = await app.inject('/api/v1/inventory/site');
  assert.equal(res.statusCode, 503);
  assert.equal(res.json().error.code, 'DEPENDENCY_UNAVAILABLE');
});
