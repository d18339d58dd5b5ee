import { sql, type Kysely } from 'kysely';
import type { MainDatabase } from '@platform/db';
import type { Logger } from '@platform/observability';
import { StorageUnitError, type CasketView, type StorageUnitsPort } from '@platform/steam';
import type { TradebotConfig } from '../config.ts';
import type { TradebotMetrics } from '../metrics.ts';

/** Storage unit cap (steam.md §8, UNVERIFIED; the emulator's CASKET_CAPACITY). */
export const CASKET_CAPACITY = 1000;

/** Why a casketed item could not be taken out: the offer ends `failed` with it. */
export class CasketRefusal extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'CasketRefusal';
    this.code = code;
  }
}

export interface CasketKeeperDeps {
  db: Kysely<MainDatabase>;
  units: StorageUnitsPort;
  config: TradebotConfig;
  logger: Logger;
  metrics: TradebotMetrics;
  /** sinv re-reads the bot (items left or entered the inventory). */
  refreshBot: () => Promise<void>;
}

/**
 * One bot's storage units (decision 0007, "Storage units"). The tradebot owns
 * `items.casket_asset_id`: set before an item is moved in (the intent), cleared after it is
 * taken out. The Game Coordinator is the truth: `reconcile` reads every unit's contents and
 * corrects the column both ways, so a process killed between the intent and the GC's answer
 * (or between the answer and the write) never loses an item: the next round finds it where it is.
 * sinv keeps casketed rows (they never show in the inventory) and does not count them.
 * Runs inside the bot's round, so it never interleaves with the bot's sends.
 */
export class CasketKeeper {
  readonly #d: CasketKeeperDeps;
  readonly #botId: number;
  readonly #steamId: string;
  #capacity: number;

  constructor(d: CasketKeeperDeps, bot: { id: number; steamId: string; capacity: number }) {
    this.#d = d;
    this.#botId = bot.id;
    this.#steamId = bot.steamId;
    this.#capacity = bot.capacity;
  }

  set capacity(n: number) {
    this.#capacity = n;
  }

