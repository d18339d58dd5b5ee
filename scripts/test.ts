// `npm test`: bring up the stores, then run every workspace's tests with node's test runner.
// Each test file that needs MySQL creates its own fresh database (packages/db test helper)
// and drops it afterwards, so files can run side by side.
import { spawnSync } from 'node:child_process';

const stores = spawnSync('bash', ['scripts/stores.sh'], { stdio: 'inherit' });
if (stores.status !== 0) process.exit(stores.status ?? 1);

const patterns = process.argv.slice(2);
const files = patterns.length
  ? patterns
  : [
      'packages/*/test/**/*.test.ts',
      'services/*/test/**/*.test.ts',
      'tools/*/test/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
    ];
// The browser suite (apps/*/test) drives Debian's Chromium: install it when missing.
if (files.some((f) => f.startsWith('apps/'))) {
  const chromium = spawnSync('bash', ['scripts/chromium.sh'], { stdio: 'inherit' });
  if (chromium.status !== 0) process.exit(chromium.status ?? 1);
}
const run = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', '--test-timeout=120000', '--test-reporter=spec', ...files],
  {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
  },
);
process.exit(run.status ?? 1);
