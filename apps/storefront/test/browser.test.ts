// The storefront end to end in a real browser (playwright-core driving Debian's Chromium,
// headless): the whole platform as `npm start` runs it, on free ports. A person's path: first
// visit, sign in through the emulator's Steam page, set the trade URL, read the priced
// inventory, search the site inventory with filters, build and send a trade, watch it, accept
// it as the Steam user on the emulator's page, see it complete and both inventories change.
// Parts that need a service not yet on this branch (the site search, the socket server, the
// tradebot) run as soon as it exists and say why they are skipped until then.
// Screenshots: artifacts/screenshots/*.png (CI keeps artifacts/).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumPath, SCREENSHOTS, startPlatform, type EmulatorAccount, type Platform } from './platform.ts';

let platform: Platform;
let browser: Browser;
let users: EmulatorAccount[];
/** Whether GET /api/v1/inventory/site exists yet (issue 10) and lists items. */
let siteSearch = false;
/** Why the site search, though there, listed nothing (a failure of the steps that need items). */
let siteEmpty: string | null = null;
/** Why the search steps cannot run. */
const siteMissing = 'the site search (issue 10)';

interface UserItem {
  assetId: string;
  name: string;
  price: number | null;
  accepted: boolean;
  tradableAt: string | null;
}
interface SiteItem {
  assetId: string;
  name: string;
  marketHashName: string;
  price: number;
  exterior: string | null;
  tradableAt: string | null;
}

const shot = (page: Page, name: string, fullPage = false) =>
  page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });

async function json<T>(page: Page, path: string): Promise<T> {
  const res = await page.request.get(`${platform.origin}${path}`);
  assert.equal(res.status(), 200, `${path}: ${res.status()} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Signs in through the storefront's button and the emulator's Steam page, as a person does. */
async function signIn(page: Page, account: EmulatorAccount): Promise<void> {
  await page.goto(platform.origin);
  await page.getByRole('link', { name: 'Sign in through Steam' }).first().click();
  await page.waitForURL((u) => u.origin === platform.emulator);
  await page.getByLabel('Account').selectOption(account.steamid);
  await page.getByRole('button', { name: 'Sign In' }).click();
  await page.waitForURL((u) => u.origin === platform.origin);
  await assertVisible(page.getByRole('button', { name: 'Sign out' }), 'signed in');
  assert.equal(await page.getByTestId('persona').textContent(), account.persona);
}

async function assertVisible(locator: ReturnType<Page['locator']>, what: string, timeout = 15_000) {
  try {
    await locator.first().waitFor({ state: 'visible', timeout });
  } catch {
    assert.fail(`not visible: ${what}\n${await diagnose(locator.page(), what)}`);
  }
}

/**
 * What the page and the API showed when a step failed (CI keeps only the output and the
 * screenshots): a screenshot, the trades as the page shows them, the live status and the user's
 * trades as the API answers. Each part is bounded in time, so a hung page still fails with it.
 */
async function diagnose(page: Page, what: string): Promise<string> {
  const within = <T>(p: Promise<T>, ms = 5_000): Promise<T | string> =>
    Promise.race([
      p.catch((e: unknown) => `(failed: ${(e as Error).message.split('\n')[0]})`),
      new Promise<string>((r) => setTimeout(() => r(`(no answer within ${ms} ms)`), ms)),
    ]);
  const name = `FAILED-${what.replace(/[^a-z0-9]+/gi, '-')}`;
  const parts = await Promise.all([
    within(shot(page, name).then(() => `screenshot ${name}.png`)),
    within(
      page
        .locator('.trade')
        .allInnerTexts()
        .then((t) => t.slice(0, 3).join(' | ').replace(/\s+/g, ' ')),
    ),
    within(page.getByTestId('live-status').first().innerText()),
    within(
      page.request
        .get(`${platform.origin}/api/v1/trades`, { timeout: 5_000 })
        .then(async (r) => `${r.status()} ${(await r.text()).slice(0, 1500)}`),
    ),
  ]);
  return [
    `  ${parts[0]}`,
    `  trades on the page: ${parts[1]}`,
    `  live: ${parts[2]}`,
    `  GET /api/v1/trades: ${parts[3]}`,
  ].join('\n');
}

/** Closes a context or page within 10 s: a hung close must not hide the step that failed. */
async function closeSoon(target: { close(): Promise<void> }): Promise<void> {
  await Promise.race([target.close().catch(() => {}), new Promise((r) => setTimeout(r, 10_000))]);
}

async function setTradeUrl(page: Page, account: EmulatorAccount): Promise<void> {
  // The link to where Steam shows it points at the emulator's page for this account.
  const link = page.getByRole('link', { name: 'Find it on Steam' });
  assert.equal(
    await link.getAttribute('href'),
    `${platform.emulator}/profiles/${account.steamid}/tradeoffers/privacy#trade_offer_access_url`,
  );
  await page
    .getByRole('textbox', { name: 'Trade URL' })
    .fill('https://steamcommunity.com/tradeoffer/new/?partner=1&token=abcdefgh');
  await page.getByRole('button', { name: 'Save trade URL' }).click();
  await assertVisible(
    page.getByText('belongs to another Steam account'),
    'the refusal of a foreign trade URL',
  );
  await page.getByRole('textbox', { name: 'Trade URL' }).fill(account.tradeUrl);
  await page.getByRole('button', { name: 'Save trade URL' }).click();
  await assertVisible(page.getByText('Trade URL set.'), 'the saved trade URL');
}

