// Storage units (steam.md §8): the Game Coordinator operations addToCasket / removeFromCasket /
// getCasketContents, modelled on the world. Results carry the GC's ItemCustomizationNotification codes.
import type { Asset } from '../world/types.ts';
import type { World } from '../world/world.ts';

/** GO `enums.js` ItemCustomizationNotification values (steam.md §8). */
export const CasketNotification = {
  CasketTooFull: 1011,
  CasketContents: 1012,
  CasketAdded: 1013,
  CasketRemoved: 1014,
  CasketInvFull: 1015,
} as const;

/** Storage unit cap: 1,000 (steam.md §8, UNVERIFIED number); the inventory's is world.inventoryCapacity. */
export const CASKET_CAPACITY = 1000;

export type CasketResult =
  | { ok: true; notification: number; casketCount: number }
  | { ok: false; notification?: number; error: string };

function casketOf(world: World, steamid: string, casketId: string): Asset | undefined {
  const asset = world.inventory(steamid, '2').get(casketId);
  return asset !== undefined && world.casketContents.has(casketId) ? asset : undefined;
}

export function listCaskets(world: World, steamid: string): Array<{ casketId: string; count: number }> {
  return world
    .inventory(steamid, '2')
    .list()
    .filter((a) => world.casketContents.has(a.assetid))
    .map((a) => ({ casketId: a.assetid, count: world.casketContents.get(a.assetid)?.size ?? 0 }));
}

export function casketContents(world: World, steamid: string, casketId: string): Asset[] | undefined {
  if (casketOf(world, steamid, casketId) === undefined) return undefined;
  return [...(world.casketContents.get(casketId)?.values() ?? [])];
}

export function addToCasket(world: World, steamid: string, casketId: string, assetid: string): CasketResult {
  const casket = casketOf(world, steamid, casketId);
  const contents = world.casketContents.get(casketId);
  if (casket === undefined || contents === undefined) return { ok: false, error: 'no such storage unit' };
  if (assetid === casketId || world.casketContents.has(assetid)) {
    return { ok: false, error: 'storage units cannot be stored' };
  }
  const item = world.inventory(steamid, '2').get(assetid);
  // Trade-protected items (context 16) cannot be modified (steam.md §4.8); they are not in context 2 anyway.
  if (item === undefined) return { ok: false, error: 'item not in inventory' };
  if (contents.size >= CASKET_CAPACITY) {
    return { ok: false, notification: CasketNotification.CasketTooFull, error: 'storage unit full' };
  }
  world.removeAsset(steamid, assetid);
  contents.set(assetid, item);
  casket.casketCount = contents.size;
  world.dirtyInventories.add(`${steamid}/2`);
  world.markDirty();
  return { ok: true, notification: CasketNotification.CasketAdded, casketCount: contents.size };
}

/** Extraction keeps the item's assetid (steam.md §8 says this is undocumented; clients should re-read). */
export function removeFromCasket(
  world: World,
  steamid: string,
  casketId: string,
  assetid: string,
): CasketResult {
  const casket = casketOf(world, steamid, casketId);
  const contents = world.casketContents.get(casketId);
  if (casket === undefined || contents === undefined) return { ok: false, error: 'no such storage unit' };
  const item = contents.get(assetid);
  if (item === undefined) return { ok: false, error: 'item not in storage unit' };
  if (world.inventoryCount(steamid) >= world.inventoryCapacity) {
    return { ok: false, notification: CasketNotification.CasketInvFull, error: 'inventory full' };
  }
  contents.delete(assetid);
  casket.casketCount = contents.size;
  world.addAsset(steamid, { ...item, contextid: '2' });
  world.markDirty();
  return { ok: true, notification: CasketNotification.CasketRemoved, casketCount: contents.size };
}
