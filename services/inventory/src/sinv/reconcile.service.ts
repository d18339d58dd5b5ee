import { OutboxWriter, type SiteInventoryItemRef, type SnapshotItem } from '@platform/bus';
import { categoryOf } from '@platform/core';
import type { Logger } from '@platform/observability';
import { SteamInventoryError, type SteamInventoryClient, type SteamItem } from '@platform/steam';
import type { BotSessionSource } from './bot-sessions.ts';
import type { BotRef, BotsRepository } from './bots.repository.ts';
import type { ItemsRepository, StoredItem } from './items.repository.ts';
import type { SnapshotStore } from './snapshot.store.ts';
import type { InventoryMetrics } from '../metrics.ts';

export interface ReconcileDeps {
  bots: BotsRepository;
  items: ItemsRepository;
  snapshot: SnapshotStore;
  sessions: BotSessionSource;
  steam: SteamInventoryClient;
  logger: Logger;
  /** Steam's clock for cooldown dates; the emulator's in tests. */
  now?: () => Date;
  metrics?: InventoryMetrics;
  /** Assets per site-inventory.changed event (SITE_EVENT_MAX_ITEMS unless set; tests set less). */
  siteEventMaxItems?: number;
}

export interface RefreshResult {
  botId: number;
  added: number;
  removed: number;
  updated: number;
  total: number;
  /** False when Steam hid some items from this viewer: nothing is removed on a partial read. */
  complete: boolean;
  skipped?: 'inactive' | 'unknown';
}

function changedItem(stored: StoredItem, item: SteamItem): boolean {
  return (
    stored.instanceId !== item.instanceId ||
    stored.contextId !== Number(item.contextId) ||
    stored.tradable !== item.tradable ||
    stored.tradableAfterMs !== (item.tradableAfter ? item.tradableAfter.getTime() : null)
  );
}

function toSnapshotItem(i: SteamItem | StoredItem): SnapshotItem {
  if ('classId' in i) {
    return {
      assetId: i.assetId,
      category: categoryOf(i.typeTag),
      marketHashName: i.marketHashName,
      contextId: Number(i.contextId),
      tradable: i.tradable,
      isCasket: i.isCasket,
      floatValue: i.floatValue,
      paintSeed: i.paintSeed,
      tradableAfter: i.tradableAfter ? Math.floor(i.tradableAfter.getTime() / 1000) : null,
    };
  }
  return {
    assetId: i.assetId,
    category: i.category,
    marketHashName: i.marketHashName,
    contextId: i.contextId,
    tradable: i.tradable,
    isCasket: i.isCasket,
    floatValue: i.floatValue,
    paintSeed: i.paintSeed,
    tradableAfter: i.tradableAfterMs === null ? null : Math.floor(i.tradableAfterMs / 1000),
  };
}

/** At most this many assets (added + removed) per site-inventory.changed event: a bounded payload. */
export const SITE_EVENT_MAX_ITEMS = 500;

/**
 * A refresh's site-inventory.changed events, as outbox rows: none when nothing was added or
 * removed, several (in order, same aggregate) when more than SITE_EVENT_MAX_ITEMS assets changed.
 * Removals come first; one refresh never adds and removes the same asset, so the order between
 * them does not change the outcome.
 */
export function siteInventoryEvents(
  bot: BotRef,
  add: readonly SteamItem[],
  remove: readonly string[],
  at: string,
  maxItems = SITE_EVENT_MAX_ITEMS,
): OutboxWriter {
  const out = new OutboxWriter();
  const refs: SiteInventoryItemRef[] = add.map((i) => ({
    assetId: i.assetId,
    contextId: i.contextId === '16' ? 16 : 2,
    marketHashName: i.marketHashName,
  }));
  const changes: Array<{ removed?: string; added?: SiteInventoryItemRef }> = [
    ...remove.map((removed) => ({ removed })),
    ...refs.map((added) => ({ added })),
  ];
  for (let i = 0; i < changes.length; i += maxItems) {
    const part = changes.slice(i, i + maxItems);
    out.event('site-inventory.changed', `bot:${bot.id}`, {
      v: 1,
      type: 'site-inventory.changed',
      botId: bot.id,
      botSteamId: bot.steamId,
      added: part.flatMap((c) => (c.added ? [c.added] : [])),
      removed: part.flatMap((c) => (c.removed ? [c.removed] : [])),
      at,
    });
  }
  return out;
}

/**
 * sinv's core: read a bot's inventory (contexts 2 and 16) and make MySQL, the Redis snapshot and
 * the bus agree with it (its events through the outbox). Incremental: only added, removed and changed assets are written. A
 * failed read removes nothing; it marks the bot's items stale and rethrows, so the job retries
 * with backoff.
 */
export class ReconcileService {
  private readonly d: ReconcileDeps;
  constructor(deps: ReconcileDeps) {
    this.d = deps;
  }

