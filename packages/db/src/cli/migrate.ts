// `npm run db:migrate`: creates the main and pricing databases when missing and applies every
// pending migration. `-- --drop --yes-drop-everything` drops both first (local development only).
import { loadSchema, mysqlGroup } from '@platform/config';
import { dropAll, migrateAll } from '../migrate.ts';

const config = loadSchema('db:migrate', { mysql: mysqlGroup() }, process.env);
const args = new Set(process.argv.slice(2));
if (args.has('--drop')) {
  if (!args.has('--yes-drop-everything')) {
    console.error('Refusing to drop without --yes-drop-everything.');
    process.exit(2);
  }
  await dropAll(config.mysql);
  console.log(`dropped ${config.mysql.database} and ${config.mysql.pricingDatabase}`);
}
const reports = await migrateAll(config.mysql, (line) => console.log(line));
for (const r of reports) {
  console.log(`${r.database}: ${r.applied.length ? `applied ${r.applied.join(', ')}` : 'up to date'}`);
}
