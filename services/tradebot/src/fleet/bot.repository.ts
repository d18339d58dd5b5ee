import { sql, type Kysely, type Selectable } from 'kysely';
import type { BotOffersTable, MainDatabase } from '@platform/db';

export type BotOfferRow = Selectable<BotOffersTable>;

export interface BotRecord {
  id: number;
  steamId: string;
  accountName: string;
  credentialsRef: string | null;
  status: string;
  health: string;
  tier: 'very_good' | 'good' | 'bad';
  itemCount: number;
  capacity: number;
  steamErrors: number;
  pausedReason: string | null;
  protectionAckedAt: Date | null;
  lastLoginAt: Date | null;
  heartbeatAt: Date | null;
  leaseOwner: string | null;
}

/** Offers the owner still has something to do for: send, follow, or report. */
const OPEN = ['new', 'queued', 'sending', 'sent'];

/**
 * The bot registry (bots, allowed/blocked partners) and the tradebot's offer records
 * (bot_offers, main 0007). The tradebot reads the backend's trade tables only through its
 * settlement API; these tables are its own.
 */
export class BotRepository {
  readonly #db: Kysely<MainDatabase>;
  constructor(db: Kysely<MainDatabase>) {
    this.#db = db;
  }

  async bots(ids?: number[]): Promise<BotRecord[]> {
    if (ids && ids.length === 0) return [];
    let q = this.#db.selectFrom('bots').selectAll().orderBy('id');
    if (ids) q = q.where('id', 'in', ids);
    const rows = await q.execute();
    return rows.map((r) => ({
      id: r.id,
      steamId: r.steam_id,
      accountName: r.account_name,
      credentialsRef: r.credentials_ref,
      status: r.status,
      health: r.health,
      tier: r.tier,
      itemCount: r.item_count,
      capacity: r.capacity,
      steamErrors: r.steam_errors,
      pausedReason: r.paused_reason,
      protectionAckedAt: r.protection_acked_at,
      lastLoginAt: r.last_login_at,
      heartbeatAt: r.heartbeat_at,
      leaseOwner: r.lease_owner,
    }));
  }

  /** Items on their way to each bot: what open offers would have it receive. */
  async incoming(): Promise<Map<number, number>> {
    const rows = await this.#db
      .selectFrom('bot_offers')
      .select(['bot_id', sql<string>`SUM(JSON_LENGTH(items, '$.receive'))`.as('n')])
      .where('status', 'in', ['queued', 'sending', 'sent'])
      .groupBy('bot_id')
      .execute();
    return new Map(rows.map((r) => [r.bot_id, Number(r.n ?? 0)]));
  }

  async partner(steamId: string): Promise<{ allowed: boolean; blocked: boolean }> {
    const [a, b] = await Promise.all([
      this.#db
        .selectFrom('allowed_partners')
        .select('steam_id')
        .where('steam_id', '=', steamId)
        .executeTakeFirst(),
      this.#db
        .selectFrom('blocked_partners')
        .select('steam_id')
        .where('steam_id', '=', steamId)
        .executeTakeFirst(),
    ]);
    return { allowed: a !== undefined, blocked: b !== undefined };
  }

  async heartbeat(ids: number[], owner: string, now: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.#db
      .updateTable('bots')
      .set({ heartbeat_at: now, lease_owner: owner })
      .where('id', 'in', ids)
      .execute();
  }

  async setHealth(id: number, h: { tier: string; health: string; steamErrors: number }): Promise<void> {
    await this.#db
      .updateTable('bots')
      .set({ tier: h.tier as 'good', health: h.health, steam_errors: h.steamErrors })
      .where('id', '=', id)
      .execute();
  }

  async released(id: number, owner: string): Promise<void> {
    await this.#db
      .updateTable('bots')
      .set({ lease_owner: null, heartbeat_at: null })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute();
  }

  async markLogin(id: number, now: Date): Promise<void> {
    await this.#db.updateTable('bots').set({ last_login_at: now }).where('id', '=', id).execute();
  }

  async markAcknowledged(id: number, now: Date): Promise<void> {
    await this.#db.updateTable('bots').set({ protection_acked_at: now }).where('id', '=', id).execute();
  }

  /** Pause (no new work) or resume; returns false for an unknown bot. */
  async setStatus(id: number, status: 'active' | 'paused', reason: string | null): Promise<boolean> {
    const r = await this.#db
      .updateTable('bots')
      .set({ status, paused_reason: reason })
      .where('id', '=', id)
      .where('status', 'in', ['active', 'paused'])
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 1) return true;
    return (
      (await this.#db.selectFrom('bots').select('id').where('id', '=', id).executeTakeFirst()) !== undefined
    );
  }

