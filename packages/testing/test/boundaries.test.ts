// The workspace boundary rule (eslint/boundaries.js), run the way `npm run lint` runs it: the
// repository's own ESLint config, on files placed in real workspaces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../../../', import.meta.url));

async function lint(filePath: string, code: string): Promise<string[]> {
  // The repository's config, with type information off (the probe files exist only in memory).
  const eslint = new ESLint({
    cwd: root,
    overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
    ruleFilter: ({ ruleId }) => ruleId === 'boundaries/no-cross-workspace-src',
  });
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

test("a workspace importing another workspace's src/ fails the lint", async () => {
  const relative = await lint(
    'services/backend/src/probe.ts',
    "import { buildSinvApp } from '../../inventory/src/app.ts';\nexport { buildSinvApp };\n",
  );
  assert.equal(relative.length, 1, relative.join('\n'));
  assert.match(relative[0]!, /^boundaries\/no-cross-workspace-src: .*services\/inventory/);
  const deep = await lint(
    'tools/bench/src/probe.ts',
    "export { loadConfig } from '@platform/inventory/src/config.ts';\n",
  );
  assert.equal(deep.length, 1, deep.join('\n'));
  const dynamic = await lint(
    'tools/bench/src/probe.ts',
    "export const m = await import('../../steam-emulator/src/app.ts');\n",
  );
  assert.equal(dynamic.length, 1, dynamic.join('\n'));
});

test('imports within a workspace and through package entries pass', async () => {
  const ok = await lint(
    'services/backend/src/probe.ts',
    [
      "import { buildApp } from './app.ts';",
      "import { loadConfig } from '@platform/inventory';",
      "import { startEmulator } from '@platform/testing';",
      'export { buildApp, loadConfig, startEmulator };',
    ].join('\n'),
  );
  assert.deepEqual(ok, []);
  // A service's tests import its own src.
  assert.deepEqual(await lint('services/backend/test/probe.test.ts', "export * from '../src/app.ts';\n"), []);
});
