/**
 * Makes Steam's host names lead to a local emulator inside this process, so libraries written for Steam run against
 * it unchanged (issue 9 item 6).
 *
 * The libraries hard-code https://steamcommunity.com and https://api.steampowered.com (steam-web even
 * http://api.steampowered.com) and reach them through three different HTTP stacks: `request` with its own keep-alive
 * agents (steamcommunity, hence steam-tradeoffer-manager), axios (openid) and bare `https.request` (steam-totp). None
 * takes a base URL, and not all honour HTTPS_PROXY. What they share is the TCP connect underneath, so that is the one
 * place changed: `net.Socket.prototype.connect` sends connections for those two names to a local TLS proxy (port
 * 443) or straight to the emulator (port 80), on ephemeral ports so test files can run side by side. DNS is never
 * asked and the libraries' code is untouched. The TLS they speak is real: the proxy presents a certificate for both
 * names, made at test time with openssl and trusted through tls.setDefaultCACertificates, so hostname verification
 * stays on.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';

export const STEAM_HOSTS = ['steamcommunity.com', 'api.steampowered.com'] as const;

/** A self-signed certificate for Steam's host names (it is its own CA). Undefined without an openssl binary. */
export function steamCertificate(): { key: string; cert: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'steam-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=steamcommunity.com',
        '-addext',
        `subjectAltName=${STEAM_HOSTS.map((h) => `DNS:${h}`).join(',')}`,
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface SteamHosts {
  /** Undoes the redirect and the CA, stops the proxy and cuts its connections (keep-alive sockets included). */
  close(): Promise<void>;
}

type ConnectOptions = { host?: unknown; port?: unknown } & Record<string, unknown>;

/**
 * Starts the TLS proxy in front of `emulatorPort` (plain HTTP on 127.0.0.1) and redirects Steam's host names to it.
 * One at a time per process.
 */
export async function redirectSteamHosts(
  emulatorPort: number,
  certificate: { key: string; cert: string },
): Promise<SteamHosts> {
  const sockets = new Set<net.Socket>();
  const proxy = tls.createServer(certificate, (client) => {
    const upstream = net.connect(emulatorPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      // A side going away (test over, library dropping a keep-alive socket) takes the other with it.
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyPort = (proxy.address() as net.AddressInfo).port;

  const route = (host: unknown, port: unknown): number | undefined => {
    if (typeof host !== 'string' || !(STEAM_HOSTS as readonly string[]).includes(host.toLowerCase()))
      return undefined;
    const p = Number(port ?? 443);
    return p === 80 ? emulatorPort : proxyPort;
  };
  type Connect = (this: net.Socket, ...args: unknown[]) => net.Socket;
  const original = Reflect.get(net.Socket.prototype, 'connect') as Connect;
  // net.connect hands over [options, callback] as one internal "normalized" array; tls.connect and direct callers an
  // options object. Only the copy passed on is changed: tls verifies the certificate against the caller's own options
  // (still the Steam name), so a wrong certificate would still fail.
  const patched = function (this: net.Socket, ...args: unknown[]): net.Socket {
    const first = args[0];
    if (Array.isArray(first) && typeof first[0] === 'object' && first[0] !== null) {
      const opts = first[0] as ConnectOptions;
      const port = route(opts.host, opts.port);
      if (port !== undefined) first[0] = { ...opts, host: '127.0.0.1', port };
    } else if (typeof first === 'object' && first !== null) {
      const opts = first as ConnectOptions;
      const port = route(opts.host, opts.port);
      if (port !== undefined) args[0] = { ...opts, host: '127.0.0.1', port };
    } else if (typeof first === 'number' || typeof first === 'string') {
      const port = route(args[1], first);
      if (port !== undefined) {
        args[0] = port;
        args[1] = '127.0.0.1';
      }
    }
    return original.apply(this, args);
  };
  Reflect.set(net.Socket.prototype, 'connect', patched);

  const defaults = tls.getCACertificates('default');
  tls.setDefaultCACertificates([...defaults, certificate.cert]);

  return {
    async close() {
      Reflect.set(net.Socket.prototype, 'connect', original);
      tls.setDefaultCACertificates(defaults);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}
