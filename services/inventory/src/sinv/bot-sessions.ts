import { redisKeys, type RedisKeys } from '@platform/bus';
import type { Redis } from '@platform/db';
import type { BotRef } from './bots.repository.ts';

/**
 * Where sinv gets a bot's steamLoginSecure cookie. With it, Steam shows the owner's view:
 * context 16 (trade-protected) and trade-locked items (steam.md §3.1); without it sinv reads the
 * public view of context 2 only. The tradebot service owns bot logins; until it lands, sessions
 * come from the emulator's control API in development.
 */
export interface BotSessionSource {
  cookieFor(bot: BotRef): Promise<string | undefined>;
  /** The cookie was refused (session expired): drop it so the next attempt fetches a new one. */
  invalidate(bot: BotRef): void;
}

export class NoBotSessions implements BotSessionSource {
  cookieFor(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }
  invalidate(): void {}
}

/** Reads the bot's session key (packages/bus keys), which the tradebot writes after each login (the seam). */
export class RedisBotSessions implements BotSessionSource {
  private readonly redis: Redis;
  private readonly keys: RedisKeys;
  constructor(redis: Redis, prefix: string) {
    this.redis = redis;
    this.keys = redisKeys(prefix);
  }
  async cookieFor(bot: BotRef): Promise<string | undefined> {
    return (await this.redis.get(this.keys.botSession(bot.steamId))) ?? undefined;
  }
  invalidate(): void {}
}

interface EmulatorAccount {
  steamid: string;
  accountName: string;
  persona: string;
  steamLoginSecure: string;
}

/** Development only: the emulator's control API lists each bot with a ready cookie. */
export async function fetchEmulatorBots(emulatorUrl: URL): Promise<EmulatorAccount[]> {
  const res = await fetch(new URL('/_emulator/accounts?kind=bot', emulatorUrl), {
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok) throw new Error(`the emulator answered ${res.status} for its bot accounts`);
  return ((await res.json()) as { accounts: EmulatorAccount[] }).accounts;
}

export class EmulatorBotSessions implements BotSessionSource {
  private readonly emulatorUrl: URL;
  private cookies: Map<string, string> | undefined;
  private loading: Promise<Map<string, string>> | undefined;
  constructor(emulatorUrl: URL) {
    this.emulatorUrl = emulatorUrl;
  }
  async cookieFor(bot: BotRef): Promise<string | undefined> {
    if (!this.cookies) {
      this.loading ??= fetchEmulatorBots(this.emulatorUrl)
        .then((list) => new Map(list.map((a) => [a.steamid, a.steamLoginSecure])))
        .finally(() => {
          this.loading = undefined;
        });
      this.cookies = await this.loading;
    }
    return this.cookies.get(bot.steamId);
  }
  invalidate(): void {
    this.cookies = undefined;
  }
}
