// `npm run db:migrate`: creates the main and pricing databases when missing and applies every
// pending migration. `-- --drop --yes-drop-everything` drops both first (local development only).
import { ConfigError, loadSchema, mysqlGroup } from '@platform/config';
import { dropAll, migrateAll } from '../migrate.ts';

const config = (() => {
  try {
    return loadSchema('db:migrate', { mysql: mysqlGroup() }, process.env);
  } catch (err) {
    // The list of problems is the whole message, as the services print it (no stack trace).
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(2);
  }
})();
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
