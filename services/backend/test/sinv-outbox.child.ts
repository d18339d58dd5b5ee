// A sinv process killed right after its refresh committed, before anything else could run (the
// moment a publish after the commit would have been lost): spawned by sinv-outbox.test.ts.
// argv[2]: the inventory service's env (JSON), argv[3]: the bot id.
import type { Env } from '@platform/config';
import { createServiceContext } from '@platform/http';
import { createPricing, createSinv, loadConfig } from '@platform/inventory';

const env = JSON.parse(process.argv[2]!) as Env;
const { ctx } = await createServiceContext('sinv-killed', loadConfig(env));
const sinv = createSinv(ctx, { pricing: createPricing(ctx) });
const apply = sinv.items.applyBotChanges.bind(sinv.items);
sinv.items.applyBotChanges = async (...args) => {
  await apply(...args);
  // Committed: the process dies before the refresh returns (no snapshot write, no publish).
  process.kill(process.pid, 'SIGKILL');
};
await sinv.reconcile.refreshBot(Number(process.argv[3]));
