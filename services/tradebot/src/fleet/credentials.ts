import { readFile } from 'node:fs/promises';
import type { BotCredentials } from '@platform/steam';

/**
 * Where a bot's secrets live. The registry stores only a reference (`bots.credentials_ref`):
 * `emulator:<steamid>` locally (the emulator's control API hands them out), `file:<account>` in
 * production (a JSON file mounted from the operator's secret store, BOT_CREDENTIALS_FILE:
 * `{ "<account>": { "password", "sharedSecret", "identitySecret" } }`). Secrets are never logged.
 */
export interface CredentialsSource {
  get(bot: {
    id: number;
    steamId: string;
    accountName: string;
    credentialsRef: string | null;
  }): Promise<BotCredentials>;
}

export class EmulatorCredentials implements CredentialsSource {
  readonly #url: URL;
  constructor(emulatorUrl: URL) {
    this.#url = emulatorUrl;
  }
  async get(bot: { steamId: string; credentialsRef: string | null }): Promise<BotCredentials> {
    const steamId = bot.credentialsRef?.startsWith('emulator:') ? bot.credentialsRef.slice(9) : bot.steamId;
    const res = await fetch(new URL(`_emulator/accounts/${steamId}`, this.#url), {
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`the emulator has no account ${steamId} (${res.status})`);
    const a = (await res.json()) as Record<string, string>;
    return {
      steamId,
      accountName: a.accountName ?? '',
      password: a.password ?? '',
      sharedSecret: a.sharedSecret ?? '',
      identitySecret: a.identitySecret ?? '',
    };
  }
}

type SecretsFile = Record<string, { password?: string; sharedSecret?: string; identitySecret?: string }>;

export class FileCredentials implements CredentialsSource {
  readonly #path: string;
  #data: SecretsFile | undefined;
  constructor(path: string) {
    this.#path = path;
  }
  async get(bot: {
    steamId: string;
    accountName: string;
    credentialsRef: string | null;
  }): Promise<BotCredentials> {
    this.#data ??= JSON.parse(await readFile(this.#path, 'utf8')) as SecretsFile;
    const account = bot.credentialsRef?.startsWith('file:') ? bot.credentialsRef.slice(5) : bot.accountName;
    const c = this.#data?.[account];
    if (!c?.password || !c.sharedSecret || !c.identitySecret)
      throw new Error(`no complete credentials for bot account ${account} in BOT_CREDENTIALS_FILE`);
    return {
      steamId: bot.steamId,
      accountName: account,
      password: c.password,
      sharedSecret: c.sharedSecret,
      identitySecret: c.identitySecret,
    };
  }
}
