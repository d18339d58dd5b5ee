// Control API under /_emulator (Steam has no such prefix; nothing here imitates Steam).
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyPluginCallback } from 'fastify';
import { escapeHtml } from '../lib/html.ts';
import type { TokenBuckets } from '../lib/token-bucket.ts';
import { AUTO_COOKIE } from '../openid/openid.routes.ts';
import type { OpenIdService } from '../openid/openid.service.ts';
import type { LoginThrottle } from '../session/session.routes.ts';
import type { FaultRule } from '../world/faults.ts';
import { generateWorld } from '../world/generate.ts';
import { applySnapshot, dumpWorld, saveWorld, snapshotPath } from '../world/persistence.ts';
import type { Account, GenerationParams } from '../world/types.ts';
import type { World } from '../world/world.ts';
import { priceFeed, toCsv } from './prices.ts';

export interface ControlPluginOptions {
  world: World;
  openid: OpenIdService;
  buckets: TokenBuckets;
  throttle: LoginThrottle;
  /** Where snapshots go; without it /snapshot returns the dump in the body only. */
  dataDir: string | undefined;
}

function accountView(world: World, a: Account) {
  return {
    ...a,
    tradeUrl: world.tradeUrl(a),
    steamLoginSecure: encodeURIComponent(`${a.steamid}||${a.accessToken}`),
    inventoryCounts: {
      '2': world.inventory(a.steamid, '2').size,
      '16': world.inventory(a.steamid, '16').size,
    },
  };
}

const PATCHABLE = [
  'persona',
  'privateInventory',
  'tradeBannedUntil',
  'restrictedUntil',
  'escrowDays',
  'tradeProtectionAcknowledged',
  'tradeToken',
] as const;

