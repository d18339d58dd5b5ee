// globaloffensive 3.x and steam-user 5.x ship no types; what the storage-unit adapter uses (steam.md §8).
declare module 'globaloffensive' {
  import type { EventEmitter } from 'node:events';
  export interface GcItem {
    id: string;
    def_index?: number;
    casket_id?: string;
    casket_contained_item_count?: number;
  }
  export default class GlobalOffensive extends EventEmitter {
    constructor(steamUser: unknown);
    haveGCSession: boolean;
    inventory: GcItem[] | null;
    addToCasket(casketId: string, itemId: string): void;
    removeFromCasket(casketId: string, itemId: string): void;
    getCasketContents(casketId: string, cb: (err: Error | null, items?: GcItem[]) => void): void;
  }
}

declare module 'steam-user' {
  import type { EventEmitter } from 'node:events';
  export default class SteamUser extends EventEmitter {
    constructor(options?: Record<string, unknown>);
    logOn(details: { refreshToken: string } | Record<string, unknown>): void;
    gamesPlayed(apps: number[]): void;
    logOff(): void;
  }
}
