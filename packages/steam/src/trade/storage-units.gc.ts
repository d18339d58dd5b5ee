import type GlobalOffensive from 'globaloffensive';
import type { GcItem } from 'globaloffensive';
import {
  CasketNotification,
  StorageUnitError,
  type CasketMove,
  type CasketView,
  type StorageUnitsPort,
} from './storage-units.ts';

/** Storage units are item def 1201 (GO handlers.js). */
const CASKET_DEF = 1201;

/** A bot's CS2 Game Coordinator connection (node-globaloffensive over steam-user's CM session). */
export type GcClientFor = (steamId: string) => Promise<GlobalOffensive>;

/**
 * Logs a bot into Steam's CM with its refresh token (steam-session's, §7.1), plays CS2 (730) and
 * waits for the GC session (steam.md §8; GO README). Holding the "playing" lock conflicts with a
 * person playing on the account (EResult 6); bots have none.
 */
export async function connectGc(refreshToken: string, timeoutMs = 30_000): Promise<GlobalOffensive> {
  // Loaded on use: steam-user's protobufs cost memory every process would pay otherwise.
  const { default: SteamUser } = await import('steam-user');
  const { default: GlobalOffensiveClient } = await import('globaloffensive');
  const user = new SteamUser({ autoRelogin: true });
  const csgo = new GlobalOffensiveClient(user);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      user.logOff();
      reject(new StorageUnitError('unavailable', 'gc: no GC session in time'));
    }, timeoutMs);
    user.once('error', (err: Error) => {
      clearTimeout(timer);
      reject(new StorageUnitError('unavailable', `gc: steam login: ${err.message}`, undefined, err));
    });
    user.once('loggedOn', () => user.gamesPlayed([730]));
    csgo.once('connectedToGC', () => {
      clearTimeout(timer);
      resolve();
    });
    user.logOn({ refreshToken });
  });
  return csgo;
}

/**
 * The production adapter: node-globaloffensive's addToCasket / removeFromCasket /
 * getCasketContents. Results come back as GC notifications (1011/1013/1014/1015, msg 1090); a
 * call that gets none in time is `unavailable` (it may have happened: the caller re-reads state).
 * Not run against Steam in this repo (no accounts); the emulator adapter stands in for tests.
 */
export class GcStorageUnits implements StorageUnitsPort {
  readonly name = 'globaloffensive';
  readonly #clientFor: GcClientFor;
  readonly #timeoutMs: number;

  constructor(clientFor: GcClientFor, timeoutMs = 15_000) {
    this.#clientFor = clientFor;
    this.#timeoutMs = timeoutMs;
  }

  async #gc(steamId: string): Promise<GlobalOffensive> {
    const csgo = await this.#clientFor(steamId);
    if (!csgo.haveGCSession || !csgo.inventory)
      throw new StorageUnitError('unavailable', 'gc: no GC session (toggle gamesPlayed, steam.md §8)');
    return csgo;
  }

  async listCaskets(steamId: string): Promise<CasketView[]> {
    const csgo = await this.#gc(steamId);
    return (csgo.inventory ?? [])
      .filter((i) => i.def_index === CASKET_DEF)
      .map((i) => ({ casketId: String(i.id), count: i.casket_contained_item_count ?? 0 }));
  }

  async contents(steamId: string, casketId: string): Promise<string[]> {
    const csgo = await this.#gc(steamId);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new StorageUnitError('unavailable', 'gc: casket contents timed out')),
        this.#timeoutMs,
      );
      csgo.getCasketContents(casketId, (err, items) => {
        clearTimeout(timer);
        if (err) reject(new StorageUnitError('not_found', `gc: ${err.message}`, undefined, err));
        else resolve((items ?? []).map((i) => String(i.id)));
      });
    });
  }

  /** Sends one casket message and waits for its notification (and the item it brought back). */
  async #move(steamId: string, casketId: string, assetId: string, op: 'add' | 'remove'): Promise<CasketMove> {
    const csgo = await this.#gc(steamId);
    const done = op === 'add' ? CasketNotification.CasketAdded : CasketNotification.CasketRemoved;
    return new Promise((resolve, reject) => {
      let acquired: string | undefined;
      const onAcquired = (item: GcItem) => {
        if (!item.casket_id && item.def_index !== CASKET_DEF) acquired = String(item.id);
      };
      const onNote = (ids: string[], request: number) => {
        const mine = ids.map(String).some((id) => id === casketId || id === assetId);
        if (!mine) return;
        if (request === done) {
          finish();
          const casket = (csgo.inventory ?? []).find((i) => String(i.id) === casketId);
          resolve({
            casketCount: casket?.casket_contained_item_count ?? 0,
            assetId: op === 'remove' ? (acquired ?? assetId) : assetId,
          });
        } else if (request === CasketNotification.CasketTooFull) {
          finish();
          reject(new StorageUnitError('casket_full', 'gc: storage unit full', request));
        } else if (request === CasketNotification.CasketInvFull) {
          finish();
          reject(new StorageUnitError('inventory_full', 'gc: inventory full', request));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new StorageUnitError('unavailable', `gc: ${op} got no notification in time`));
      }, this.#timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        csgo.off('itemCustomizationNotification', onNote);
        csgo.off('itemAcquired', onAcquired);
      };
      csgo.on('itemCustomizationNotification', onNote);
      csgo.on('itemAcquired', onAcquired);
      if (op === 'add') csgo.addToCasket(casketId, assetId);
      else csgo.removeFromCasket(casketId, assetId);
    });
  }

  add(steamId: string, casketId: string, assetId: string): Promise<CasketMove> {
    return this.#move(steamId, casketId, assetId, 'add');
  }

  remove(steamId: string, casketId: string, assetId: string): Promise<CasketMove> {
    return this.#move(steamId, casketId, assetId, 'remove');
  }
}
