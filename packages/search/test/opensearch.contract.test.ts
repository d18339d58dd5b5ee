// The contract suite on the OpenSearch adapter, against a real OpenSearch at OPENSEARCH_URL (an
// index of its own behind a unique alias, dropped afterwards); skipped, saying so, without one.
import { randomBytes } from 'node:crypto';
import { factory, startStores } from '@platform/testing';
import {
  ItemsSource,
  OpenSearchIndexer,
  OpenSearchSearch,
  openSearchTransport,
  toDoc,
  type IndexRow,
} from '../src/index.ts';
import { contractSuite, makeRows, NOW, priceOf } from './contract.ts';
import { insertRows, reserveInDb } from './db-world.ts';

const url = process.env.OPENSEARCH_URL;

contractSuite('OpenSearch', {
  ...(url ? {} : { skip: 'OPENSEARCH_URL is not set: the OpenSearch contract run is skipped' }),
  start: async () => {
    const stores = await startStores();
    const db = stores.dbs.main;
    const transport = openSearchTransport(new URL(url!));
    const alias = `test-site-items-${randomBytes(4).toString('hex')}`;
    const bots = [await factory.bot(db), await factory.bot(db), await factory.bot(db, { status: 'paused' })];
    const rows = makeRows(
      420,
      bots.map((b) => b.id),
    );
    await insertRows(db, rows);
    const reserved = rows.filter((_, i) => i % 10 === 3).map((r) => r.assetId);
    await reserveInDb(db, reserved, NOW + 600_000);
    const source = new ItemsSource(db);
    const inactive = new Set([bots[2]!.id]);
    const stock = new Map<string, number>();
    for (const r of rows)
      if (!inactive.has(r.botId)) stock.set(r.marketHashName, (stock.get(r.marketHashName) ?? 0) + 1);
    const indexer = new OpenSearchIndexer({ transport, alias, batchDocs: 100 });
    const index = await indexer.reindex(source.pages(100), {
      priceOf: (m) => priceOf(m),
      stockOf: (m) => stock.get(m) ?? 0,
      inactiveBots: inactive,
    });
    const search = new OpenSearchSearch({ transport, alias });
    const docs = (r: IndexRow[]) =>
      r.map((x) => toDoc(x, priceOf(x.marketHashName), stock.get(x.marketHashName) ?? 0, true));
    let seed = 200;
    return {
      rows,
      reserved,
      inactiveBots: [bots[2]!.id],
      newRows: async (n: number) => {
        const r = makeRows(n, [bots[0]!.id], seed++);
        await insertRows(db, r);
        return r;
      },
      world: {
        search,
        added: (r: IndexRow[]) => indexer.upsert(docs(r)),
        reserved: (ids: string[], until: number) => indexer.reserve(ids, until),
        released: (ids: string[]) => indexer.release(ids),
        removed: (ids: string[]) => indexer.remove(ids),
      },
      async close() {
        await transport.request({ method: 'DELETE', path: `/${index}` }).catch(() => {});
        await stores.close();
      },
    };
  },
});
