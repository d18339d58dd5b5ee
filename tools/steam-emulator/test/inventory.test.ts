// Community inventory endpoint and IEconService inventory methods against steam.md §3.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { cookieHeader, json, postJson, startEmulator } from './helpers.ts';
import type { Emulator } from './helpers.ts';

interface InvBody {
  assets?: Array<{
    appid: number;
    contextid: string;
    assetid: string;
    classid: string;
    instanceid: string;
    amount: string;
  }>;
  descriptions?: Array<{
    classid: string;
    instanceid: string;
    market_hash_name: string;
    tradable: number;
    tags: unknown[];
  }>;
  asset_properties?: Array<{ assetid: string; asset_properties: Array<{ propertyid: number }> }>;
  more_items?: number;
  last_assetid?: string;
  total_inventory_count: number;
  success: number;
  rwgrsn: number;
}

let emu: Emulator;
let big: string;
before(async () => {
  // One bot with a 5,000-item inventory exercises paging across five full pages.
  emu = await startEmulator({ params: { bots: 1, itemsPerBot: 5000, users: 2 } });
  big = emu.world.bots()[0]!.steamid;
});
after(() => emu.close());

test('pages a 5,000-item inventory with start_assetid / last_assetid / more_items', async () => {
  const owner = emu.world.account(big)!;
  const seen = new Set<string>();
  let start: string | undefined;
  let pages = 0;
  const expected = emu.world.inventory(big, '2').size;
  for (;;) {
    const url = `${emu.base}/inventory/${big}/730/2?l=english&count=1000${start ? `&start_assetid=${start}` : ''}`;
    const res = await fetch(url, { headers: { cookie: cookieHeader(big, owner.accessToken) } });
    assert.equal(res.status, 200);
    const body = await json<InvBody>(res);
    pages++;
    assert.equal(body.success, 1);
    assert.equal(body.rwgrsn, -2);
    assert.equal(body.total_inventory_count, expected);
    const assets = body.assets ?? [];
    assert.ok(assets.length <= 1000);
    for (const a of assets) {
      assert.equal(a.appid, 730);
      assert.equal(a.contextid, '2');
      assert.equal(a.amount, '1');
      assert.ok(!seen.has(a.assetid), 'no asset twice');
      seen.add(a.assetid);
    }
    // Descriptions are deduplicated by classid+instanceid and cover every asset.
    const keys = (body.descriptions ?? []).map((d) => `${d.classid}_${d.instanceid}`);
    assert.equal(new Set(keys).size, keys.length);
    for (const a of assets) assert.ok(keys.includes(`${a.classid}_${a.instanceid}`));
    if (!body.more_items) {
      assert.equal(body.last_assetid, undefined);
      break;
    }
    assert.equal(body.last_assetid, assets.at(-1)?.assetid);
    start = body.last_assetid;
  }
  assert.equal(seen.size, expected);
  assert.equal(pages, Math.ceil(expected / 1000));
});

test('asset_properties carry seed (1, string int) and float (2, number)', async () => {
  const body = await json<InvBody>(await fetch(`${emu.base}/inventory/${big}/730/2?count=200`));
  const props = body.asset_properties ?? [];
  assert.ok(props.length > 0);
  const p = props[0]!;
  const seed = p.asset_properties.find((x) => x.propertyid === 1) as { int_value: string } | undefined;
  const wear = p.asset_properties.find((x) => x.propertyid === 2) as { float_value: number } | undefined;
  assert.match(seed?.int_value ?? '', /^\d+$/);
  assert.equal(typeof wear?.float_value, 'number');
  const d = body.descriptions![0]!;
  assert.ok(Array.isArray(d.tags) && d.tags.length > 0);
});

test('count above 1000 is HTTP 400; malformed count too', async () => {
  for (const count of ['1001', '5000', 'abc', '0']) {
    const res = await fetch(`${emu.base}/inventory/${big}/730/2?count=${count}`);
    assert.equal(res.status, 400, count);
  }
});