before(
  async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const executablePath = chromiumPath();
    platform = await startPlatform('browser');
    browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
    users = await platform.users();
    const res = await fetch(`${platform.origin}/api/v1/inventory/site?limit=1`);
    siteSearch = res.status === 200;
    // A site search that lists nothing after start is a fault of the platform, not a reason to
    // skip: every step that needs site items fails with it (the platform's log has the search's
    // answers, "browser-suite: …").
    if (siteSearch && platform.siteEmptyFor > 0)
      siteEmpty = `the site search listed no items for ${Math.round(platform.siteEmptyFor / 1000)} s after start; see artifacts/browser.platform.log`;
  },
  { timeout: 240_000 },
);
after(async () => {
  await browser?.close();
  await platform?.close();
});

async function desktop(): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

test('a first-time visitor sees the storefront, never a blank page', { timeout: 120_000 }, async () => {
  const { context, page, errors } = await desktop();
  try {
    await page.goto(platform.origin);
    await assertVisible(page.getByRole('heading', { name: 'Trade CS2 skins in one offer.' }), 'the welcome');
    await assertVisible(page.getByRole('link', { name: 'Sign in through Steam' }), 'the sign-in button');
    await assertVisible(page.getByRole('heading', { name: 'Site inventory' }), 'the site pane');
    if (siteEmpty) assert.fail(siteEmpty);
    if (siteSearch) await assertVisible(page.locator('#site .item'), 'site items for an anonymous visitor');
    else await assertVisible(page.locator('#site .state-error'), 'the site pane says it is unavailable');
    await shot(page, '01-first-visit');
    // Every form control has a name a screen reader reads out.
    const unlabeled = await page.evaluate(() =>
      [...document.querySelectorAll('input:not([type=hidden]), select, button')]
        .filter((el) => {
          const e = el as HTMLInputElement;
          return !(e.labels?.length || e.getAttribute('aria-label') || e.textContent?.trim());
        })
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    assert.deepEqual(unlabeled, []);
    assert.deepEqual(errors, []);
  } finally {
    await closeSoon(context);
  }
});

test(
  'sign in through Steam, set the trade URL, read the priced inventory, send a trade and cancel it',
  { timeout: 180_000 },
  async () => {
    const account = users[0]!;
    const { context, page, errors } = await desktop();
    try {
      await signIn(page, account);
      await setTradeUrl(page, account);
      // The inventory as the API prices it: every item shown, the accepted ones with a price.
      const inv = await json<{ items: UserItem[] }>(page, '/api/v1/inventory/me');
      assert.ok(inv.items.length > 0, 'the emulator gave this user items');
      await assertVisible(page.locator('#mine .item'), 'the user inventory');
      assert.equal(await page.locator('#mine .item').count(), inv.items.length);
      const accepted = inv.items.filter((i) => i.accepted && i.price !== null);
      assert.ok(accepted.length > 0, 'the site accepts some of them');
      const refused = inv.items.filter((i) => !i.accepted);
      if (refused.length > 0) {
        const why = page.locator(`#mine [data-asset-id="${refused[0]!.assetId}"] .item-why`);
        assert.ok((await why.textContent())?.trim(), 'a refused item says why');
      }
      await shot(page, '02-signed-in');

      // Nothing picked: the builder says why it cannot send.
      const sendBtn = page.getByRole('button', { name: /^Send / });
      assert.equal(await sendBtn.isDisabled(), true);

      // Pick the most valuable accepted item with the keyboard.
      const item = accepted.sort((a, b) => (b.price ?? 0) - (a.price ?? 0))[0]!;
      const card = page.locator(`#mine [data-asset-id="${item.assetId}"] button`);
      await card.focus();
      await page.keyboard.press('Enter');
      assert.equal(await card.getAttribute('aria-pressed'), 'true');
      const usd = (c: number) => `$${(c / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
      assert.equal(await page.getByTestId('give-value').textContent(), usd(item.price!));
      assert.equal(await page.getByTestId('balance-after').textContent(), usd(item.price!));
      await shot(page, '03-deposit-built');

      await page.getByRole('button', { name: 'Send deposit' }).click();
      const trade = page.locator('.trade').first();
      await assertVisible(trade.getByTestId('verification-code'), 'the verification code');
      const code = (await trade.getByTestId('verification-code').textContent())!.trim();
      assert.match(code, /^[A-Z2-9]{6}$/);
      const trades = await json<{ items: { id: string; verificationCode: string; state: string }[] }>(
        page,
        '/api/v1/trades',
      );
      assert.equal(trades.items[0]?.verificationCode, code, 'the code shown is the trade’s');
      await shot(page, '04-trade-created');

      if (!platform.has.tradebot) {
        // Nobody carries the trade out yet: cancel it from the storefront.
        await trade.getByRole('button', { name: 'Cancel trade' }).click();
        await assertVisible(
          trade.getByTestId('trade-state').filter({ hasText: 'Canceled' }),
          'the canceled state',
        );
        const after = await json<{ state: string }>(page, `/api/v1/trades/${trades.items[0].id}`);
        assert.equal(after.state, 'canceled');
      } else {
        await assertVisible(trade.getByRole('button', { name: 'Cancel trade' }), 'the cancel button');
        await trade.getByRole('button', { name: 'Cancel trade' }).click();
        await assertVisible(
          trade.getByTestId('trade-state').filter({ hasText: /Cancel/ }),
          'the canceling or canceled state',
          60_000,
        );
      }
      // Balance and ledger are one tab away.
      await page.getByRole('tab', { name: 'Balance' }).click();
      await assertVisible(page.getByTestId('balance-amount'), 'the balance');
      await shot(page, '05-balance');

      // Sign out: back to the welcome.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await assertVisible(
        page.getByRole('heading', { name: 'Trade CS2 skins in one offer.' }),
        'the welcome again',
      );
      assert.deepEqual(errors, []);
    } finally {
      await closeSoon(context);
    }
  },
);

test(
  'search the site inventory with filters, sorts, the grouped view and infinite scroll',
  { timeout: 120_000 },
  async (t) => {
    if (siteEmpty) assert.fail(siteEmpty);
    if (!siteSearch) {
      t.skip(`needs ${siteMissing}`);
      return;
    }
    const { context, page, errors } = await desktop();
    try {
      await page.goto(platform.origin);
      await assertVisible(page.locator('#site .item'), 'site items');
      const all = await json<{ items: SiteItem[] }>(page, '/api/v1/inventory/site?limit=200');
      const target = all.items.find((i) => i.exterior && i.name.includes('|')) ?? all.items[0]!;
      // A search by the first word of the name and its exterior: every card matches.
      const word = target.name.split(/\s+/).find((w) => /^[a-z0-9]{2,}/i.test(w))!;
      await page.getByRole('searchbox', { name: 'Search items' }).fill(word.toLowerCase());
      await page.locator('summary', { hasText: 'Filters' }).click();
      if (target.exterior) await page.locator(`input[name=exterior][value="${target.exterior}"]`).check();
      await page.getByLabel('Sort by').selectOption('price-asc');
      const expected = await json<{ items: SiteItem[] }>(
        page,
        `/api/v1/inventory/site?q=${encodeURIComponent(word.toLowerCase())}${target.exterior ? `&exterior=${target.exterior}` : ''}&sort=price-asc&limit=60`,
      );
      // The page shows exactly the API's answer once the last filter has been applied.
      const want = expected.items.map((i) => i.assetId);
      const shownIds = () =>
        page.locator('#site .item').evaluateAll((els) => els.map((e) => e.getAttribute('data-asset-id')));
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && JSON.stringify(await shownIds()) !== JSON.stringify(want)) {
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.deepEqual(await shownIds(), want);
      assert.ok(want.length > 0, 'the search finds the item it was built from');
      await page.locator('summary', { hasText: 'Filters' }).click();
      await shot(page, '06-search-filters');
      await page.locator('summary', { hasText: 'Filters' }).click();
      // The grouped view: one card per name; opening one lists its items.
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await page.locator('summary', { hasText: 'Filters' }).click();
      await page.getByLabel('Group by name').check();
      await assertVisible(page.locator('#site .item.group'), 'grouped cards');
      await shot(page, '07-grouped');
      await page.locator('#site .item.group button').first().click();
      await assertVisible(page.getByRole('button', { name: '← All groups' }), 'the open group');
      await page.getByLabel('Group by name').uncheck();
      // Infinite scroll: scrolling the pane to its end loads the next page by cursor.
      await assertVisible(page.locator('#site .item:not(.group)'), 'the whole list again');
      await page.waitForFunction(
        () => document.querySelector('#site .grid')?.getAttribute('aria-busy') !== 'true',
      );
      const before = await page.locator('#site .item').count();
      if (before >= 60) {
        await page.locator('#site').scrollIntoViewIfNeeded();
        await page.waitForFunction((n) => {
          const pane = document.querySelector('#site');
          pane?.scrollTo(0, pane.scrollHeight);
          return document.querySelectorAll('#site .item').length > n;
        }, before);
      }
      assert.deepEqual(errors, []);
    } finally {
      await closeSoon(context);
    }
  },
);

test(
  'a swap accepted on the Steam page completes live and changes both inventories',
  { timeout: 180_000 },
  async (t) => {
    if (siteEmpty) assert.fail(siteEmpty);
    if (!siteSearch || !platform.has.tradebot) {
      t.skip(
        `needs ${[!siteSearch && siteMissing, !platform.has.tradebot && 'the tradebot (issue 12)'].filter(Boolean).join(' and ')} on this branch`,
      );
      return;
    }
    const account = users[1]!;
    const { context, page, errors } = await desktop();
    try {
      await signIn(page, account);
      await setTradeUrl(page, account);
      if (platform.has.socket)
        await assertVisible(page.getByTestId('live-status').filter({ hasText: 'Live' }), 'live');
      const inv = await json<{ items: UserItem[] }>(page, '/api/v1/inventory/me');
      const give = inv.items
        .filter((i) => i.accepted && i.price !== null && i.tradableAt === null)
        .sort((a, b) => (b.price ?? 0) - (a.price ?? 0))[0]!;
      const site = await json<{ items: SiteItem[] }>(
        page,
        `/api/v1/inventory/site?maxPrice=${give.price}&tradable=now&sort=price-desc&limit=1`,
      );
      const receive = site.items[0]!;
      assert.ok(receive, 'a site item the deposit pays for');
      await page.locator(`#mine [data-asset-id="${give.assetId}"] button`).click();
      await page.getByRole('searchbox', { name: 'Search items' }).fill(
        receive.name
          .split(/\s+/)
          .find((w) => /^[a-z0-9]{2,}/i.test(w))!
          .toLowerCase(),
      );
      await page.locator('summary', { hasText: 'Filters' }).click();
      await page.getByLabel('Max price ($)').fill((receive.price / 100).toFixed(2));
      await page.locator(`#site [data-asset-id="${receive.assetId}"] button`).click();
      await shot(page, '08-swap-built');
      await page.getByRole('button', { name: 'Send swap' }).click();
      const trade = page.locator('.trade').first();
      await assertVisible(
        trade.getByTestId('trade-state').filter({ hasText: 'Offer sent' }),
        'the sent offer',
        90_000,
      );
      const code = (await trade.getByTestId('verification-code').textContent())!.trim();
      await shot(page, '09-offer-sent');

      // Accept it as the Steam user on the emulator's page the storefront links to.
      const [steam] = await Promise.all([
        context.waitForEvent('page'),
        trade.getByRole('link', { name: /Accept as the Steam user/ }).click(),
      ]);
      await steam.waitForLoadState();
      const row = steam.locator('tr', { hasText: code });
      await assertVisible(row, 'the offer with its code on the Steam page');
      await row.getByRole('button', { name: 'Accept', exact: true }).click();
      const confirm = steam
        .locator('tr', { hasText: code })
        .getByRole('button', { name: /Confirm acceptance/ });
      if (await confirm.count()) await confirm.click();
      await shot(steam, '10-steam-accepted');
      await steam.close();

      await assertVisible(
        trade.getByTestId('trade-state').filter({ hasText: 'Completed' }),
        'the completed trade',
        90_000,
      );
      // Both inventories changed: the given item left the user's, the received one arrived; the
      // site no longer lists what the user received.
      await page.waitForFunction(
        ([gone]) => !document.querySelector(`#mine [data-asset-id="${gone}"]`),
        [give.assetId],
        { timeout: 60_000 },
      );
      await shot(page, '11-swap-completed');
      // What the user received is trade-protected at Steam for 7 days: it lives in the owner-only
      // context 16 (steam.md §4.8), so the site's read of the inventory shows it only afterwards.
      // The trade lists it and says so.
      await assertVisible(trade.getByText(receive.marketHashName), 'the received item in the trade');
      await assertVisible(trade.getByText(/trade-protected/), 'the trade protection note');
      const left = await json<{ items: SiteItem[] }>(
        page,
        `/api/v1/inventory/site?marketHashName=${encodeURIComponent(receive.marketHashName)}&limit=200`,
      );
      assert.ok(!left.items.some((i) => i.assetId === receive.assetId), 'the site no longer lists it');
      assert.equal(await page.locator(`#site [data-asset-id="${receive.assetId}"]`).count(), 0);

      // Steam's trade protection: the user reverses the trade from their trade history within
      // 7 days (steam.md §4.8); the tradebot notices, the trade becomes `reversed`, live.
      const done = await json<{ offers: { steamOfferId: string | null }[] }>(
        page,
        `/api/v1/trades/${await trade.getAttribute('data-trade-id')}`,
      );
      const steamOfferId = done.offers[0]?.steamOfferId;
      const offers = (await (
        await fetch(`${platform.emulator}/_emulator/accounts/${account.steamid}/offers`)
      ).json()) as { offers: { tradeofferid: string; tradeid?: string }[] };
      const tradeid = offers.offers.find((o) => o.tradeofferid === steamOfferId)?.tradeid;
      assert.ok(tradeid, 'the accepted offer has a Steam trade id');
      const reversed = await fetch(`${platform.emulator}/_emulator/trades/${tradeid}/reverse`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ steamid: account.steamid }),
      });
      assert.equal(reversed.status, 200, await reversed.text());
      await assertVisible(
        trade.getByTestId('trade-state').filter({ hasText: 'Reversed by Steam' }),
        'the reversed trade',
        90_000,
      );
      await assertVisible(trade.getByText(/Steam reversed this trade/), 'what a reversal means');
      await page.getByRole('tab', { name: 'Balance' }).click();
      await assertVisible(page.locator('.ledger td', { hasText: 'Reversal' }), 'the reversal in the ledger');
      await shot(page, '12-swap-reversed');
      assert.deepEqual(errors, []);
    } finally {
      await closeSoon(context);
    }
  },
);