  get #log(): Logger {
    return this.#d.logger;
  }

  /** The bot's caskets and where each asset is, per the GC. */
  async #read(): Promise<{ caskets: CasketView[]; where: Map<string, string> }> {
    const { units } = this.#d;
    const caskets = await units.listCaskets(this.#steamId);
    const where = new Map<string, string>();
    for (const c of caskets) {
      for (const assetId of await units.contents(this.#steamId, c.casketId)) where.set(assetId, c.casketId);
    }
    return { caskets, where };
  }

  /** Sets `casket_asset_id` from the GC's contents: what is inside is marked, what is not is cleared. */
  async reconcile(): Promise<{ caskets: CasketView[]; fixed: number }> {
    const { db } = this.#d;
    const { caskets, where } = await this.#read();
    const rows = await db
      .selectFrom('items')
      .select(['asset_id', 'casket_asset_id'])
      .where('bot_id', '=', this.#botId)
      .execute();
    let fixed = 0;
    for (const r of rows) {
      const inside = where.get(r.asset_id) ?? null;
      const marked = r.casket_asset_id === null ? null : String(r.casket_asset_id);
      if (inside === marked) continue;
      await db
        .updateTable('items')
        .set({ casket_asset_id: inside })
        .where('asset_id', '=', r.asset_id)
        .where('bot_id', '=', this.#botId)
        .execute();
      fixed++;
    }
    if (fixed > 0) this.#log.info({ bot: this.#botId, fixed }, 'casket records corrected from the GC');
    return { caskets, fixed };
  }

  /** Items in the bot's Steam inventory as the site knows them (casketed ones are not). */
  async #inventoryCount(): Promise<number> {
    const r = await this.#d.db
      .selectFrom('items')
      .select(sql<string>`COUNT(*)`.as('n'))
      .where('bot_id', '=', this.#botId)
      .where('casket_asset_id', 'is', null)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /**
   * The least-demanded items first (decision 0007): not reserved by a trade (an active
   * reservation) nor in an open offer, in context 2 (context 16 cannot be modified), not a
   * storage unit (in `exclude`); most copies of the same name on the whole site first (the stock the site has
   * most of is the one least asked for: the seed's overstock measure), then the longest unsold
   * (oldest first_seen_at), then the asset id (a stable order).
   */
  async candidates(limit: number, exclude: string[] = []): Promise<string[]> {
    const { db } = this.#d;
    // The bot's eligible items (≤ its capacity, by ix_items_bot), then the site's stock of just
    // their names (ix_items_name): no scan of the whole items table.
    const rows = await db
      .selectFrom('items as i')
      .select(['i.asset_id', 'i.market_hash_name', 'i.first_seen_at'])
      .where('i.bot_id', '=', this.#botId)
      .where('i.casket_asset_id', 'is', null)
      .where('i.context_id', '=', 2)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('reservations as r')
              .select('r.id')
              .whereRef('r.asset_id', '=', 'i.asset_id')
              .where('r.released_at', 'is', null),
          ),
        ),
      )
      .execute();
    // Open offers' items too (a withdrawal is reserved; a record may be ahead of its reservation).
    const skip = new Set([...exclude, ...(await this.#openOfferAssets())]);
    const eligible = rows.filter((r) => !skip.has(String(r.asset_id)));
    const names = [...new Set(eligible.map((r) => r.market_hash_name))];
    const stock = new Map<string, number>();
    for (let i = 0; i < names.length; i += 500) {
      const counts = await db
        .selectFrom('items')
        .select(['market_hash_name', sql<string>`COUNT(*)`.as('n')])
        .where('market_hash_name', 'in', names.slice(i, i + 500))
        .groupBy('market_hash_name')
        .execute();
      for (const c of counts) stock.set(c.market_hash_name, Number(c.n));
    }
    const idOrder = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
    return eligible
      .sort(
        (a, b) =>
          (stock.get(b.market_hash_name) ?? 0) - (stock.get(a.market_hash_name) ?? 0) ||
          a.first_seen_at.getTime() - b.first_seen_at.getTime() ||
          idOrder(String(a.asset_id), String(b.asset_id)),
      )
      .slice(0, limit)
      .map((r) => String(r.asset_id));
  }

  async #openOfferAssets(): Promise<Set<string>> {
    const rows = await this.#d.db
      .selectFrom('bot_offers')
      .select('items')
      .where('bot_id', '=', this.#botId)
      .where('status', 'in', ['new', 'queued', 'sending', 'sent'])
      .execute();
    const out = new Set<string>();
    for (const r of rows) {
      const v = r.items as unknown;
      const items = (typeof v === 'string' ? JSON.parse(v) : v) as { give?: Array<{ assetId: string }> };
      for (const a of items.give ?? []) out.add(a.assetId);
    }
    return out;
  }

  /**
   * When the bot's inventory holds at least `CASKET_ABOVE` (scaled to its capacity), moves the
   * least-demanded items into caskets until it is down to `CASKET_TARGET`, at most `CASKET_BATCH`
   * per call. `need` forces room for that many more items (an extraction refused with 1015).
   */
  async relieve(need = 0, exclude: string[] = []): Promise<number> {
    const { config } = this.#d;
    const c = config.caskets;
    const scale = this.#capacity / config.health.of;
    const { caskets } = await this.reconcile();
    const count = await this.#inventoryCount();
    const over = count >= c.above * scale;
    const toMove = Math.max(
      need > 0 ? count + need - this.#capacity : 0,
      over ? count - c.target * scale : 0,
    );
    if (toMove <= 0) return 0;
    const n = Math.min(Math.ceil(toMove), c.batch);
    // Storage units themselves cannot be stored (the GC refuses): excluded by the GC's own list.
    const items = await this.candidates(n, [...exclude, ...caskets.map((k) => k.casketId)]);
    const room = new Map(caskets.map((k) => [k.casketId, CASKET_CAPACITY - k.count]));
    let moved = 0;
    for (const assetId of items) {
      if (!(await this.#moveIn(assetId, room))) break;
      moved++;
    }
    if (moved > 0) {
      this.#d.metrics.casketMoves.inc({ op: 'add' }, moved);
      this.#log.info({ bot: this.#botId, moved, count }, 'moved items into storage units');
      await this.#d.refreshBot();
    }
    return moved;
  }

  /** One item into the unit with the most room; false when no unit takes it (stop the batch). */
  async #moveIn(assetId: string, room: Map<string, number>): Promise<boolean> {
    const { db, units } = this.#d;
    for (;;) {
      const casketId = [...room].filter(([, r]) => r > 0).sort((a, b) => b[1] - a[1])[0]?.[0];
      if (casketId === undefined) {
        this.#d.metrics.casketMoves.inc({ op: 'add_refused' });
        this.#log.warn({ bot: this.#botId }, 'no storage unit has room (no_casket_room)');
        return false;
      }
      // The intent first: a crash after the GC's answer leaves the row marked, reconcile confirms it.
      await db
        .updateTable('items')
        .set({ casket_asset_id: casketId })
        .where('asset_id', '=', assetId)
        .where('bot_id', '=', this.#botId)
        .where('casket_asset_id', 'is', null)
        .execute();
      try {
        const r = await units.add(this.#steamId, casketId, assetId);
        room.set(casketId, CASKET_CAPACITY - r.casketCount);
        return true;
      } catch (err) {
        if (!(err instanceof StorageUnitError) || err.kind === 'unavailable') {
          // It may have happened: reconcile decides at the next round.
          this.#log.warn({ bot: this.#botId, assetId, err: (err as Error).message }, 'casket add failed');
          return false;
        }
        await this.#clear(assetId);
        if (err.kind === 'casket_full') {
          room.set(casketId, 0); // 1011: try another unit
          continue;
        }
        // not_found: the item left the inventory meanwhile (traded, or already inside elsewhere).
        this.#log.info({ bot: this.#botId, assetId, err: err.message }, 'casket add skipped');
        return true;
      }
    }
  }

  async #clear(assetId: string): Promise<void> {
    await this.#d.db
      .updateTable('items')
      .set({ casket_asset_id: null })
      .where('asset_id', '=', assetId)
      .where('bot_id', '=', this.#botId)
      .execute();
  }

  /**
   * Takes the offer's casketed items out before it is sent. Answers the asset ids to send (an
   * extraction that changed an id maps it). 1015 (inventory full): moves other items in to make
   * room, once, then refuses with `casket_inventory_full`.
   */
  async takeOut(assetIds: string[]): Promise<Map<string, string>> {
    const { db, units } = this.#d;
    const ids = new Map<string, string>();
    if (assetIds.length === 0) return ids;
    const rows = await db
      .selectFrom('items')
      .select(['asset_id', 'casket_asset_id'])
      .where('bot_id', '=', this.#botId)
      .where('asset_id', 'in', assetIds)
      .where('casket_asset_id', 'is not', null)
      .execute();
    if (rows.length === 0) return ids;
    let madeRoom = false;
    let changed = false;
    for (const r of rows) {
      const assetId = String(r.asset_id);
      const casketId = String(r.casket_asset_id);
      for (;;) {
        try {
          const out = await units.remove(this.#steamId, casketId, assetId);
          if (out.assetId !== assetId) ids.set(assetId, out.assetId);
          await this.#clear(assetId);
          changed = true;
          this.#d.metrics.casketMoves.inc({ op: 'remove' });
          break;
        } catch (err) {
          if (!(err instanceof StorageUnitError)) throw err;
          if (err.kind === 'inventory_full' && !madeRoom) {
            madeRoom = true;
            const moved = await this.relieve(rows.length, assetIds);
            if (moved > 0) continue;
          }
          if (err.kind === 'inventory_full') {
            this.#d.metrics.casketMoves.inc({ op: 'remove_refused' });
            throw new CasketRefusal(
              'casket_inventory_full',
              `bot ${this.#botId}: inventory full, no room to take ${assetId} out of its storage unit`,
            );
          }
          if (err.kind === 'not_found') {
            // Already out (a crash after the GC's answer) or elsewhere: the GC says where it is.
            await this.reconcile();
            const still = await db
              .selectFrom('items')
              .select('casket_asset_id')
              .where('asset_id', '=', assetId)
              .executeTakeFirst();
            if (still && still.casket_asset_id !== null && String(still.casket_asset_id) !== casketId) {
              r.casket_asset_id = still.casket_asset_id;
              return this.takeOut(assetIds);
            }
            break;
          }
          throw err; // unavailable, casket_full (not for removals): the send waits and retries
        }
      }
    }
    if (changed) await this.#d.refreshBot();
    return ids;
  }
}
