// The whole flow over real HTTP, as a browser does it: a plain client that follows redirects
// itself and carries cookies, through the emulator's OpenID login page, to a session that the
// backend's auth guard accepts on GET /api/v1/me. (The backend comes through its package entry:
// a test of two services together, not a dependency between them.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp as buildBackend, loadConfig as loadBackendConfig } from '@platform/backend';
import { buildTestApp } from '@platform/testing';
import { loginApp, startEmulator, startStores, uniquePrefix, type Emulator, type Stores } from './helpers.ts';

let emulator: Emulator;
let stores: Stores;
let login: FastifyInstance;
let backend: FastifyInstance;
let loginBase: string;
let backendBase: string;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(a && typeof a === 'object' ? a.port : 0));
    });
  });
}

before(async () => {
  emulator = await startEmulator();
  stores = await startStores();
  const [loginPort, backendPort] = [await freePort(), await freePort()];
  loginBase = `http://127.0.0.1:${loginPort}`;
  backendBase = `http://127.0.0.1:${backendPort}`;
  const shared = { REDIS_KEY_PREFIX: uniquePrefix(), ALLOWED_ORIGINS: backendBase, SESSION_CACHE_MS: '0' };
  ({ app: login } = await loginApp(stores, emulator, {
    env: { ...shared, LOGIN_PUBLIC_URL: loginBase, LOGIN_DEFAULT_REDIRECT: `${backendBase}/api/v1/status` },
  }));
  ({ app: backend } = await buildTestApp(loadBackendConfig, (ctx) => buildBackend(ctx), {
    stores,
    env: shared,
  }));
  await login.listen({ host: '127.0.0.1', port: loginPort });
  await backend.listen({ host: '127.0.0.1', port: backendPort });
});
after(async () => {
  await login.close();
  await backend.close();
  await emulator.close();
  await stores.close();
});

/** A browser reduced to what matters here: a cookie jar (host-wide, as for 127.0.0.1) and redirects. */
class Browser {
  readonly cookies = new Map<string, { value: string; path: string }>();
  readonly visited: string[] = [];

  cookieFor(url: URL): string {
    return [...this.cookies]
      .filter(([, c]) => url.pathname.startsWith(c.path))
      .map(([k, c]) => `${k}=${c.value}`)
      .join('; ');
  }

  async request(
    url: string,
    init: { method?: string; body?: string; headers?: Record<string, string> } = {},
  ) {
    let target = new URL(url);
    let method = init.method ?? 'GET';
    let body = init.body;
    let headers = init.headers ?? {};
    for (let hop = 0; hop < 10; hop++) {
      this.visited.push(`${method} ${target.origin}${target.pathname}`);
      const res = await fetch(target, {
        method,
        redirect: 'manual',
        headers: { ...headers, cookie: this.cookieFor(target) },
        ...(body !== undefined ? { body } : {}),
      });
      for (const line of res.headers.getSetCookie()) {
        const [pair = '', ...attrs] = line.split(';').map((s) => s.trim());
        const eq = pair.indexOf('=');
        const path = attrs.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
        const value = pair.slice(eq + 1);
        if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line))
          this.cookies.delete(pair.slice(0, eq));
        else this.cookies.set(pair.slice(0, eq), { value, path });
      }
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || location === null) return res;
      target = new URL(location, target);
      method = 'GET';
      body = undefined;
      headers = {};
    }
    throw new Error('too many redirects');
  }
}

function hiddenInputs(html: string): URLSearchParams {
  const unescape = (s: string) =>
    s
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    form.append(unescape(m[1] ?? ''), unescape(m[2] ?? ''));
  }
  return form;
}

test("signing in through the emulator's OpenID page yields a session the backend accepts on GET /api/v1/me", async () => {
  const alice = emulator.world.users()[0]!;
  const browser = new Browser();

  // 1. "Sign in through Steam" → the provider's login page.
  const page = await browser.request(
    `${loginBase}/auth/steam?returnTo=${encodeURIComponent(`${backendBase}/api/v1/me`)}`,
  );
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /Sign in through Steam/);
  assert.ok(browser.cookies.has('cs2t_session_login'), 'the state cookie is set');

  // 2. The person picks their account on the page and approves; redirects lead back to the site.
  const form = hiddenInputs(html);
  form.set('steamid', alice.steamid);
  form.set('action', 'approve');
  const me = await browser.request(`${emulator.base}/openid/login/_emulator_approve`, {
    method: 'POST',
    body: form.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.deepEqual(browser.visited.slice(-3), [
    `POST ${emulator.base}/openid/login/_emulator_approve`,
    `GET ${loginBase}/auth/steam/return`,
    `GET ${backendBase}/api/v1/me`,
  ]);
  assert.equal(me.status, 200);
  const body = (await me.json()) as Record<string, unknown>;
  assert.equal(body.steamId, alice.steamid);
  assert.equal(body.tradeUrl, null);
  assert.ok(browser.cookies.has('cs2t_session'));
  assert.ok(!browser.cookies.has('cs2t_session_login'), 'the state cookie is spent');

  // 3. A state-changing call from the site's origin works; the trade URL is stored.
  const put = await browser.request(`${backendBase}/api/v1/me/trade-url`, {
    method: 'PUT',
    body: JSON.stringify({ tradeUrl: emulator.world.tradeUrl(alice) }),
    headers: { 'content-type': 'application/json', origin: backendBase },
  });
  assert.equal(put.status, 200);
  assert.equal(((await put.json()) as Record<string, unknown>).tradeUrl, emulator.world.tradeUrl(alice));

  // 4. Logout at the login service ends the session the backend was accepting (even for a
  //    client that kept the old cookie).
  const token = browser.cookies.get('cs2t_session')?.value ?? '';
  const out = await browser.request(`${loginBase}/auth/logout`, {
    method: 'POST',
    headers: { origin: backendBase },
  });
  assert.equal(out.status, 204);
  assert.ok(!browser.cookies.has('cs2t_session'), 'the cookie is cleared');
  const after = await fetch(`${backendBase}/api/v1/me`, { headers: { cookie: `cs2t_session=${token}` } });
  assert.equal(after.status, 401);
});

test('cancelling on the provider page is answered with LOGIN_CANCELLED', async () => {
  const browser = new Browser();
  const page = await browser.request(`${loginBase}/auth/steam`);
  const form = hiddenInputs(await page.text());
  form.set('action', 'cancel');
  const res = await browser.request(`${emulator.base}/openid/login/_emulator_approve`, {
    method: 'POST',
    body: form.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(res.status, 400);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'LOGIN_CANCELLED');
});
