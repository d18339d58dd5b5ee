// A backend process that runs only the outbox relay, for outbox.test.ts to kill in the middle.
// argv[2]: the env (JSON) of the test's backend context.
import { createServiceContext } from '@platform/http';
import { loadConfig } from '../src/config.ts';
import { OutboxRelay } from '../src/outbox/outbox.relay.ts';

const config = loadConfig(JSON.parse(process.argv[2]!) as Record<string, string>);
const { ctx } = await createServiceContext('relay-child', config);
// Small batches: a kill lands between publishing rows and marking them published.
const relay = new OutboxRelay({
  db: ctx.dbs.main,
  bus: ctx.bus,
  redis: ctx.redis,
  logger: ctx.logger,
  pollMs: 10,
  batch: 25,
  leaseMs: 1_000,
});
relay.start();
process.stdout.write('relay started\n');
