import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from './clock.ts';

/**
 * A fault rule for one endpoint name (e.g. 'inventory', 'GetTradeOffers', 'openid.check_authentication').
 * Checked in this order: latency, outage window, 429 burst, 5xx, EResult. `glitch` never answers by itself:
 * handlers read it with `faults.isGlitched(name)` and return degraded data (steam.md §4.6 "glitched" offers).
 */
export interface FaultRule {
  latencyMs?: number;
  /** Answer 503 while world clock is within [from, until] (unix seconds). */
  outage?: { from: number; until: number };
  /** Answer the next N requests with HTTP 429. */
  burst429?: number;
  /** Answer with this 5xx status (500, 502, 503…). */
  status5xx?: number;
  /** Answer with this EResult in the endpoint's error style (see FaultStyle). */
  eresult?: number;
  /** Optional error text used with `eresult`. */
  message?: string;
  /** How many requests the 5xx/eresult part applies to; undefined = until cleared. */
  count?: number;
  glitch?: boolean;
}

/**
 * How an EResult fault is rendered:
 * - webapi: HTTP 500-ish with header `x-eresult: N` and body `{"response":{}}` (steam.md §4.1)
 * - community: HTTP 500 `{"strError":"... (N)"}` (steam.md §4.2); the default text follows the action (§5 "Error
 *   string shapes": sending / accepting / …)
 * - mobileconf: HTTP 200 `{"success":false,"message":"... (N)"}` (steam.md §6.3 failures carry `message`)
 * - inventory: HTTP 500 `{"error":"... (N)"}` (steam.md §3.1)
 * - text: plain text (OpenID KV endpoint)
 */
export type FaultStyle = 'webapi' | 'community' | 'mobileconf' | 'inventory' | 'text';

export class FaultInjector {
  private readonly rules = new Map<string, FaultRule>();
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  set(name: string, rule: FaultRule): void {
    this.rules.set(name, { ...rule });
  }

  clear(name?: string): void {
    if (name === undefined) this.rules.clear();
    else this.rules.delete(name);
  }

  list(): Record<string, FaultRule> {
    return Object.fromEntries(this.rules);
  }

  get(name: string): FaultRule | undefined {
    return this.rules.get(name);
  }

  isGlitched(name: string): boolean {
    return this.rules.get(name)?.glitch === true;
  }

  /**
   * Applies the rule for `name`. Returns true when the fault already sent a response (the handler must then
   * return without answering). Cheap when no rule is set: a single Map lookup.
   */
  async apply(
    name: string,
    _req: FastifyRequest,
    reply: FastifyReply,
    style: FaultStyle = 'webapi',
  ): Promise<boolean> {
    const rule = this.rules.get(name);
    if (rule === undefined) return false;
    if (rule.latencyMs !== undefined && rule.latencyMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, rule.latencyMs));
    }
    if (rule.outage !== undefined) {
      const now = this.clock.now();
      if (now >= rule.outage.from && now <= rule.outage.until) {
        await reply.code(503).type('text/html').send('<html><body>Service Unavailable</body></html>');
        return true;
      }
    }
    if (rule.burst429 !== undefined && rule.burst429 > 0) {
      rule.burst429 -= 1;
      await reply.code(429).type('text/html').send('<html><body>Too Many Requests</body></html>');
      return true;
    }
    const active = rule.count === undefined || rule.count > 0;
    if (active && rule.status5xx !== undefined) {
      if (rule.count !== undefined) rule.count -= 1;
      await reply.code(rule.status5xx).type('text/html').send('<html><body>Server Error</body></html>');
      return true;
    }
    if (active && rule.eresult !== undefined) {
      if (rule.count !== undefined) rule.count -= 1;
      await sendEResult(reply, style, rule.eresult, rule.message ?? defaultMessage(name, style));
      return true;
    }
    return false;
  }
}

/** Steam's sentence for a community action (steam.md §5): "There was an error accepting this trade offer." etc. */
const COMMUNITY_TEXT: Record<string, string> = {
  'tradeoffer.accept': 'There was an error accepting this trade offer.  Please try again later.',
  'tradeoffer.cancel': 'There was an error cancelling this trade offer.  Please try again later.',
  'tradeoffer.decline': 'There was an error declining this trade offer.  Please try again later.',
};

function defaultMessage(name: string, style: FaultStyle): string | undefined {
  if (style === 'community') return COMMUNITY_TEXT[name];
  return undefined;
}

async function sendEResult(reply: FastifyReply, style: FaultStyle, eresult: number, message?: string) {
  switch (style) {
    case 'webapi':
      await reply.code(500).header('x-eresult', String(eresult)).send({ response: {} });
      return;
    case 'community':
      await reply.code(500).send({
        strError: `${message ?? 'There was an error sending your trade offer.  Please try again later.'} (${eresult})`,
      });
      return;
    case 'mobileconf':
      await reply.code(200).send({ success: false, message: `${message ?? 'Internal error'} (${eresult})` });
      return;
    case 'inventory':
      await reply
        .code(500)
        .send({ error: `${message ?? 'EYldRefreshAppIfNecessary failed with EResult 55'} (${eresult})` });
      return;
    case 'text':
      await reply
        .code(500)
        .type('text/plain')
        .send(`error:${message ?? 'Internal error'} (${eresult})\n`);
      return;
  }
}
