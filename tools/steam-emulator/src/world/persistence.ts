// World persistence: `<dataDir>/world.json` holds the generation params plus everything that changed since
// generation (accounts, inventories touched by trades or control calls, storage unit contents, clock offset,
// asset counter, settings and the registered slices of other modules). Loading regenerates the world from the
// params (deterministic) and overlays the stored state, so the file stays small even for 400k-item worlds.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateWorld } from './generate.ts';
import type { Progress } from './generate.ts';
import type { Account, Asset, ContextId, GenerationParams } from './types.ts';
import { INVENTORY_CAPACITY, type InventoryRateLimit, type LoginLimits, type World } from './world.ts';

const FORMAT_VERSION = 1;

/** [assetid, descKey, contextid, tradableAfter, paintSeed, paintWear, casketCount] */
type AssetTuple = [string, string, ContextId, number, number | null, number | null, number | null];

interface Snapshot {
  version: number;
  params: GenerationParams;
  savedAt: number;
  clockOffset: number;
  assetCounter: string;
  accounts: Account[];
  inventories: Record<string, AssetTuple[]>;
  caskets: Record<string, AssetTuple[]>;
  loginLimits: LoginLimits;
  inventoryRateLimit: InventoryRateLimit;
  /** Absent in snapshots from before the setting existed. */
  inventoryCapacity?: number;
  slices: Record<string, unknown>;
}

function toTuple(a: Asset): AssetTuple {
  return [
    a.assetid,
    a.descKey,
    a.contextid,
    a.tradableAfter,
    a.props.paintSeed ?? null,
    a.props.paintWear ?? null,
    a.casketCount ?? null,
  ];
}

function fromTuple(t: AssetTuple): Asset {
  const [assetid, descKey, contextid, tradableAfter, seed, wear, casketCount] = t;
  const sep = descKey.indexOf('_');
  const asset: Asset = {
    assetid,
    descKey,
    classid: descKey.slice(0, sep),
    instanceid: descKey.slice(sep + 1),
    amount: 1,
    contextid,
    tradableAfter,
    props: {},
  };
  if (seed !== null) asset.props.paintSeed = seed;
  if (wear !== null) asset.props.paintWear = wear;
  if (casketCount !== null) asset.casketCount = casketCount;
  return asset;
}

export function snapshotPath(dataDir: string): string {
  return join(dataDir, 'world.json');
}

export function dumpWorld(world: World): Snapshot {
  if (world.params === undefined) throw new Error('world has no generation params');
  const inventories: Record<string, AssetTuple[]> = {};
  for (const key of world.dirtyInventories) {
    const [steamid, ctx] = key.split('/') as [string, ContextId];
    inventories[key] = world.inventory(steamid, ctx).list().map(toTuple);
  }
  const caskets: Record<string, AssetTuple[]> = {};
  for (const [id, contents] of world.casketContents) caskets[id] = [...contents.values()].map(toTuple);
  const slices: Record<string, unknown> = Object.fromEntries(world.pendingSlices);
  for (const [name, slice] of world.persistence.slices) slices[name] = slice.dump();
  return {
    version: FORMAT_VERSION,
    params: world.params,
    savedAt: world.clock.now(),
    clockOffset: world.clock.offsetSeconds,
    assetCounter: world.lastAssetId,
    accounts: [...world.accounts.values()],
    inventories,
    caskets,
    loginLimits: world.loginLimits,
    inventoryRateLimit: world.inventoryRateLimit,
    inventoryCapacity: world.inventoryCapacity,
    slices,
  };
}

export function saveWorld(world: World, dataDir: string): number {
  mkdirSync(dataDir, { recursive: true });
  const file = snapshotPath(dataDir);
  const body = JSON.stringify(dumpWorld(world));
  writeFileSync(`${file}.tmp`, body);
  renameSync(`${file}.tmp`, file);
  world.markClean();
  return Buffer.byteLength(body);
}

export function readSnapshot(dataDir: string): Snapshot | undefined {
  const file = snapshotPath(dataDir);
  if (!existsSync(file)) return undefined;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  if (parsed.version !== FORMAT_VERSION)
    throw new Error(`unsupported world snapshot version ${parsed.version}`);
  return parsed;
}

/** Rebuilds a world from a snapshot: regenerate from params, then overlay the changed state. */
export function restoreWorld(snapshot: Snapshot, progress?: Progress): World {
  const world = generateWorld(snapshot.params, progress);
  applySnapshot(world, snapshot);
  return world;
}

export function applySnapshot(world: World, snapshot: Snapshot): void {
  world.clock.offsetSeconds = snapshot.clockOffset;
  world.setAssetCounter(snapshot.assetCounter);
  for (const account of snapshot.accounts) {
    const existing = world.account(account.steamid);
    if (existing !== undefined) Object.assign(existing, account);
    else world.addAccount(account);
  }
  for (const [key, tuples] of Object.entries(snapshot.inventories)) {
    const [steamid, ctx] = key.split('/') as [string, ContextId];
    const inv = world.inventory(steamid, ctx);
    for (const asset of [...inv.list()]) inv.remove(asset.assetid);
    for (const t of tuples) inv.add(fromTuple(t));
    world.dirtyInventories.add(key);
  }
  world.casketContents.clear();
  for (const [id, tuples] of Object.entries(snapshot.caskets)) {
    world.casketContents.set(id, new Map(tuples.map((t) => [t[0], fromTuple(t)])));
  }
  world.loginLimits = snapshot.loginLimits;
  world.inventoryRateLimit = snapshot.inventoryRateLimit;
  world.inventoryCapacity = snapshot.inventoryCapacity ?? INVENTORY_CAPACITY;
  for (const [name, data] of Object.entries(snapshot.slices)) {
    const slice = world.persistence.slices.get(name);
    if (slice !== undefined) slice.load(data);
    else world.pendingSlices.set(name, data);
  }
  world.markClean();
}

/** Debounced autosave: at most one write per `delayMs` after the world is marked dirty. */
export function enableAutosave(
  world: World,
  dataDir: string,
  delayMs = 1000,
): { flush(): void; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (world.isDirty) saveWorld(world, dataDir);
  };
  world.onDirty = () => {
    if (timer === undefined) {
      timer = setTimeout(flush, delayMs);
      timer.unref();
    }
  };
  return {
    flush,
    stop() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      world.onDirty = undefined;
    },
  };
}
