// The items table is written with placeholders: values are bound by mysql2, never rendered into
// the SQL text by our code. Checked on the statements that reach the driver (Kysely's log), with
// values that text rendering gets wrong when done by hand: quotes, backslashes, a comment marker,
// non-BMP characters, the largest 64-bit id, a millisecond date.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Kysely, MysqlDialect, type CompiledQuery } from 'kysely';
import { createMysqlPool, poolOptions, type MainDatabase } from '@platform/db';
import type { SteamItem } from '@platform/steam';
import { BotsRepository } from '../src/sinv/bots.repository.ts';
import { ItemsRepository } from '../src/sinv/items.repository.ts';
import { startStores, type Stores } from './harness.ts';

let stores: Stores;
let db: Kysely<MainDatabase>;
const sent: CompiledQuery[] = [];
before(async () => {
  stores = await startStores();
  db = new Kysely<MainDatabase>({
    dialect: new MysqlDialect({
      pool: createMysqlPool(poolOptions(stores.dbs.settings, stores.dbs.settings.database)),
    }),
    log: (event) => {
      if (event.level === 'query') sent.push(event.query);
    },
  });
});
after(async () => {
  await db.destroy();
  await stores.close();
});

const item = (assetId: string, name: string): SteamItem => ({
  assetId,
  contextId: '2',
  classId: '18446744073709551615',
  instanceId: '0',
  amount: 1,
  marketHashName: name,
  name,
  type: 'Classified Rifle',
  typeTag: 'CSGO_Type_Rifle',
  weapon: 'AK-47',
  quality: null,
  rarity: 'Classified',
  rarityColor: 'd32ce6',
  exterior: 'Field-Tested',
  iconUrl: 'icon',
  nameColor: null,
  tradable: false,
  marketable: true,
  tradableAfter: new Date('2031-02-03T04:05:06.789Z'),
  floatValue: 0.123456789,
  paintSeed: 661,
  stickers: ['Sticker | It\'s "quoted"'],
  inspectLink: null,
  isCasket: false,
});

test('items are inserted and upserted with bound values, exactly as given', async () => {
  await new BotsRepository(db).upsert([
    { steamId: '76561198000000001', accountName: 'b1', displayName: 'b1' },
  ]);
  const bot = (await new BotsRepository(db).listActive())[0]!;
  const repo = new ItemsRepository(db);
  const tricky = `O'Brien \\' "AK" -- ™ 🎉 \\\\`;
  const empty = { remove: [], clearStale: false, unseen: [] };
  await repo.applyBotChanges(
    bot.id,
    { ...empty, add: [item('18446744073709551615', tricky)], update: [] },
    1,
  );
  // An update goes through the upsert.
  await repo.applyBotChanges(
    bot.id,
    {
      ...empty,
      add: [],
      update: [{ ...item('18446744073709551615', tricky), tradable: true, tradableAfter: null }],
    },
    1,
  );

  const writes = sent.filter((q) => q.sql.startsWith('INSERT INTO items'));
  assert.equal(writes.length, 2);
  for (const q of writes) {
    assert.ok(
      !q.sql.includes('Brien') && !q.sql.includes('18446744073709551615'),
      'a value was rendered into the text',
    );
    assert.ok(q.parameters.includes(tricky), 'the name travels as a bound value');
  }

  const row = await db
    .selectFrom('items')
    .select([
      'asset_id',
      'class_id',
      'market_hash_name',
      'stickers',
      'float_value',
      'tradable',
      'tradable_after',
    ])
    .executeTakeFirstOrThrow();
  assert.deepEqual(
    { ...row, stickers: JSON.parse(String(row.stickers)) as unknown },
    {
      asset_id: '18446744073709551615',
      class_id: '18446744073709551615',
      market_hash_name: tricky,
      stickers: ['Sticker | It\'s "quoted"'],
      float_value: 0.123456789,
      tradable: 1,
      tradable_after: null,
    },
  );
  const listed = await repo.listForBot(bot.id);
  assert.equal(listed[0]?.marketHashName, tricky);
});