export const controlPlugin: FastifyPluginCallback<ControlPluginOptions> = (app, opts, done) => {
  const { world, openid, buckets, throttle, dataDir } = opts;

  app.get<{ Querystring: { kind?: string } }>('/_emulator/accounts', (req) => {
    const list = [...world.accounts.values()].filter(
      (a) => req.query.kind === undefined || a.kind === req.query.kind,
    );
    return { accounts: list.map((a) => accountView(world, a)) };
  });

  app.get<{ Params: { steamid: string } }>('/_emulator/accounts/:steamid', (req, reply) => {
    const a = world.account(req.params.steamid);
    if (a === undefined) return reply.code(404).send({ error: 'unknown account' });
    return accountView(world, a);
  });

  app.patch<{ Params: { steamid: string }; Body: Partial<Record<(typeof PATCHABLE)[number], unknown>> }>(
    '/_emulator/accounts/:steamid',
    (req, reply) => {
      const a = world.account(req.params.steamid);
      if (a === undefined) return reply.code(404).send({ error: 'unknown account' });
      const body = req.body ?? {};
      for (const field of PATCHABLE) {
        const v = body[field];
        if (v === undefined) continue;
        if (typeof v !== typeof a[field]) return reply.code(400).send({ error: `bad type for ${field}` });
        (a as unknown as Record<string, unknown>)[field] = v;
      }
      world.markDirty();
      return accountView(world, a);
    },
  );

  // Forces the session to look dead (steam.md §7.2) without moving the clock.
  app.post<{ Params: { steamid: string } }>('/_emulator/accounts/:steamid/expire-session', (req, reply) => {
    const a = world.account(req.params.steamid);
    if (a === undefined) return reply.code(404).send({ error: 'unknown account' });
    a.accessTokenExpires = world.clock.now();
    world.markDirty();
    return { steamid: a.steamid, accessTokenExpires: a.accessTokenExpires };
  });

  // Adds a mobile authenticator (fresh secrets; trades stay held for its first 7 days, steam.md §4.8) or removes it
  // (the account then confirms by e-mail and its trades are held).
  app.post<{ Params: { steamid: string }; Body: { enabled?: unknown } }>(
    '/_emulator/accounts/:steamid/authenticator',
    (req, reply) => {
      const a = world.account(req.params.steamid);
      if (a === undefined) return reply.code(404).send({ error: 'unknown account' });
      const enabled = req.body?.enabled;
      if (typeof enabled !== 'boolean') return reply.code(400).send({ error: 'enabled must be a boolean' });
      a.sharedSecret = enabled ? randomBytes(20).toString('base64') : '';
      a.identitySecret = enabled ? randomBytes(20).toString('base64') : '';
      a.authenticatorSince = enabled ? world.clock.now() : 0;
      world.markDirty();
      return accountView(world, a);
    },
  );

  app.get('/_emulator/clock', () => ({ now: world.clock.now(), offsetSeconds: world.clock.offsetSeconds }));
  app.post<{ Body: { seconds?: unknown } }>('/_emulator/clock/advance', (req, reply) => {
    const seconds = req.body?.seconds;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds)) {
      return reply.code(400).send({ error: 'seconds must be a number' });
    }
    world.clock.advance(seconds);
    world.markDirty();
    return { now: world.clock.now(), offsetSeconds: world.clock.offsetSeconds };
  });

  app.get('/_emulator/faults', () => ({ faults: world.faults.list() }));
  app.put<{ Params: { name: string }; Body: FaultRule }>('/_emulator/faults/:name', (req, reply) => {
    if (typeof req.body !== 'object' || req.body === null)
      return reply.code(400).send({ error: 'rule object required' });
    world.faults.set(req.params.name, req.body);
    return { name: req.params.name, rule: world.faults.get(req.params.name) };
  });
  app.delete<{ Params: { name: string } }>('/_emulator/faults/:name', (req) => {
    world.faults.clear(req.params.name);
    return { faults: world.faults.list() };
  });
  app.delete('/_emulator/faults', () => {
    world.faults.clear();
    return { faults: {} };
  });

  const settings = () => ({
    inventoryRateLimit: world.inventoryRateLimit,
    loginLimits: world.loginLimits,
    inventoryCapacity: world.inventoryCapacity,
  });
  app.get('/_emulator/settings', settings);
  app.put<{
    Body: {
      inventoryRateLimit?: World['inventoryRateLimit'];
      loginLimits?: World['loginLimits'];
      inventoryCapacity?: unknown;
    };
  }>('/_emulator/settings', (req, reply) => {
    const body = req.body ?? {};
    if (body.inventoryCapacity !== undefined) {
      if (!Number.isInteger(body.inventoryCapacity) || (body.inventoryCapacity as number) < 1) {
        return reply.code(400).send({ error: 'inventoryCapacity must be a positive integer' });
      }
      world.inventoryCapacity = body.inventoryCapacity as number;
    }
    if (body.inventoryRateLimit !== undefined) {
      world.inventoryRateLimit = { ...world.inventoryRateLimit, ...body.inventoryRateLimit };
      buckets.reset();
    }
    if (body.loginLimits !== undefined) {
      world.loginLimits = { ...world.loginLimits, ...body.loginLimits };
      throttle.reset();
    }
    world.markDirty();
    return settings();
  });

  // OpenID auto-approval: global (tests with fetch) or per browser (cookie).
  app.post<{ Body: { steamid?: string | null } }>('/_emulator/openid/auto', (req, reply) => {
    const steamid = req.body?.steamid ?? undefined;
    if (steamid !== undefined && world.account(steamid) === undefined) {
      return reply.code(404).send({ error: 'unknown account' });
    }
    openid.autoApproveSteamid = steamid;
    return { autoApproveSteamid: steamid ?? null };
  });
  app.get<{ Querystring: { steamid?: string } }>('/_emulator/openid/auto', (req, reply) => {
    const steamid = req.query.steamid;
    if (steamid === undefined || steamid === '')
      return reply.clearCookie(AUTO_COOKIE, { path: '/' }).send({ cleared: true });
    if (world.account(steamid) === undefined) return reply.code(404).send({ error: 'unknown account' });
    return reply.setCookie(AUTO_COOKIE, steamid, { path: '/' }).send({ autoApproveSteamid: steamid });
  });

  app.post<{ Body: { name?: string } }>('/_emulator/snapshot', (req, reply) => {
    const name = req.body?.name;
    if (dataDir === undefined) return dumpWorld(world);
    const bytes = saveWorld(world, dataDir);
    if (name !== undefined) {
      if (!/^[\w-]{1,64}$/.test(name)) return reply.code(400).send({ error: 'bad snapshot name' });
      mkdirSync(join(dataDir, 'snapshots'), { recursive: true });
      copyFileSync(snapshotPath(dataDir), join(dataDir, 'snapshots', `${name}.json`));
    }
    return { saved: snapshotPath(dataDir), bytes, name: name ?? null };
  });

  app.post<{ Body: { name?: string } }>('/_emulator/restore', (req, reply) => {
    const name = req.body?.name;
    if (dataDir === undefined || name === undefined || !/^[\w-]{1,64}$/.test(name)) {
      return reply.code(400).send({ error: 'name required (and a data dir)' });
    }
    const file = join(dataDir, 'snapshots', `${name}.json`);
    if (!existsSync(file)) return reply.code(404).send({ error: 'no such snapshot' });
    const snapshot = JSON.parse(readFileSync(file, 'utf8')) as Parameters<typeof applySnapshot>[1];
    world.adoptState(generateWorld(snapshot.params));
    applySnapshot(world, snapshot);
    buckets.reset();
    throttle.reset();
    world.markDirty();
    return { restored: name, now: world.clock.now() };
  });

  // Back to a freshly generated world (same params unless overridden). Offers etc. are emptied.
  app.post<{ Body: Partial<GenerationParams> }>('/_emulator/reset', (req) => {
    const base = world.params;
    const params: GenerationParams = {
      seed: 42,
      bots: 4,
      itemsPerBot: 200,
      users: 10,
      userItemsMin: 20,
      userItemsMax: 200,
      ...base,
      ...(req.body ?? {}),
      epoch: world.clock.now(),
    };
    world.adoptState(generateWorld(params));
    buckets.reset();
    throttle.reset();
    openid.autoApproveSteamid = undefined;
    return { params, accounts: world.accounts.size };
  });

  app.get<{ Querystring: { format?: string } }>('/_emulator/prices', (req, reply) => {
    const rows = priceFeed(world);
    if (req.query.format === 'csv') return reply.type('text/csv; charset=utf-8').send(toCsv(rows));
    return rows;
  });

  app.get<{ Querystring: { steamid?: string } }>('/_emulator/ui', (req, reply) => {
    const a = world.account(req.query.steamid ?? '');
    if (a === undefined) {
      const links = [...world.bots().slice(0, 50), ...world.users().slice(0, 50)]
        .map(
          (x) =>
            `<li><a href="/_emulator/ui?steamid=${x.steamid}">${escapeHtml(x.persona)}</a> (${x.kind})</li>`,
        )
        .join('');
      return reply.type('text/html; charset=utf-8').send(page('Steam emulator', `<ul>${links}</ul>`));
    }
    const now = world.clock.now();
    const rows: string[] = [];
    for (const ctx of ['2', '16'] as const) {
      for (const asset of world.inventory(a.steamid, ctx).list().slice(0, 500)) {
        const d = world.description(asset);
        const lock = asset.tradableAfter > now ? new Date(asset.tradableAfter * 1000).toISOString() : '';
        rows.push(
          `<tr><td>${asset.assetid}</td><td>${ctx}</td><td style="color:#${d.name_color}">${escapeHtml(d.market_hash_name)}</td><td>${asset.props.paintWear ?? ''}</td><td>${asset.props.paintSeed ?? ''}</td><td>${lock}</td><td>${asset.casketCount ?? ''}</td></tr>`,
        );
      }
    }
    const extra = world.uiSections.map((s) => `<h2>${escapeHtml(s.title)}</h2>${s.render(a)}`).join('');
    const body = `<p>${escapeHtml(a.kind)} ${a.steamid} · <a href="${escapeHtml(world.tradeUrl(a))}">trade URL</a> · private: ${a.privateInventory}</p>
<h2>Inventory (${world.inventory(a.steamid, '2').size} + ${world.inventory(a.steamid, '16').size} protected)</h2>
<table border="1" cellpadding="3"><tr><th>assetid</th><th>ctx</th><th>market_hash_name</th><th>float</th><th>seed</th><th>tradable after</th><th>casket items</th></tr>${rows.join('')}</table>${extra}`;
    return reply.type('text/html; charset=utf-8').send(page(a.persona, body));
  });
  done();
};

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif"><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}
