// QueryTime (steam.md §6.2), GetAssetClassInfo (§3.3).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { json, postJson, startEmulator } from './helpers.ts';
import type { Emulator } from './helpers.ts';

let emu: Emulator;
before(async () => {
  emu = await startEmulator();
});
after(() => emu.close());

test('QueryTime follows the world clock', async () => {
  await postJson(`${emu.base}/_emulator/clock/advance`, { seconds: 500 });
  const body = await json<{ response: { server_time: string } }>(
    await fetch(`${emu.base}/ITwoFactorService/QueryTime/v1/`, { method: 'POST' }),
  );
  assert.ok(Math.abs(Number(body.response.server_time) - emu.world.clock.now()) <= 1);
});

test('GetAssetClassInfo resolves classid/instanceid pairs', async () => {
  const bot = emu.world.bots()[0]!;
  const [a, b] = emu.world.inventory(bot.steamid, '2').list();
  const q = `appid=730&class_count=3&classid0=${a!.classid}&instanceid0=${a!.instanceid}&classid1=${b!.classid}&instanceid1=${b!.instanceid}&classid2=1&instanceid2=1`;
  const body = await json<{ result: Record<string, { market_hash_name?: string } | boolean> }>(
    await fetch(`${emu.base}/ISteamEconomy/GetAssetClassInfo/v1/?key=${bot.apiKey}&${q}`),
  );
  assert.equal(body.result['success'], true);
  assert.ok(body.result[`${a!.classid}_${a!.instanceid}`]);
  assert.equal(body.result['1_1'], undefined);
});
