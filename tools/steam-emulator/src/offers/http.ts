/**
 * The edge of the offer surfaces: request field parsing and the one table that maps SteamError to Steam's wire
 * shapes — community HTTP 500 `{"strError":"… (N)"}` (§4.2, §5) and WebAPI `x-eresult` headers (§4.1).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { World } from '../world/world.ts';
import type { Account } from '../world/types.ts';
import { SteamError, strErrorFor, type OfferAction } from './eresult.ts';

export type Fields = Record<string, unknown>;

export function fieldsOf(req: FastifyRequest): Fields {
  const body = typeof req.body === 'object' && req.body !== null ? (req.body as Fields) : {};
  const query = typeof req.query === 'object' && req.query !== null ? (req.query as Fields) : {};
  return { ...query, ...body };
}

export function stringField(fields: Fields, name: string): string | undefined {
  const v = fields[name];
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}

/** WebAPI booleans arrive as 1/0 or true/false. */
export function flag(fields: Fields, name: string): boolean {
  const v = stringField(fields, name);
  return v === '1' || v === 'true';
}

export function intField(fields: Fields, name: string): number | undefined {
  const v = stringField(fields, name);
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}

/**
 * Array-valued form fields: `cid[]=1&cid[]=2`, `cid[0]=1`, or repeated `cid=1&cid=2` (libraries encode arrays
 * differently; SC's multiajaxop sends one entry per confirmation, §6.3).
 */
export function arrayField(fields: Fields, name: string): string[] {
  const out: string[] = [];
  const push = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) for (const x of v) push(x);
  };
  const indexed: Array<[number, unknown]> = [];
  for (const [key, value] of Object.entries(fields)) {
    if (key === name || key === `${name}[]`) push(value);
    const m = /^(.+)\[(\d+)\]$/.exec(key);
    if (m !== null && m[1] === name) indexed.push([Number(m[2]), value]);
  }
  indexed.sort((a, b) => a[0] - b[0]);
  for (const [, value] of indexed) push(value);
  return out;
}

/**
 * Community POSTs need a live `steamLoginSecure` session; a dead one answers 401 on send/cancel/decline and 403 on
 * accept (§4.2, §4.3, §7.2). Returns undefined after replying.
 */
export async function communityAccount(
  world: World,
  req: FastifyRequest,
  reply: FastifyReply,
  deadStatus: 401 | 403,
): Promise<Account | undefined> {
  const auth = world.authenticate(req);
  if (auth.ok && auth.via === 'cookie') return auth.account;
  await reply.code(deadStatus).type('text/html').send('<html><body><h1>Not Logged In</h1></body></html>');
  return undefined;
}

/** WebAPI auth: key or access_token (§4.1). Failure text is Steam's 403 page for bad/expired credentials. */
export async function webapiAccount(
  world: World,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<Account | undefined> {
  const auth = world.authenticate(req);
  if (auth.ok) return auth.account;
  await reply
    .code(403)
    .type('text/html')
    .send(
      '<html><head><title>Forbidden</title></head><body><h1>Forbidden</h1>Access is denied. Retrying will not help. Please verify your <pre>key=</pre> parameter.</body></html>',
    );
  return undefined;
}

/** Maps a thrown error of a community action to HTTP 500 strError; rethrows anything that is not a SteamError. */
export async function sendCommunityError(
  reply: FastifyReply,
  action: OfferAction,
  err: unknown,
): Promise<void> {
  if (!(err instanceof SteamError)) throw err;
  reply.log.info({ eresult: err.eresult, detail: err.message, action }, 'community action refused');
  await reply.code(500).send({ strError: strErrorFor(action, err) });
}

export async function sendWebApi(reply: FastifyReply, body: unknown, eresult = 1): Promise<void> {
  await reply.header('x-eresult', String(eresult)).send(body);
}

/** Routes are served with and without the trailing slash, like the other WebAPI routes of the emulator. */
export function webapiPaths(iface: string, method: string): string[] {
  return [`/${iface}/${method}/v1`, `/${iface}/${method}/v1/`];
}

/**
 * Registers an IEconService method as the WebAPI serves it: the fault injector first, then the
 * key/access_token check, then the time-driven sweep (so expiries show), then the handler.
 */
export function registerIEconMethod(
  app: FastifyInstance,
  deps: { world: World; offers: { sweep(): void } },
  method: string,
  handler: (req: FastifyRequest, reply: FastifyReply, account: Account) => Promise<unknown>,
): void {
  const wrapped = async (req: FastifyRequest, reply: FastifyReply) => {
    if (await deps.world.faults.apply(method, req, reply, 'webapi')) return reply;
    const account = await webapiAccount(deps.world, req, reply);
    if (account === undefined) return reply;
    deps.offers.sweep();
    await handler(req, reply, account);
    return reply;
  };
  for (const path of webapiPaths('IEconService', method)) app.get(path, wrapped);
}