test('private inventory is HTTP 403 with body null; the owner still sees it', async () => {
  const user = emu.world.users()[0]!;
  user.privateInventory = true;
  try {
    const res = await fetch(`${emu.base}/inventory/${user.steamid}/730/2?count=100`);
    assert.equal(res.status, 403);
    assert.equal(await res.text(), 'null');
    const own = await fetch(`${emu.base}/inventory/${user.steamid}/730/2?count=100`, {
      headers: { cookie: cookieHeader(user.steamid, user.accessToken) },
    });
    assert.equal(own.status, 200);
  } finally {
    user.privateInventory = false;
  }
});

test('context 16 (trade protected) is visible only to the owner', async () => {
  const user = emu.world.users().find((u) => emu.world.inventory(u.steamid, '16').size > 0);
  assert.ok(user, 'some user has protected items');
  const anon = await json<InvBody>(await fetch(`${emu.base}/inventory/${user.steamid}/730/16?count=1000`));
  assert.equal(anon.assets, undefined);
  const own = await json<InvBody>(
    await fetch(`${emu.base}/inventory/${user.steamid}/730/16?count=1000`, {
      headers: { cookie: cookieHeader(user.steamid, user.accessToken) },
    }),
  );
  assert.equal(own.assets?.length, emu.world.inventory(user.steamid, '16').size);
  assert.ok(own.assets?.every((a) => a.contextid === '16'));
  assert.ok(own.descriptions?.every((d) => d.tradable === 0));
});

test('an empty or 0 start_assetid means the first page', async () => {
  const first = await json<InvBody>(await fetch(`${emu.base}/inventory/${big}/730/2?count=5`));
  for (const start of ['', '0']) {
    const body = await json<InvBody>(
      await fetch(`${emu.base}/inventory/${big}/730/2?count=5&start_assetid=${start}`),
    );
    assert.deepEqual(
      body.assets?.map((a) => a.assetid),
      first.assets?.map((a) => a.assetid),
      `start_assetid=${start}`,
    );
    assert.equal(body.more_items, 1);
  }
});

test('empty inventory has no assets key', async () => {
  const user = emu.world.users()[1]!;
  const res = await fetch(`${emu.base}/inventory/${user.steamid}/730/2?count=10&start_assetid=1`);
  assert.deepEqual(await res.json(), {
    total_inventory_count: emu.world.inventory(user.steamid, '2').size,
    success: 1,
    rwgrsn: -2,
  });
});

test('per-IP token bucket answers 429 once exhausted', async () => {
  await postJson(
    `${emu.base}/_emulator/settings`,
    { inventoryRateLimit: { refillPerSecond: 0.001, burst: 3 } },
    'PUT',
  );
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await fetch(`${emu.base}/inventory/${big}/730/2?count=1`)).status);
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
  } finally {
    await postJson(
      `${emu.base}/_emulator/settings`,
      { inventoryRateLimit: { refillPerSecond: 10000, burst: 20000 } },
      'PUT',
    );
  }
});

test('injected faults: 429 burst, EResult 500 body, glitched empty page', async () => {
  await postJson(`${emu.base}/_emulator/faults/inventory`, { burst429: 2 }, 'PUT');
  const codes = [];
  for (let i = 0; i < 3; i++) codes.push((await fetch(`${emu.base}/inventory/${big}/730/2?count=1`)).status);
  assert.deepEqual(codes, [429, 429, 200]);

  await postJson(`${emu.base}/_emulator/faults/inventory`, { eresult: 55, count: 1 }, 'PUT');
  const failed = await fetch(`${emu.base}/inventory/${big}/730/2?count=1`);
  assert.equal(failed.status, 500);
  assert.match(((await failed.json()) as { error: string }).error, /\(55\)$/);

  await postJson(`${emu.base}/_emulator/faults/inventory`, { glitch: true }, 'PUT');
  const glitched = await json<InvBody>(await fetch(`${emu.base}/inventory/${big}/730/2?count=1`));
  assert.equal(glitched.assets, undefined);
  assert.ok(glitched.total_inventory_count > 0);
  await fetch(`${emu.base}/_emulator/faults`, { method: 'DELETE' });
});

