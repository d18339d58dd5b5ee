import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigError } from '@platform/config';
import { loadConfig } from '../src/config.ts';

const production = {
  NODE_ENV: 'production',
  STEAM_COMMUNITY_URL: 'https://steamcommunity.com',
  BOT_SESSION_SOURCE: 'redis',
  PRICE_FEED_URL: 'https://prices.example.com/feed.json',
  INTERNAL_TOKEN: 'a-long-random-production-token',
};

test('with NODE_ENV=production, every setting that defaults to the emulator is refused, each named', () => {
  assert.throws(
    () => loadConfig({ NODE_ENV: 'production' }),
    (e: ConfigError) =>
      ['STEAM_COMMUNITY_URL', 'BOT_SESSION_SOURCE', 'PRICE_FEED_URL', 'INTERNAL_TOKEN'].every((k) =>
        e.problems.some((p) => p.startsWith(`${k} must be set in production`)),
      ),
  );
  assert.throws(
    () => loadConfig({ ...production, BOT_SESSION_SOURCE: 'emulator', EMULATOR_SEED_BOTS: 'true' }),
    (e: ConfigError) =>
      e.problems.length === 2 &&
      e.problems.some((p) => p.startsWith('BOT_SESSION_SOURCE=emulator is refused')) &&
      e.problems.some((p) => p.startsWith('EMULATOR_SEED_BOTS=true is refused')),
  );
  assert.equal(loadConfig(production).bots.sessionSource, 'redis');
  // Development keeps its defaults: the emulator on this machine.
  assert.equal(loadConfig({}).steam.communityUrl.port, '3090');
});
