// The redirect whitelist: open-redirect attempts are refused, the site's own URLs pass normalised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeOrigins } from '@platform/http';
import { allowedReturnTo } from '../src/login/return-to.ts';
import { OPEN_REDIRECTS as refused } from './open-redirects.ts';

const allowed = normalizeOrigins(['https://site.test', 'https://app.site.test:8443']);
const base = new URL('https://site.test/');

for (const [name, raw] of refused) {
  test(`open redirect refused: ${name}`, () => {
    assert.equal(allowedReturnTo(raw, allowed, base), undefined, JSON.stringify(raw));
  });
}

test('at least 20 open-redirect attempts are covered', () => {
  assert.ok(refused.length >= 20);
});

test("the site's own URLs pass, normalised", () => {
  const cases: [string, string][] = [
    ['https://site.test/trade', 'https://site.test/trade'],
    ['/trade?x=1', 'https://site.test/trade?x=1'],
    ['/%2F%2Fevil.com', 'https://site.test/%2F%2Fevil.com'],
    ['https://SITE.test/a', 'https://site.test/a'],
    ['https://site.test:443/p', 'https://site.test/p'],
    ['https://app.site.test:8443/x#y', 'https://app.site.test:8443/x#y'],
  ];
  for (const [raw, expected] of cases) assert.equal(allowedReturnTo(raw, allowed, base)?.href, expected, raw);
});

test('non-strings are refused', () => {
  for (const raw of [undefined, null, 42, ['https://site.test/'], { href: 'https://site.test/' }]) {
    assert.equal(allowedReturnTo(raw, allowed, base), undefined);
  }
});

test('with NODE_ENV=production, the emulator defaults of the Steam URLs are refused, each named', async () => {
  const { loadConfig } = await import('../src/config.ts');
  assert.throws(
    () => loadConfig({ NODE_ENV: 'production', INTERNAL_TOKEN: 'a-long-random-production-token' }),
    (e: Error & { problems: string[] }) =>
      ['STEAM_OPENID_URL', 'STEAM_WEB_API_URL'].every((k) =>
        e.problems.some((p) => p.startsWith(`${k} must be set in production`)),
      ),
  );
  const ok = loadConfig({
    NODE_ENV: 'production',
    INTERNAL_TOKEN: 'a-long-random-production-token',
    STEAM_OPENID_URL: 'https://steamcommunity.com/openid/login',
    STEAM_WEB_API_URL: 'https://api.steampowered.com',
  });
  assert.equal(ok.steam.openidUrl.host, 'steamcommunity.com');
});
