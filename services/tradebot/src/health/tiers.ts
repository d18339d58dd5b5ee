/**
 * Bot health and routing, pure (no I/O): the rules the fleet applies and the tests pin down.
 *
 * Tiers follow the seed: a bot under 850 items of 1,000 is very good, under 900 good, else bad;
 * the thresholds scale with a bot's own capacity and are configurable. Recent Steam errors count
 * too: half the unhealthy threshold costs one tier, the threshold itself makes the bot unhealthy
 * (bad, and no new work) until the errors age out of the window.
 */
export type Tier = 'very_good' | 'good' | 'bad';
export type Health = 'healthy' | 'unhealthy';

export interface TierRule {
  veryGoodBelow: number;
  goodBelow: number;
  of: number;
  unhealthyErrors: number;
}

const RANK: Record<Tier, number> = { very_good: 0, good: 1, bad: 2 };
const BY_RANK: Tier[] = ['very_good', 'good', 'bad'];

export function assess(
  itemCount: number,
  capacity: number,
  recentErrors: number,
  rule: TierRule,
): { tier: Tier; health: Health } {
  const scale = capacity / rule.of;
  let rank = itemCount < rule.veryGoodBelow * scale ? 0 : itemCount < rule.goodBelow * scale ? 1 : 2;
  if (recentErrors >= rule.unhealthyErrors) return { tier: 'bad', health: 'unhealthy' };
  if (recentErrors >= Math.ceil(rule.unhealthyErrors / 2)) rank = Math.min(2, rank + 1);
  return { tier: BY_RANK[rank]!, health: 'healthy' };
}

export interface BotCandidate {
  id: number;
  status: string;
  health: string;
  tier: Tier;
  itemCount: number;
  capacity: number;
  /** Items already on their way to it (offers not yet settled). */
  incoming: number;
  /** A process holds it and heartbeats. */
  live: boolean;
}

/** Whether a bot may get new work at all (an unhealthy, paused or disabled bot gets none). */
export function canTakeWork(b: Pick<BotCandidate, 'status' | 'health' | 'live'>): boolean {
  return b.status === 'active' && b.health === 'healthy' && b.live;
}

/**
 * The bot for a deposit of `items` items (architecture: very good > good > bad, a healthy bot
 * with room): among bots that can take work and have room, the best tier, then the emptiest
 * (spreads deposits), then the lowest id (stable).
 */
export function pickDepositBot(bots: readonly BotCandidate[], items: number): BotCandidate | undefined {
  return bots
    .filter((b) => canTakeWork(b) && b.itemCount + b.incoming + items <= b.capacity)
    .sort(
      (a, b) =>
        RANK[a.tier] - RANK[b.tier] || a.itemCount + a.incoming - (b.itemCount + b.incoming) || a.id - b.id,
    )[0];
}

/** A sliding count of recent errors (one bot's, in the process holding it). */
export class ErrorWindow {
  readonly #at: number[] = [];
  readonly #windowMs: number;
  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }
  add(now: number): void {
    this.#at.push(now);
  }
  count(now: number): number {
    while (this.#at.length > 0 && this.#at[0]! <= now - this.#windowMs) this.#at.shift();
    return this.#at.length;
  }
}
