// Community pages bots read (steam.md §2.2, §4.3, §4.7): /my, the profile XML, the trade URL page and its
// regeneration, the trade window's inline script in Steam's order, the legacy trade receipt.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { controlJson, SteamClient, startWithBotAndUser, type Harness } from './offers.helpers.ts';

let h: Harness;
let bot: SteamClient;
let user: SteamClient;

before(async () => ({ h, bot, user } = await startWithBotAndUser()));
after(() => h.close());

const get = (client: SteamClient | undefined, path: string): Promise<Response> =>
  fetch(`${h.base}${path}`, { headers: client ? { cookie: client.cookie } : {}, redirect: 'manual' });

test('/my redirects a signed-in browser to its profile on steamcommunity.com; others to the login page', async () => {
  const own = await get(bot, '/my');
  assert.equal(own.status, 302);
  assert.equal(own.headers.get('location'), `https://steamcommunity.com/profiles/${bot.account.steamid}/`);
  const page = await get(bot, '/my/tradeoffers/privacy?l=english');
  assert.equal(
    page.headers.get('location'),
    `https://steamcommunity.com/profiles/${bot.account.steamid}/tradeoffers/privacy?l=english`,
  );
  const anon = await get(undefined, '/my');
  assert.equal(anon.status, 302);
  assert.match(anon.headers.get('location') ?? '', /\/login\//);
  const dead = await fetch(`${h.base}/my`, {
    headers: { cookie: `steamLoginSecure=${encodeURIComponent(`${bot.account.steamid}||not.a.token`)}` },
    redirect: 'manual',
  });
  assert.match(dead.headers.get('location') ?? '', /\/login\//);
});

test('profile ?xml=1 carries what getSteamUser reads; unknown ids answer <response><error>', async () => {
  const res = await get(undefined, `/profiles/${user.account.steamid}/?xml=1`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /xml/);
  const xml = await res.text();
  assert.match(xml, /^<\?xml /);
  assert.match(xml, new RegExp(`<profile>\\s*<steamID64>${user.account.steamid}</steamID64>`));
  assert.match(xml, new RegExp(`<steamID><!\\[CDATA\\[${user.account.persona}\\]\\]></steamID>`));
  assert.match(xml, /<privacyState>public<\/privacyState>\s*<visibilityState>3<\/visibilityState>/);
  assert.match(xml, /<avatarIcon><!\[CDATA\[https:\/\/[^\]]+\/[0-9a-f]{40}\.jpg\]\]><\/avatarIcon>/);
  assert.match(xml, /<tradeBanState>None<\/tradeBanState>/);
  assert.match(xml, /<memberSince>[A-Z][a-z]+ \d{1,2}, \d{4}<\/memberSince>/);

  await controlJson(h.base, 'PATCH', `/_emulator/accounts/${user.account.steamid}`, {
    privateInventory: true,
  });
  const hidden = await (await get(undefined, `/profiles/${user.account.steamid}?xml=1`)).text();
  assert.match(hidden, /<privacyState>private<\/privacyState>\s*<visibilityState>1<\/visibilityState>/);
  assert.doesNotMatch(hidden, /memberSince/);
  await controlJson(h.base, 'PATCH', `/_emulator/accounts/${user.account.steamid}`, {
    privateInventory: false,
  });

  const unknown = await (await get(undefined, '/profiles/76561197960265729/?xml=1')).text();
  assert.match(
    unknown,
    /<response><error><!\[CDATA\[The specified profile could not be found\.\]\]><\/error>/,
  );
  const html = await (await get(undefined, `/profiles/${user.account.steamid}/`)).text();
  assert.match(
    html,
    new RegExp(`g_rgProfileData = \\{"url":"https://steamcommunity.com/profiles/${user.account.steamid}/"`),
  );
  assert.match(await (await get(undefined, '/profiles/76561197960265729')).text(), /<h1>Sorry!<\/h1>/);
});

test('trade URL page shows the URL; newtradeurl rotates the token (own profile, CSRF-checked)', async () => {
  const tradeUrl =
    /https?:\/\/(www.)?steamcommunity.com\/tradeoffer\/new\/?\?partner=\d+(&|&amp;)token=([a-zA-Z0-9-_]+)/;
  const privacy = `/profiles/${user.account.steamid}/tradeoffers/privacy`;
  const page = await (await get(user, privacy)).text();
  assert.equal(tradeUrl.exec(page)?.[3], user.account.tradeToken);
  assert.match(page, /\?partner=\d+&token=/, 'a bare & (SC hands the matched text to TOM createOffer)');
  assert.equal((await get(undefined, privacy)).status, 302);
  assert.match((await get(bot, privacy)).headers.get('location') ?? '', /\/login\//, "someone else's page");

  const rotate = (client: SteamClient, path: string, sessionid = client.sessionid) =>
    client.postForm(path, { sessionid });
  const foreign = await rotate(bot, `/profiles/${user.account.steamid}/tradeoffers/newtradeurl`);
  assert.equal(foreign.status, 403);
  assert.equal((await rotate(user, '/my/tradeoffers/newtradeurl', 'not-the-cookie')).status, 403);
  const res = await rotate(user, `/profiles/${user.account.steamid}/tradeoffers/newtradeurl`);
  assert.equal(res.status, 200);
  const token: unknown = res.body;
  const fresh = (await (await get(user, privacy)).text()).match(tradeUrl)?.[3];
  assert.match(fresh ?? '', /^[A-Za-z0-9_-]{8}$/);
  assert.notEqual(fresh, user.account.tradeToken);
  assert.equal(token, fresh, 'the answer is the new token as a JSON string');
  // The old trade URL no longer sends (§2.2, §5: 15).
  const [item] = await user.tradableItems(1);
  const stale = await bot.sendOffer({ partner: user.account, give: [], receive: [item!] });
  assert.match(String(stale.body['strError']), /\(15\)$/);
  user.account.tradeToken = fresh!;
});

test('trade window and offer page: one inline script starting with g_rgAppContextData, in Steam’s order', async () => {
  const page = await (
    await get(bot, `/tradeoffer/new/?partner=${user.account.accountId}&token=${user.account.tradeToken}`)
  ).text();
  // TOM 2.13.0 getUserDetails: the script must start (after blanks) with `var g_rgAppContextData` (§4.3).
  const script =
    /\n\W*<script type="text\/javascript">\W*\r?\n?(\W*var g_rgAppContextData[\s\S]*?)<\/script>/.exec(
      page,
    )?.[1];
  assert.ok(script, 'inline script found by the g_rgAppContextData-first rule');
  const order = [...script.matchAll(/var (g_\w+)/g)].map((m) => m[1]);
  assert.deepEqual(order.slice(0, 2), ['g_rgAppContextData', 'g_rgPartnerAppContextData']);
  for (const [a, b] of [
    ['g_strYourPersonaName', 'g_strTradePartnerPersonaName'],
    ['g_bTradePartnerProbation', 'g_daysMyEscrow'],
    ['g_daysMyEscrow', 'g_daysTheirEscrow'],
  ] as const) {
    assert.ok(order.indexOf(a) >= 0 && order.indexOf(a) < order.indexOf(b), `${a} before ${b}`);
  }
  const noop = { SetProfileURL() {}, SetSteamId() {} };
  const vars = runInNewContext(
    `${script}; ({ g_rgAppContextData, g_strYourPersonaName, g_strTradePartnerPersonaName, g_rgPartnerAppContextData, g_bTradePartnerProbation, g_daysMyEscrow, g_daysTheirEscrow })`,
    {
      UserYou: noop,
      UserThem: noop,
      $J() {},
    },
  ) as Record<string, unknown>;
  assert.equal(vars['g_strYourPersonaName'], bot.account.persona);
  assert.equal(vars['g_strTradePartnerPersonaName'], user.account.persona);
  assert.equal(vars['g_bTradePartnerProbation'], false);
  assert.equal(typeof vars['g_daysMyEscrow'], 'number');
  const ctx = vars['g_rgAppContextData'] as Record<
    string,
    { rgContexts: Record<string, { asset_count: number }> }
  >;
  assert.equal(ctx['730']?.rgContexts['2']?.asset_count, h.world.inventory(bot.account.steamid, '2').size);
  assert.ok((vars['g_rgPartnerAppContextData'] as Record<string, unknown>)['730']);
  assert.match(page, new RegExp(`<img src="[^"]+" data-miniprofile="${user.account.accountId}">`));
  assert.match(page, new RegExp(`<img src="[^"]+" data-miniprofile="${bot.account.accountId}">`));

  const wrong = await (
    await get(bot, `/tradeoffer/new/?partner=${user.account.accountId}&token=WRONG123`)
  ).text();
  assert.match(wrong, /<div id="error_msg">/);
});

test('legacy receipt /trade/<tradeid>/receipt/ lists the received items as oItem objects with new ids', async () => {
  const give = await bot.tradableItems(2);
  const sent = await bot.sendOffer({ partner: user.account, give, receive: [] });
  const id = String(sent.body['tradeofferid']);
  await controlJson(h.base, 'POST', `/_emulator/accounts/${bot.account.steamid}/offers/${id}/confirm`);
  const accepted = await user.acceptOffer(id, bot.account.steamid);
  const tradeid = String(accepted.body['tradeid']);
  assert.match(tradeid, /^\d+$/, JSON.stringify(accepted.body));

  const page = await (await get(user, `/trade/${tradeid}/receipt/`)).text();
  const script = /(var oItem;[\s\S]*)<\/script>/.exec(page)?.[1];
  assert.ok(script, 'receipt script');
  const items: Array<Record<string, unknown>> = [];
  runInNewContext(script, {
    UserYou: null,
    BuildHover: (_id: string, item: Record<string, unknown>) => items.push(item),
    $: () => ({ show() {} }),
  });
  const status = await user.webapi('GetTradeStatus', { tradeid });
  const trade = (
    (status.body['response'] as Record<string, unknown>)['trades'] as Array<Record<string, unknown>>
  )[0]!;
  const received = trade['assets_received'] as Array<Record<string, string>>;
  assert.deepEqual(
    items.map((i) => [i['id'], String(i['contextid']), i['appid']]).sort(),
    received.map((a) => [a['new_assetid'], a['new_contextid'], 730]).sort(),
  );
  for (const item of items) assert.equal(typeof item['market_hash_name'], 'string');

  // The giver received nothing; a stranger and a missing session do not see it.
  const giver = await (await get(bot, `/trade/${tradeid}/receipt/`)).text();
  assert.match(giver, /var oItem;\s*<\/script>/);
  const stranger = await SteamClient.forAccount(h.base, h.world.users()[1]!.steamid);
  assert.match(await (await get(stranger, `/trade/${tradeid}/receipt/`)).text(), /<div id="error_msg">/);
  assert.match(
    (await get(undefined, `/trade/${tradeid}/receipt/`)).headers.get('location') ?? '',
    /\/login\//,
  );
});