test('an offer canceled outside the site raises the security notice', { timeout: 180_000 }, async (t) => {
  if (!platform.has.tradebot || !platform.has.socket) {
    t.skip(
      `needs ${[!platform.has.tradebot && 'the tradebot (issue 12)', !platform.has.socket && 'the socket server (issue 13)'].filter(Boolean).join(' and ')} on this branch`,
    );
    return;
  }
  // An account Steam would not hold trades of, not the one the reservation test takes (the first).
  const account =
    users
      .slice(4)
      .filter((u) => !u.escrowDays && !!u.sharedSecret)
      .at(-1) ?? users[3]!;
  const { context, page, errors } = await desktop();
  try {
    await signIn(page, account);
    await setTradeUrl(page, account);
    await assertVisible(page.getByTestId('live-status').filter({ hasText: 'Live' }), 'live');
    const inv = await json<{ items: UserItem[] }>(page, '/api/v1/inventory/me');
    const give = inv.items.find((i) => i.accepted && i.price !== null && i.tradableAt === null)!;
    await page.locator(`#mine [data-asset-id="${give.assetId}"] button`).click();
    await page.getByRole('button', { name: 'Send deposit' }).click();
    const trade = page.locator('.trade').first();
    await assertVisible(
      trade.getByTestId('trade-state').filter({ hasText: 'Offer sent' }),
      'the sent offer',
      90_000,
    );
    const code = (await trade.getByTestId('verification-code').textContent())!.trim();
    // Someone other than the user and the site (here: on the bot's own Steam page) cancels the
    // offer; the user is told at once that someone else ended it.
    const bots = (await (await fetch(`${platform.emulator}/_emulator/accounts?kind=bot`)).json()) as {
      accounts: { steamid: string }[];
    };
    // Someone else's browser: a context of its own.
    const elsewhere = await browser.newContext();
    const steam = await elsewhere.newPage();
    let canceled = false;
    for (const bot of bots.accounts) {
      await steam.goto(`${platform.emulator}/_emulator/ui?steamid=${bot.steamid}`);
      const row = steam.locator('tr', { hasText: code });
      if (await row.count()) {
        await row.getByRole('button', { name: 'Cancel', exact: true }).click();
        canceled = true;
        break;
      }
    }
    assert.ok(canceled, 'the offer was found at a bot');
    await closeSoon(elsewhere);
    await assertVisible(page.getByTestId('security-notice'), 'the security notice', 90_000);
    await shot(page, '13-security-notice');
    await assertVisible(
      trade.getByTestId('trade-state').filter({ hasText: /Canceled|Failed/ }),
      'the ended trade',
      60_000,
    );
    assert.deepEqual(errors, []);
  } finally {
    await closeSoon(context);
  }
});

