/**
 * The live-update contract (api.md "Live updates"): what the server emits and on which stream.
 * Two streams, each with its own increasing `seq`: the user's (trade, balance and notice events,
 * to the owner only) and the site's (site items and the leaderboard, to everyone).
 */
export const USER_EVENTS = ['trade:update', 'balance:update', 'trade:notice'] as const;
export const SITE_EVENTS = ['site:items', 'leaderboard'] as const;
export type UserEvent = (typeof USER_EVENTS)[number];
export type SiteEvent = (typeof SITE_EVENTS)[number];

/** One event of a stream as it is fanned out between socket processes and stored for replay. */
export type LiveMessage =
  | { stream: 'user'; userId: string; seq: number; event: UserEvent; data: Record<string, unknown> }
  | { stream: 'site'; seq: number; event: SiteEvent; data: Record<string, unknown> };

/** A stored entry: the event and its fields; `seq` is the entry id's first part. */
export interface StoredEntry {
  seq: number;
  event: string;
  data: Record<string, unknown>;
}

/** What the client sees: the fields with `seq` in front. */
export function wire(seq: number, data: Record<string, unknown>): Record<string, unknown> {
  return { seq, ...data };
}

/**
 * Site item changes gathered in one window. An asset id is in at most one of reserved/unreserved
 * and one of added/removed (the later change wins); a client applies added, reserved,
 * unreserved, removed in that order.
 */
export interface SiteItemsBatch {
  added: Map<string, Record<string, unknown> | null>;
  removed: Set<string>;
  reserved: Set<string>;
  unreserved: Set<string>;
  eventIds: string[];
}

export function emptyBatch(): SiteItemsBatch {
  return { added: new Map(), removed: new Set(), reserved: new Set(), unreserved: new Set(), eventIds: [] };
}

export function addToBatch(
  b: SiteItemsBatch,
  change:
    | { op: 'reserved' | 'unreserved' | 'removed'; assetIds: readonly string[] }
    | { op: 'added'; assetIds: readonly string[] },
): void {
  for (const id of change.assetIds) {
    switch (change.op) {
      case 'reserved':
        b.unreserved.delete(id);
        b.reserved.add(id);
        break;
      case 'unreserved':
        b.reserved.delete(id);
        b.unreserved.add(id);
        break;
      case 'added':
        b.removed.delete(id);
        b.added.set(id, null);
        break;
      case 'removed':
        b.added.delete(id);
        b.removed.add(id);
        break;
    }
  }
}

export function batchSize(b: SiteItemsBatch): number {
  return b.added.size + b.removed.size + b.reserved.size + b.unreserved.size;
}