  async refreshBot(botId: number): Promise<RefreshResult> {
    const end = this.d.metrics?.botRefreshSeconds.startTimer();
    try {
      const r = await this.refresh(botId);
      this.d.metrics?.botRefreshes.inc({ outcome: r.skipped ?? 'ok' });
      this.d.metrics?.itemsChanged.inc({ change: 'added' }, r.added);
      this.d.metrics?.itemsChanged.inc({ change: 'removed' }, r.removed);
      this.d.metrics?.itemsChanged.inc({ change: 'updated' }, r.updated);
      return r;
    } catch (err) {
      this.d.metrics?.botRefreshes.inc({ outcome: err instanceof SteamInventoryError ? err.kind : 'error' });
      throw err;
    } finally {
      end?.();
    }
  }

  private async refresh(botId: number): Promise<RefreshResult> {
    const bot = await this.d.bots.get(botId);
    if (!bot)
      return { botId, added: 0, removed: 0, updated: 0, total: 0, complete: true, skipped: 'unknown' };
    if (bot.status !== 'active')
      return { botId, added: 0, removed: 0, updated: 0, total: 0, complete: true, skipped: 'inactive' };

    let fetched: SteamItem[];
    let completeContexts: Set<number>;
    try {
      ({ items: fetched, completeContexts } = await this.read(bot));
    } catch (err) {
      await this.fail(bot, err);
      throw err;
    }

    const stored = await this.d.items.listForBot(bot.id);
    const byId = new Map(stored.map((s) => [s.assetId, s]));
    const seen = new Set<string>();
    const add: SteamItem[] = [];
    const update: SteamItem[] = [];
    for (const item of fetched) {
      seen.add(item.assetId);
      const s = byId.get(item.assetId);
      if (!s) add.push(item);
      else if (changedItem(s, item)) update.push(item);
    }
    // Only a context read in full may remove: a hidden item is not a gone item.
    const remove = stored
      .filter((s) => completeContexts.has(s.contextId) && !seen.has(s.assetId))
      .map((s) => s.assetId);
    // Nor is it confirmed: what a partial read did not show stays (or becomes) stale.
    const unseen = stored
      .filter((s) => !completeContexts.has(s.contextId) && !seen.has(s.assetId))
      .map((s) => s.assetId);
    const complete = completeContexts.size === 2;
    const total = stored.length - remove.length + add.length;
    // The events go in the transaction of the change (the outbox): the backend's relay publishes
    // them, so a lost publish or a process killed after the commit loses nothing.
    const outbox = siteInventoryEvents(bot, add, remove, new Date().toISOString(), this.d.siteEventMaxItems);
    await this.d.items.applyBotChanges(
      bot.id,
      { add, remove, update, clearStale: stored.some((x) => x.stale), unseen },
      total,
      outbox,
    );

    const snapshotItems = complete
      ? fetched.map(toSnapshotItem)
      : (await this.d.items.listForBot(bot.id)).map(toSnapshotItem);
    await this.d.snapshot.writeBot({
      botId: bot.id,
      refreshedAt: Math.floor(Date.now() / 1000),
      stale: unseen.length > 0,
      items: snapshotItems,
    });

    return {
      botId: bot.id,
      added: add.length,
      removed: remove.length,
      updated: update.length,
      total,
      complete,
    };
  }

  private async read(bot: BotRef): Promise<{ items: SteamItem[]; completeContexts: Set<number> }> {
    const cookie = await this.d.sessions.cookieFor(bot);
    const now = this.d.now?.();
    const opts = { ...(cookie ? { cookie } : {}), ...(now ? { now } : {}) };
    // Context 16 (trade-protected) is visible to the owner only; without a session it is skipped.
    const [main, protectedItems] = await Promise.all([
      this.d.steam.fetchInventory(bot.steamId, '2', opts),
      cookie ? this.d.steam.fetchInventory(bot.steamId, '16', opts) : undefined,
    ]);
    const items = protectedItems ? [...main.items, ...protectedItems.items] : main.items;
    const completeContexts = new Set<number>();
    // Assets with unusable ids were read, not hidden: they do not make a read partial.
    if (main.items.length + main.unusable >= main.totalCount) completeContexts.add(2);
    if (protectedItems && protectedItems.items.length + protectedItems.unusable >= protectedItems.totalCount)
      completeContexts.add(16);
    return { items, completeContexts };
  }

  private async fail(bot: BotRef, err: unknown): Promise<void> {
    const kind = err instanceof SteamInventoryError ? err.kind : 'error';
    if (kind === 'session_expired') this.d.sessions.invalidate(bot);
    this.d.logger.warn(
      { botId: bot.id, kind, err: (err as Error).message },
      'bot inventory refresh failed; items kept, marked stale',
    );
    await Promise.all([
      this.d.items.markStale(bot.id),
      this.d.snapshot.markStale(bot.id),
      this.d.bots.markFailed(bot.id, kind),
    ]);
  }
}