test(
  'an item someone reserves disappears for everyone, live, and comes back when released',
  { timeout: 180_000 },
  async (t) => {
    if (siteEmpty) assert.fail(siteEmpty);
    if (!siteSearch || !platform.has.socket) {
      t.skip(
        `needs ${[!siteSearch && siteMissing, !platform.has.socket && 'the socket server (issue 13)'].filter(Boolean).join(' and ')} on this branch`,
      );
      return;
    }
    const viewer = await desktop();
    const actor = await desktop();
    try {
      // Someone browsing, not signed in, cheapest first.
      await viewer.page.goto(platform.origin);
      await assertVisible(
        viewer.page.getByTestId('live-status').filter({ hasText: 'Live' }),
        'live (viewer)',
      );
      await viewer.page.getByLabel('Sort by').selectOption('price-asc');
      const cheapest = await json<{ items: SiteItem[] }>(
        viewer.page,
        '/api/v1/inventory/site?sort=price-asc&limit=1',
      );
      await viewer.page.waitForFunction(
        (id) => document.querySelector('#site .item')?.getAttribute('data-asset-id') === id,
        cheapest.items[0]!.assetId,
      );
      // The cheapest item that can be withdrawn now (no trade hold note under it).
      const first = viewer.page.locator('#site .item:not(:has(.item-why))').first();
      const assetId = (await first.getAttribute('data-asset-id'))!;

      // Someone else takes it in a swap.
      // An account whose trades Steam would not hold (no escrow): the tradebot refuses to send
      // offers that Steam would hold, and the trade would end by itself.
      const account = users.slice(4).find((u) => !u.escrowDays && !!u.sharedSecret) ?? users[4]!;
      await signIn(actor.page, account);
      await setTradeUrl(actor.page, account);
      const inv = await json<{ items: UserItem[] }>(actor.page, '/api/v1/inventory/me');
      const give = inv.items
        .filter((i) => i.accepted && i.price !== null && i.tradableAt === null)
        .sort((a, b) => (b.price ?? 0) - (a.price ?? 0))[0]!;
      await actor.page.locator(`#mine [data-asset-id="${give.assetId}"] button`).click();
      await actor.page.getByLabel('Sort by').selectOption('price-asc');
      await actor.page.locator(`#site [data-asset-id="${assetId}"] button`).click();
      const send = actor.page.getByRole('button', { name: 'Send swap' });
      if (!(await send.isEnabled())) {
        assert.fail(`refused before sending: ${await actor.page.getByTestId('refusals').textContent()}`);
      }
      await viewer.page.evaluate((id) => {
        const w = window as unknown as { sfGone?: boolean };
        w.sfGone = false;
        new MutationObserver(() => {
          if (!document.querySelector(`#site [data-asset-id="${id}"]`)) w.sfGone = true;
        }).observe(document.body, { childList: true, subtree: true });
      }, assetId);
      await send.click();
      const trade = actor.page.locator('.trade').first();
      await assertVisible(trade.getByTestId('verification-code'), 'the swap');

      // The viewer's list loses it without a reload.
      const seqBefore = await viewer.page.getByTestId('live-status').getAttribute('data-site-seq');
      // Seen leaving at any moment: if Steam refuses the offer at once, the release follows the
      // reservation within a second and the item is back before a poll could look.
      await viewer.page
        .waitForFunction(() => (window as unknown as { sfGone?: boolean }).sfGone === true, undefined, {
          timeout: 60_000,
        })
        .catch(async () => {
          const status = viewer.page.getByTestId('live-status');
          assert.fail(
            `the reserved item stayed on the other visitor's page: live "${await status.textContent()}", ` +
              `site seq ${seqBefore} → ${await status.getAttribute('data-site-seq')}`,
          );
        });
      await shot(viewer.page, '17-reserved-gone-for-everyone');

      // Released: the viewer is told there are new items and gets it back on asking.
      // Canceled by its owner, or ended by itself (Steam refused the offer): either releases it.
      const cancel = trade.getByRole('button', { name: 'Cancel trade' });
      if (await cancel.isVisible()) await cancel.click().catch(() => {});
      await assertVisible(
        trade.getByTestId('trade-state').filter({ hasText: /Canceled|Failed|Declined|Expired/ }),
        'the trade ended',
        60_000,
      );
      await assertVisible(
        viewer.page.getByRole('button', { name: 'Show them' }),
        'new items offered',
        90_000,
      );
      await viewer.page.getByRole('button', { name: 'Show them' }).click();
      await assertVisible(
        viewer.page.locator(`#site [data-asset-id="${assetId}"]`),
        'the released item',
        30_000,
      );
      assert.deepEqual([...viewer.errors, ...actor.errors], []);
    } finally {
      await closeSoon(viewer.context);
      await closeSoon(actor.context);
    }
  },
);

