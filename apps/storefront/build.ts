// Builds the storefront when its sources are newer than the last build (`npm start` and the
// browser test call this; `npm run build -w apps/storefront` forces it). The gateway serves the
// result from STOREFRONT_DIR. A build goes to a folder of its own and is renamed into place, so
// a gateway serving the old build never sees half of a new one.
import { existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = import.meta.dirname;
export const STOREFRONT_DIST = resolve(ROOT, 'dist');
const STAMP = join(STOREFRONT_DIST, '.built');

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** True when a build exists and nothing it was built from changed since. */
export function storefrontUpToDate(): boolean {
  if (!existsSync(STAMP)) return false;
  const sources = ['src', 'index.html', 'vite.config.ts', 'package.json', 'build.ts'].map((p) =>
    join(ROOT, p),
  );
  const newest = Math.max(...sources.filter((p) => existsSync(p)).map(newestMtime));
  return statSync(STAMP).mtimeMs >= newest;
}

/** Builds when stale (or when forced) and returns the folder to serve. */
export async function ensureStorefrontBuilt(
  opts: { force?: boolean; quiet?: boolean } = {},
): Promise<string> {
  if (!opts.force && storefrontUpToDate()) return STOREFRONT_DIST;
  const started = Date.now();
  const { build } = await import('vite');
  const { default: config } = await import('./vite.config.ts');
  const outDir = resolve(ROOT, `.dist-${process.pid}`);
  await build({
    ...config,
    configFile: false,
    logLevel: opts.quiet ? 'error' : 'warn',
    build: { ...config.build, outDir },
  });
  writeFileSync(join(outDir, '.built'), new Date().toISOString());
  rmSync(STOREFRONT_DIST, { recursive: true, force: true });
  renameSync(outDir, STOREFRONT_DIST);
  if (!opts.quiet) console.log(`storefront: built in ${Date.now() - started} ms → ${STOREFRONT_DIST}`);
  return STOREFRONT_DIST;
}

if (import.meta.main) {
  await ensureStorefrontBuilt({ force: process.argv.includes('--force') });
}