  // --- offers -------------------------------------------------------------------------------

  /** Records the offer for a bot unless it is recorded already; returns the recorded row. */
  async recordOffer(row: {
    offerId: string;
    tradeId: string;
    botId: number;
    userId: string;
    partnerSteamId: string;
    tradeUrl: string;
    message: string;
    tag: string;
    items: BotOfferRow['items'];
    expiresAt: Date | null;
  }): Promise<BotOfferRow> {
    await this.#db
      .insertInto('bot_offers')
      .ignore()
      .values({
        offer_id: row.offerId,
        trade_id: row.tradeId,
        bot_id: row.botId,
        user_id: row.userId,
        partner_steam_id: row.partnerSteamId,
        trade_url: row.tradeUrl,
        message: row.message,
        tag: row.tag,
        items: JSON.stringify(row.items),
        status: 'new',
        expires_at: row.expiresAt,
      })
      .execute();
    const r = await this.offer(row.offerId);
    if (!r) throw new Error(`offer ${row.offerId} was not recorded`);
    return r;
  }

  async offer(offerId: string): Promise<BotOfferRow | undefined> {
    return this.#db.selectFrom('bot_offers').selectAll().where('offer_id', '=', offerId).executeTakeFirst();
  }

  async offersOfTrade(tradeId: string): Promise<BotOfferRow[]> {
    return this.#db.selectFrom('bot_offers').selectAll().where('trade_id', '=', tradeId).execute();
  }

  /** Open offers of these bots, and finished ones whose report did not reach the backend yet. */
  async openOffers(botIds: number[]): Promise<BotOfferRow[]> {
    if (botIds.length === 0) return [];
    return this.#db
      .selectFrom('bot_offers')
      .selectAll()
      .where('bot_id', 'in', botIds)
      .where((eb) =>
        eb.or([
          eb('status', 'in', OPEN),
          eb.and([
            eb('status', 'in', ['accepted', 'ended']),
            eb.or([eb('reported', 'is', null), eb('reported', '!=', 'final')]),
          ]),
        ]),
      )
      .orderBy('offer_id')
      .execute();
  }

  /** Compare-and-set of an offer's status: true when this call moved it. */
  async move(
    offerId: string,
    from: string[],
    patch: Partial<Record<string, unknown>> & { status?: string },
  ): Promise<boolean> {
    const r = await this.#db
      .updateTable('bot_offers')
      .set(patch as never)
      .where('offer_id', '=', offerId)
      .where('status', 'in', from)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async update(offerId: string, patch: Partial<Record<string, unknown>>): Promise<void> {
    await this.#db
      .updateTable('bot_offers')
      .set(patch as never)
      .where('offer_id', '=', offerId)
      .execute();
  }

  async requestCancel(tradeId: string): Promise<number> {
    const r = await this.#db
      .updateTable('bot_offers')
      .set({ cancel_requested: 1 })
      .where('trade_id', '=', tradeId)
      .where('status', 'in', OPEN)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** Accepted offers still inside Steam's reversal window, not checked since `checkedBefore`. */
  async reversalCandidates(
    botIds: number[],
    since: Date,
    checkedBefore: Date,
    limit = 50,
  ): Promise<BotOfferRow[]> {
    if (botIds.length === 0) return [];
    return this.#db
      .selectFrom('bot_offers')
      .selectAll()
      .where('bot_id', 'in', botIds)
      .where('status', '=', 'accepted')
      .where('reversed', '=', 0)
      .where('steam_trade_id', 'is not', null)
      .where('accepted_at', '>', since)
      .where((eb) =>
        eb.or([eb('reversal_checked_at', 'is', null), eb('reversal_checked_at', '<', checkedBefore)]),
      )
      .limit(limit)
      .execute();
  }

  async offerCounts(): Promise<Array<{ status: string; n: number }>> {
    const rows = await this.#db
      .selectFrom('bot_offers')
      .select(['status', sql<string>`COUNT(*)`.as('n')])
      .groupBy('status')
      .execute();
    return rows.map((r) => ({ status: r.status, n: Number(r.n) }));
  }

  async lastAcceptedAt(): Promise<Date | null> {
    const r = await this.#db
      .selectFrom('bot_offers')
      .select(sql<Date | null>`MAX(accepted_at)`.as('at'))
      .executeTakeFirst();
    return r?.at ?? null;
  }
}
