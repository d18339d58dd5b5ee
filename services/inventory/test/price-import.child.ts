// A process that runs one price import and is killed in the middle of it by
// price-import-interrupted.test.ts. argv[2]: the MySQL settings (JSON), argv[3]: the feed URL.
import { createDatabases, type MainDatabase, type MysqlSettings, type PricingDatabase } from '@platform/db';
import { createLogger } from '@platform/observability';
import { PriceReader } from '@platform/pricing';
import { PriceImportService } from '../src/pricing/price-import.service.ts';
import { PricingRepository } from '../src/pricing/pricing.repository.ts';

const raw = JSON.parse(process.argv[2]!) as MysqlSettings & { url: string };
const dbs = createDatabases<MainDatabase, PricingDatabase>({ ...raw, url: new URL(raw.url) });
const importer = new PriceImportService({
  repo: new PricingRepository(dbs.pricing),
  current: new PriceReader(dbs),
  logger: createLogger({ service: 'import-child', level: 'silent' }),
  feedUrl: new URL(process.argv[3]!),
  format: 'json',
  source: 'test',
  maxRejectPercent: 50,
  timeoutMs: 120_000,
  abandonAfterMs: 1_000,
  // Nothing listens: the child is killed before it would publish.
  events: { publish: () => Promise.resolve(0) },
});
await importer.run();
