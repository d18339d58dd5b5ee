import { migration as main0001 } from './main/0001-initial.ts';
import { migration as main0002 } from './main/0002-inventory.ts';
import { migration as main0003 } from './main/0003-reservations.ts';
import { migration as main0005 } from './main/0005-trading.ts';
import { migration as main0007 } from './main/0007-tradebot.ts';
import { migration as pricing0001 } from './pricing/0001-initial.ts';
import { migration as pricing0002 } from './pricing/0002-imports-blocklist.ts';
import { migration as pricing0003 } from './pricing/0003-import-heartbeat.ts';
import type { StepMigration } from './steps.ts';

/**
 * Migrations are listed here rather than discovered from the file system, so they work the same
 * from source, from a bundle, and under type stripping. Names sort in apply order.
 */
export const mainMigrations: Record<string, StepMigration> = {
  '0001-initial': main0001,
  '0002-inventory': main0002,
  '0003-reservations': main0003,
  '0005-trading': main0005,
  '0007-tradebot': main0007,
};

export const pricingMigrations: Record<string, StepMigration> = {
  '0001-initial': pricing0001,
  '0002-imports-blocklist': pricing0002,
  '0003-import-heartbeat': pricing0003,
};
