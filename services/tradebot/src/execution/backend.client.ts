/**
 * The backend's settlement API (services/backend settlement.routes.ts), service to service with
 * INTERNAL_TOKEN. Every report applies exactly once there, however often it is sent, so a report
 * that failed (a timeout, a restart) is simply sent again.
 */
export class BackendError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  constructor(status: number, code: string | undefined, message: string) {
    super(message);
    this.name = 'BackendError';
    this.status = status;
    this.code = code;
  }
  /** The backend refuses: the report does not fit the trade any more (do not retry it). */
  get conflict(): boolean {
    return this.status === 409 || this.code === 'OFFER_CONFLICT' || this.status === 404;
  }
}

export interface PlanItem {
  assetId: string;
  contextId: number;
  marketHashName: string;
}

export interface TradePlan {
  trade: {
    id: string;
    type: string;
    state: string;
    verificationCode: string;
    expiresAt: string | null;
    userId?: string;
  };
  partner: { userId: string; steamId: string; tradeUrl: string | null };
  offers: Array<{
    id: string;
    botId: number | null;
    state: string;
    steamOfferId: string | null;
    give: PlanItem[];
    receive: PlanItem[];
  }>;
}

export type EndState = 'declined' | 'expired' | 'canceled' | 'failed';

export class BackendClient {
  readonly #url: URL;
  readonly #token: string;
  readonly #timeoutMs: number;
  constructor(opts: { url: URL; token: string; timeoutMs: number }) {
    this.#url = opts.url;
    this.#token = opts.token;
    this.#timeoutMs = opts.timeoutMs;
  }

  async #call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await fetch(new URL(path, this.#url), {
      method,
      headers: {
        authorization: `Bearer ${this.#token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = {};
    }
    if (!res.ok) {
      const err = (json as { error?: { code?: string; message?: string } }).error;
      throw new BackendError(
        res.status,
        err?.code,
        `backend ${method} ${path}: ${res.status} ${err?.message ?? ''}`,
      );
    }
    return json as T;
  }

  plan(tradeId: string): Promise<TradePlan> {
    return this.#call('GET', `internal/v1/trades/${tradeId}`);
  }

  async intent(tradeId: string, offerId: string, botId: number): Promise<void> {
    await this.#call('POST', `internal/v1/trades/${tradeId}/offers/${offerId}/intent`, { botId });
  }

  async sent(tradeId: string, offerId: string, steamOfferId: string): Promise<{ cancel: boolean }> {
    const r = await this.#call<{ cancel?: boolean }>(
      'POST',
      `internal/v1/trades/${tradeId}/offers/${offerId}/sent`,
      {
        steamOfferId,
      },
    );
    return { cancel: r.cancel === true };
  }

  async accepted(
    tradeId: string,
    offerId: string,
    report: {
      steamTradeId?: string;
      received?: Array<{ assetId: string; newAssetId: string; newContextId?: number }>;
    },
  ): Promise<void> {
    await this.#call('POST', `internal/v1/trades/${tradeId}/offers/${offerId}/accepted`, report);
  }

  async ended(tradeId: string, offerId: string, state: EndState, reason?: string): Promise<void> {
    await this.#call('POST', `internal/v1/trades/${tradeId}/offers/${offerId}/ended`, {
      state,
      ...(reason ? { reason } : {}),
    });
  }

  async reversed(tradeId: string): Promise<void> {
    await this.#call('POST', `internal/v1/trades/${tradeId}/reversed`);
  }
}
