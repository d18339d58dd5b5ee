import type { Logger } from '@platform/observability';
import type { TradebotConfig } from '../config.ts';
import type { BotRepository } from '../fleet/bot.repository.ts';
import { canTakeWork, pickDepositBot, type BotCandidate } from '../health/tiers.ts';
import { partnerRefusal } from '../health/partners.ts';
import { BackendError, type BackendClient, type PlanItem, type TradePlan } from './backend.client.ts';

export interface ExecutionDeps {
  config: TradebotConfig;
  repo: BotRepository;
  backend: BackendClient;
  logger: Logger;
  candidates: () => Promise<BotCandidate[]>;
  /** Wakes the bot's runtime when this process holds it. */
  kick: (botId: number) => void;
}

/** A job that cannot go on now but may later (no bot with room): BullMQ retries it. */
export class RetryLater extends Error {}

const asAssets = (items: PlanItem[]) =>
  items.map((i) => ({ assetId: i.assetId, contextId: String(i.contextId) }));

/**
 * The trade-execution jobs. `execute-trade` picks each offer's bot (withdraw: the bot holding the
 * items; deposit: the best healthy bot with room; a swap's offers come planned by the routing
 * rule of packages/core), records the offer for that bot and then its intent with the backend,
 * before anything is sent: the bot's holder sends it. `cancel-trade` asks the holders to cancel.
 * Both may run again (a retry, a second process): each step is recorded first and skipped when
 * already done.
 */
export class ExecutionService {
  readonly #d: ExecutionDeps;
  constructor(d: ExecutionDeps) {
    this.#d = d;
  }

  async execute(tradeId: string): Promise<string> {
    const { backend, repo, config } = this.#d;
    const plan = await backend.plan(tradeId);
    if (plan.trade.state !== 'pending' && plan.trade.state !== 'sent') return `trade is ${plan.trade.state}`;
    const todo = plan.offers.filter((o) => o.state === 'planned' || o.state === 'intent');
    if (todo.length === 0) return 'nothing to send';
    const partner = await repo.partner(plan.partner.steamId);
    const refusal = partnerRefusal({
      ...partner,
      allowedOnly: config.partners.allowedOnly,
      hasTradeUrl: plan.partner.tradeUrl !== null,
      refuseEscrow: false, // needs a bot's session: checked by the holder just before sending
    });
    if (refusal) {
      for (const o of todo.filter((x) => x.state === 'planned'))
        await this.#endPlanned(tradeId, o.id, refusal);
      return refusal;
    }
    let candidates: BotCandidate[] | undefined;
    for (const o of todo) {
      let row = await repo.offer(o.id);
      if (!row) {
        let botId = o.botId;
        if (botId === null) {
          candidates ??= await this.#d.candidates();
          const pick = pickDepositBot(candidates, o.give.length);
          if (!pick) throw new RetryLater('no healthy bot with room for this deposit now');
          pick.incoming += o.give.length;
          botId = pick.id;
        } else {
          candidates ??= await this.#d.candidates();
          const bot = candidates.find((b) => b.id === botId);
          if (!bot || bot.status === 'disabled' || bot.status === 'paused') {
            if (o.state === 'planned') await this.#endPlanned(tradeId, o.id, 'bot_unavailable');
            continue;
          }
          if (!canTakeWork(bot)) throw new RetryLater(`bot ${botId} cannot take work now (${bot.health})`);
        }
        row = await repo.recordOffer({
          offerId: o.id,
          tradeId,
          botId,
          userId: plan.partner.userId,
          partnerSteamId: plan.partner.steamId,
          tradeUrl: plan.partner.tradeUrl ?? '',
          message: messageOf(plan, `o${o.id}`),
          tag: `o${o.id}`,
          // The bot's side: it gives what the user receives, and receives what the user gives.
          items: { give: asAssets(o.receive), receive: asAssets(o.give) },
          expiresAt: plan.trade.expiresAt ? new Date(plan.trade.expiresAt) : null,
        });
      }
      if (row.status === 'new') {
        try {
          await backend.intent(tradeId, o.id, row.bot_id);
        } catch (err) {
          if (!(err instanceof BackendError && err.conflict)) throw err;
          // The trade moved on (canceled, expired): nothing to send.
          await repo.move(o.id, ['new'], {
            status: 'ended',
            end_state: 'canceled',
            end_reason: 'not_sendable',
            reported: 'final',
          });
          continue;
        }
        await repo.move(o.id, ['new'], { status: 'queued' });
      }
      this.#d.kick(row.bot_id);
    }
    return 'queued';
  }

  async #endPlanned(tradeId: string, offerId: string, reason: string): Promise<void> {
    this.#d.logger.info({ trade: tradeId, offer: offerId, reason }, 'offer refused before sending');
    try {
      await this.#d.backend.ended(tradeId, offerId, 'failed', reason);
    } catch (err) {
      if (!(err instanceof BackendError && err.conflict)) throw err;
    }
  }

  async cancel(tradeId: string): Promise<string> {
    const { backend, repo } = this.#d;
    await repo.requestCancel(tradeId);
    const plan = await backend.plan(tradeId);
    const rows = new Map((await repo.offersOfTrade(tradeId)).map((r) => [r.offer_id, r]));
    for (const o of plan.offers.filter((x) => x.state === 'intent' || x.state === 'sent')) {
      const row = rows.get(o.id);
      if (row) this.#d.kick(row.bot_id);
      // An intent recorded by no one here (cannot happen with this service, but costs nothing): end it.
      else if (o.state === 'intent') await backend.ended(tradeId, o.id, 'canceled', 'canceled');
    }
    return 'cancel requested';
  }
}

/** The offer's message: the trade's verification code, which the user compares, and our reference. */
export function messageOf(plan: TradePlan, tag: string): string {
  return `Trade ${plan.trade.id} · verification code ${plan.trade.verificationCode} [ref:${tag}]`;
}
