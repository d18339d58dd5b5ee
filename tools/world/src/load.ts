// `npm run world:load -- --items 400000 --bots 400 [--reserved 0.1] [--seed 42] [--replace]`:
// loads a world to measure into the MySQL of MYSQL_URL / MYSQL_DATABASE (migrated first).
// Refuses to add a second world beside one already there unless --replace (which removes the
// earlier world's bots, items and reservations first).
import { parseArgs } from 'node:util';
import { ConfigError, loadSchema, mysqlGroup } from '@platform/config';
import { createDatabases, migrateAll, type MainDatabase, type PricingDatabase } from '@platform/db';
import { loadWorld, removeWorld } from './world.loader.ts';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '400000' },
    bots: { type: 'string', default: '400' },
    reserved: { type: 'string', default: '0.1' },
    seed: { type: 'string', default: '42' },
    replace: { type: 'boolean', default: false },
  },
});
const items = Number(values.items);
const bots = Number(values.bots);
const reservedShare = Number(values.reserved);
if (
  !Number.isInteger(items) ||
  items < 1 ||
  !Number.isInteger(bots) ||
  bots < 1 ||
  !(reservedShare >= 0 && reservedShare <= 1)
) {
  console.error('usage: npm run world:load -- --items N --bots N [--reserved 0..1] [--seed N] [--replace]');
  process.exit(2);
}
const config = (() => {
  try {
    return loadSchema('world:load', { mysql: mysqlGroup() }, process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(2);
  }
})();
await migrateAll(config.mysql, () => {});
const dbs = createDatabases<MainDatabase, PricingDatabase>(config.mysql);
try {
  const existing = await dbs.main
    .selectFrom('bots')
    .select('id')
    .where('account_name', 'like', 'worldbot%')
    .limit(1)
    .execute();
  if (existing.length > 0) {
    if (!values.replace) {
      console.error('A world is already loaded here; add --replace to remove it first.');
      process.exit(2);
    }
    console.log('removing the earlier world…');
    await removeWorld(dbs.main);
  }
  const started = performance.now();
  const bar = (done: number, total: number) => {
    const width = 30;
    const filled = Math.round((done / total) * width);
    const s = (performance.now() - started) / 1000;
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor((done / total) * 100)}% ${done}/${total} items, ${s.toFixed(1)} s`,
    );
    if (done >= total) process.stderr.write('\n');
  };
  console.log(`generating ${items} items across ${bots} bots (seed ${values.seed})…`);
  const r = await loadWorld(dbs.main, dbs.pricing, {
    items,
    bots,
    reservedShare,
    seed: Number(values.seed),
    onProgress: bar,
  });
  console.log(
    `loaded ${r.items} items on ${r.bots} bots (${r.names} names, ${r.locked} trade-locked, ${r.reserved} reserved) into ${config.mysql.database} in ${(r.ms / 1000).toFixed(1)} s`,
  );
} finally {
  await dbs.close();
}
