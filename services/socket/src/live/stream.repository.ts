import type { RedisKeys } from '@platform/bus';
import type { Redis } from '@platform/db';
import type { StoredEntry } from './events.ts';

/**
 * Appends one event to a user's stream: unless its event id was appended already, or it is a
 * trade version not newer than one appended before (a redelivered or late event must not move a
 * trade back), the next sequence number is taken and the entry written as `<seq>-0`. Every key
 * is in the user's slot ({su:<userId>}), so this runs on a Redis Cluster too.
 * Answers the sequence number, or 0 (duplicate) or -1 (stale trade version).
 */
const USER_APPEND = `
if redis.call('SET', KEYS[3], '1', 'NX', 'PX', ARGV[4]) == false then return 0 end
if ARGV[5] ~= '' then
  local cur = redis.call('HGET', KEYS[4], ARGV[5])
  if cur and tonumber(cur) >= tonumber(ARGV[6]) then return -1 end
  redis.call('HSET', KEYS[4], ARGV[5], ARGV[6])
  redis.call('PEXPIRE', KEYS[4], ARGV[3])
end
local seq = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[2], seq .. '-0', 'd', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return seq
`;

/** Appends one site entry and marks the event ids it carries as appended (all in {ssite}). */
const SITE_APPEND = `
for i = 3, #KEYS do redis.call('SET', KEYS[i], '1', 'PX', ARGV[3]) end
local seq = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[2], seq .. '-0', 'd', ARGV[1])
return seq
`;

/** The current sequence number and the entries after a given one, read together. */
const READ = `
local cur = redis.call('GET', KEYS[2])
local entries = redis.call('XRANGE', KEYS[1], ARGV[1], '+', 'COUNT', ARGV[2])
return {cur or '0', entries}
`;

export type Replay =
  | { kind: 'entries'; current: number; entries: StoredEntry[] }
  /** Too far behind (trimmed), or ahead of the stream (it was reset): reload over REST. */
  | { kind: 'resync'; current: number };

/** The replayable streams in Redis (keys from packages/bus: `live`). */
export class StreamRepository {
  readonly #redis: Redis;
  readonly #keys: RedisKeys['live'];
  readonly #o: { userLength: number; siteLength: number; userTtlMs: number; seenTtlMs: number };

  constructor(
    redis: Redis,
    keys: RedisKeys,
    opts: { userLength: number; siteLength: number; userTtlMs: number; seenTtlMs: number },
  ) {
    this.#redis = redis;
    this.#keys = keys.live;
    this.#o = opts;
  }

  async appendUser(
    userId: string,
    eventId: string,
    entry: { event: string; data: Record<string, unknown> },
    trade?: { id: string; version: number },
  ): Promise<number> {
    const k = this.#keys;
    return Number(
      await this.#redis.eval(
        USER_APPEND,
        4,
        k.userSeq(userId),
        k.userStream(userId),
        k.userSeen(userId, eventId),
        k.userTradeVersions(userId),
        JSON.stringify(entry),
        String(this.#o.userLength),
        String(this.#o.userTtlMs),
        String(this.#o.seenTtlMs),
        trade?.id ?? '',
        String(trade?.version ?? 0),
      ),
    );
  }

  /** The event ids among these that no site entry carries yet. */
  async unseenSite(eventIds: readonly string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    // One EXISTS per id (each may live in... the same slot; a pipeline is one round trip).
    const pipe = this.#redis.pipeline();
    for (const id of eventIds) pipe.exists(this.#keys.siteSeen(id));
    const res = (await pipe.exec()) ?? [];
    const unseen = new Set<string>();
    res.forEach(([err, n], i) => {
      if (err) throw err;
      if (Number(n) === 0) unseen.add(eventIds[i]!);
    });
    return unseen;
  }

  async appendSite(
    entry: { event: string; data: Record<string, unknown> },
    eventIds: readonly string[],
  ): Promise<number> {
    const k = this.#keys;
    const keys = [k.siteSeq(), k.siteStream(), ...eventIds.map((id) => k.siteSeen(id))];
    return Number(
      await this.#redis.eval(
        SITE_APPEND,
        keys.length,
        ...keys,
        JSON.stringify(entry),
        String(this.#o.siteLength),
        String(this.#o.seenTtlMs),
      ),
    );
  }

  replayUser(userId: string, after: number | undefined, max: number): Promise<Replay> {
    return this.#replay(this.#keys.userStream(userId), this.#keys.userSeq(userId), after, max);
  }

  replaySite(after: number | undefined, max: number): Promise<Replay> {
    return this.#replay(this.#keys.siteStream(), this.#keys.siteSeq(), after, max);
  }

  /** The latest entry of this event in the site stream (the leaderboard a new page starts with). */
  async latestSite(event: string, lookBack = 500): Promise<StoredEntry | undefined> {
    const raw = (await this.#redis.xrevrange(this.#keys.siteStream(), '+', '-', 'COUNT', lookBack)) as Array<
      [string, string[]]
    >;
    for (const e of raw) {
      const entry = parseEntry(e);
      if (entry?.event === event) return entry;
    }
    return undefined;
  }

  /**
   * `after` undefined: only the current position (a new page loads over REST). Otherwise what
   * came after it, in order, or resync when some of it is gone or more than `max` is missing.
   */
  async #replay(stream: string, seqKey: string, after: number | undefined, max: number): Promise<Replay> {
    const [cur, raw] = (await this.#redis.eval(
      READ,
      2,
      stream,
      seqKey,
      `${(after ?? Number.MAX_SAFE_INTEGER - 1) + 1}-0`,
      String(max + 1),
    )) as [string, Array<[string, string[]]>];
    const current = Number(cur);
    if (after === undefined) return { kind: 'entries', current, entries: [] };
    if (after > current || current - after > max) return { kind: 'resync', current };
    const entries = raw.map(parseEntry).filter((e): e is StoredEntry => e !== undefined);
    if (current > after && entries[0]?.seq !== after + 1) return { kind: 'resync', current };
    return { kind: 'entries', current, entries };
  }
}

function parseEntry([id, fields]: [string, string[]]): StoredEntry | undefined {
  const seq = Number(id.split('-')[0]);
  const i = fields.indexOf('d');
  const raw = i >= 0 ? fields[i + 1] : undefined;
  if (raw === undefined || !Number.isSafeInteger(seq)) return undefined;
  const { event, data } = JSON.parse(raw) as { event: string; data: Record<string, unknown> };
  return { seq, event, data };
}