test(
  'on a phone: one column, no sideways scrolling, the trade summary at hand',
  { timeout: 120_000 },
  async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(platform.origin);
      await assertVisible(page.getByRole('link', { name: 'Sign in through Steam' }), 'sign-in on a phone');
      await shot(page, '14-phone-first-visit');
      await signIn(page, users[2]!);
      await setTradeUrl(page, users[2]!);
      await assertVisible(page.locator('#mine .item'), 'the inventory on a phone');
      const item = page.locator('#mine .item:not(.refused) button').first();
      await item.tap();
      await assertVisible(page.locator('.sticky-summary'), 'the trade summary bar');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
      await shot(page, '15-phone-picked');
      await page.locator('.sticky-summary').tap();
      await assertVisible(page.getByRole('button', { name: 'Send deposit' }), 'the builder on a phone');
      await shot(page, '16-phone-builder');
      assert.deepEqual(errors, []);
    } finally {
      await closeSoon(context);
    }
  },
);

test('with the API down every pane says so and the page stays usable', { timeout: 60_000 }, async () => {
  const { context, page, errors } = await desktop();
  try {
    // The gateway answers, the services behind it do not (as when the backend is restarting).
    await page.route('**/api/v1/**', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: '{"error":{"code":"UPSTREAM_UNAVAILABLE","message":"The service is unavailable."}}',
      }),
    );
    await page.goto(platform.origin);
    await assertVisible(page.getByText("The site's API is not answering."), 'the API banner');
    await assertVisible(page.locator('#site .state-error'), 'the site pane error');
    await assertVisible(page.getByRole('button', { name: 'Try again' }), 'a retry');
    await shot(page, '18-api-down');
    assert.deepEqual(errors, []);
  } finally {
    await closeSoon(context);
  }
});