test('IEconService/GetInventoryItemsWithDescriptions and GetAssetPropertySchema', async () => {
  const owner = emu.world.account(big)!;
  const res = await fetch(
    `${emu.base}/IEconService/GetInventoryItemsWithDescriptions/v1/?access_token=${owner.accessToken}&steamid=${big}&appid=730&contextid=2&count=500&get_descriptions=1`,
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-eresult'), '1');
  const body = (await res.json()) as { response: InvBody };
  assert.equal(body.response.assets?.length, 500);
  assert.equal(body.response.more_items, 1);
  assert.ok((body.response.descriptions?.length ?? 0) > 0);

  const denied = await fetch(
    `${emu.base}/IEconService/GetInventoryItemsWithDescriptions/v1/?access_token=nope&steamid=${big}`,
  );
  assert.equal(denied.status, 403);

  const schema = (await (
    await fetch(`${emu.base}/IEconService/GetAssetPropertySchema/v1/?key=${owner.apiKey}&appid=730`)
  ).json()) as { response: { property_schemas: Array<{ id: number; name: string }> } };
  assert.deepEqual(
    schema.response.property_schemas.map((p) => p.id),
    [1, 2],
  );
});

test('GetInventoryItemsWithDescriptions: filters.assetids returns those assets and the rest as missing_assets', async () => {
  const owner = emu.world.account(big)!;
  const [a, b] = emu.world.inventory(big, '2').list();
  const gone = emu.world.nextAssetId();
  const base = `${emu.base}/IEconService/GetInventoryItemsWithDescriptions/v1/`;
  type Body = {
    response: InvBody & {
      missing_assets?: Array<{ appid: number; contextid: string; assetid: string; missing: boolean }>;
    };
  };
  const inputJson = JSON.stringify({
    steamid: big,
    appid: 730,
    contextid: 2,
    get_descriptions: true,
    filters: { assetids: [a!.assetid, gone, b!.assetid] },
  });
  const viaJson = (await (
    await fetch(`${base}?access_token=${owner.accessToken}&input_json=${encodeURIComponent(inputJson)}`)
  ).json()) as Body;
  assert.deepEqual(viaJson.response.assets?.map((x) => x.assetid).sort(), [a!.assetid, b!.assetid].sort());
  assert.deepEqual(viaJson.response.missing_assets, [
    { appid: 730, contextid: '2', assetid: gone, missing: true },
  ]);
  assert.equal(viaJson.response.more_items, undefined);
  assert.ok((viaJson.response.descriptions?.length ?? 0) > 0);

  const brackets = new URLSearchParams({
    access_token: owner.accessToken,
    steamid: big,
    appid: '730',
    contextid: '2',
    'filters[assetids][0]': gone,
    'filters[assetids][1]': a!.assetid,
  });
  const viaQuery = (await (await fetch(`${base}?${brackets.toString()}`)).json()) as Body;
  assert.deepEqual(
    viaQuery.response.assets?.map((x) => x.assetid),
    [a!.assetid],
  );
  assert.deepEqual(
    viaQuery.response.missing_assets?.map((x) => x.assetid),
    [gone],
  );

  const unfiltered = (await (
    await fetch(`${base}?access_token=${owner.accessToken}&steamid=${big}&appid=730&contextid=2&count=5`)
  ).json()) as Body;
  assert.equal(unfiltered.response.missing_assets, undefined);
  const bad = await fetch(`${base}?access_token=${owner.accessToken}&input_json=%7Bnope`);
  assert.equal(bad.status, 400);
});

test('partner inventory (trade window) needs a session and lists tradable items', async () => {
  const user = emu.world.users()[0]!;
  const url = `${emu.base}/tradeoffer/new/partnerinventory/?sessionid=abc123&partner=${big}&appid=730&contextid=2`;
  assert.equal((await fetch(url)).status, 401);
  const res = await fetch(url, {
    headers: { cookie: cookieHeader(user.steamid, user.accessToken, 'abc123') },
  });
  assert.equal(res.status, 200);
  const body = (await res.json()) as {
    success: boolean;
    rgInventory: Record<string, { classid: string; instanceid: string }>;
    rgDescriptions: Record<string, unknown>;
  };
  assert.equal(body.success, true);
  const ids = Object.keys(body.rgInventory);
  assert.ok(ids.length > 0);
  for (const id of ids) {
    const a = body.rgInventory[id]!;
    assert.ok(body.rgDescriptions[`${a.classid}_${a.instanceid}`]);
  }
});
