import {
  botSnapshotItemCount,
  decodeBotSnapshot,
  encodeBotSnapshot,
  redisKeys,
  type RedisKeys,
  type BotSnapshot,
  type SnapshotItem,
} from '@platform/bus';
import type { Redis } from '@platform/db';

/** The compact site-inventory snapshot in Redis (encoding in packages/bus). */
export class SnapshotStore {
  private readonly redis: Redis;
  private readonly keys: RedisKeys['sinv'];
  constructor(redis: Redis, prefix: string) {
    this.redis = redis;
    this.keys = redisKeys(prefix).sinv;
  }

  async writeBot(snapshot: BotSnapshot): Promise<number> {
    const buf = encodeBotSnapshot(snapshot);
    await this.redis
      .multi()
      .set(this.keys.bot(snapshot.botId), buf)
      .sadd(this.keys.bots(), String(snapshot.botId))
      .exec();
    return buf.length;
  }

  async readBot(botId: number): Promise<BotSnapshot | undefined> {
    const buf = await this.redis.getBuffer(this.keys.bot(botId));
    return buf ? decodeBotSnapshot(buf) : undefined;
  }

  /** Flags a bot's snapshot stale in place (byte 9 of the header) without rewriting its items. */
  async markStale(botId: number): Promise<void> {
    const key = this.keys.bot(botId);
    // SETRANGE on a missing key would create a zero-filled value that is not a snapshot.
    if ((await this.redis.exists(key)) === 1) await this.redis.setrange(key, 9, Buffer.from([1]));
  }

  async readAll(): Promise<BotSnapshot[]> {
    const ids = await this.redis.smembers(this.keys.bots());
    if (ids.length === 0) return [];
    const out: BotSnapshot[] = [];
    for (let i = 0; i < ids.length; i += 200) {
      const bufs = await this.redis.mgetBuffer(
        ...ids.slice(i, i + 200).map((id) => this.keys.bot(Number(id))),
      );
      for (const b of bufs) if (b) out.push(decodeBotSnapshot(b));
    }
    return out;
  }

  /**
   * One page of the listed site inventory, bots in id order. Item counts come from each value's
   * header; only the values the page overlaps are decoded (the whole site is 400k items).
   */
  async readPage(
    offset: number,
    limit: number,
  ): Promise<{ bots: number; total: number; page: Array<{ s: BotSnapshot; i: SnapshotItem }> }> {
    const ids = (await this.redis.smembers(this.keys.bots())).map(Number).sort((a, b) => a - b);
    const page: Array<{ s: BotSnapshot; i: SnapshotItem }> = [];
    let bots = 0;
    let total = 0;
    for (let i = 0; i < ids.length; i += 200) {
      const bufs = await this.redis.mgetBuffer(...ids.slice(i, i + 200).map((id) => this.keys.bot(id)));
      for (const b of bufs) {
        if (!b) continue;
        bots++;
        const count = botSnapshotItemCount(b);
        const from = Math.max(offset - total, 0);
        const to = Math.min(offset + limit - total, count);
        if (from < to) {
          const s = decodeBotSnapshot(b);
          for (const item of s.items.slice(from, to)) page.push({ s, i: item });
        }
        total += count;
      }
    }
    return { bots, total, page };
  }

  /**
   * Drops the snapshots of bots that are no longer active (paused, disabled, removed): their
   * items stay in MySQL (the bot still holds them) but leave the listed site inventory.
   */
  async prune(activeBotIds: ReadonlySet<number>): Promise<number> {
    const ids = (await this.redis.smembers(this.keys.bots())).map(Number);
    const gone = ids.filter((id) => !activeBotIds.has(id));
    if (gone.length === 0) return 0;
    await this.redis
      .multi()
      .del(...gone.map((id) => this.keys.bot(id)))
      .srem(this.keys.bots(), ...gone.map(String))
      .exec();
    return gone.length;
  }

  async bytes(botId: number): Promise<number> {
    return this.redis.strlen(this.keys.bot(botId));
  }
}

export type { BotSnapshot, SnapshotItem };
