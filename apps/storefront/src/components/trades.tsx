import { useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { money, STATE_LABEL, tradeReason, when } from '../format.ts';
import type { Me, Page, SiteConfig, Trade } from '../types.ts';
import { TERMINAL_STATES } from '../types.ts';
import { Empty, ErrorState, Spinner } from './common.tsx';

const TYPE_LABEL = { deposit: 'Deposit', withdraw: 'Withdrawal', swap: 'Swap' } as const;

/** Where the user accepts the offer: locally the emulator's page for their account, else Steam's. */
export function acceptLinks(trade: Trade, me: Me, config: SiteConfig): { href: string; label: string }[] {
  if (config.emulatorUrl)
    return [
      {
        href: `${config.emulatorUrl}/_emulator/ui?steamid=${encodeURIComponent(me.steamId)}`,
        label: 'Accept as the Steam user (emulator)',
      },
    ];
  return trade.offers
    .filter((o) => o.steamOfferId)
    .map((o) => ({
      href: `${config.steamCommunityUrl}/tradeoffer/${o.steamOfferId}/`,
      label: trade.offers.length > 1 ? `Open offer ${o.steamOfferId} in Steam` : 'Open the offer in Steam',
    }));
}

function withinProtection(trade: Trade): boolean {
  const at = new Date(trade.completedAt ?? trade.updatedAt).getTime();
  return Date.now() - at < 7 * 86_400_000;
}

export function TradeCard({
  trade,
  me,
  config,
  onChange,
  expanded,
}: {
  trade: Trade;
  me: Me;
  config: SiteConfig;
  onChange: (t: Trade) => void;
  expanded: boolean;
}) {
  const [canceling, setCanceling] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const open = !TERMINAL_STATES.has(trade.state);
  const cancel = async () => {
    setCanceling(true);
    setError(undefined);
    try {
      onChange(await api<Trade>(`/api/v1/trades/${trade.id}/cancel`, { method: 'POST' }));
    } catch (e) {
      if (e instanceof ApiError) setError(e);
    } finally {
      setCanceling(false);
    }
  };
  const links = open && trade.state !== 'canceling' ? acceptLinks(trade, me, config) : [];
  return (
    <article
      class={`trade trade-${trade.state}`}
      data-trade-id={trade.id}
      aria-label={`${TYPE_LABEL[trade.type]} ${trade.id}`}
    >
      <header class="trade-head">
        <span class="trade-type">{TYPE_LABEL[trade.type]}</span>
        <span class={`state state-${trade.state}`} data-testid="trade-state" aria-live="polite">
          {STATE_LABEL[trade.state] ?? trade.state}
        </span>
        <span class="muted">{when(trade.createdAt)}</span>
      </header>
      <div class="trade-body">
        <p>
          Give {trade.give.length} ({money(trade.giveValue)}) · Receive {trade.receive.length} (
          {money(trade.receiveValue)}) ·{' '}
          {open || trade.state === 'completed' || trade.state === 'reversed' ? (
            <>
              Balance{open ? ' on completion' : ''}{' '}
              <strong class={trade.balanceDelta < 0 ? 'neg' : 'pos'}>
                {trade.balanceDelta >= 0 ? '+' : ''}
                {money(trade.balanceDelta)}
              </strong>
            </>
          ) : (
            'Balance unchanged'
          )}
        </p>
        {expanded || trade.give.length + trade.receive.length <= 6 ? (
          <ul class="trade-items">
            {trade.give.map((i) => (
              <li key={`g${i.assetId}`}>
                ↑ {i.marketHashName} <span class="muted">{money(i.price)}</span>
              </li>
            ))}
            {trade.receive.map((i) => (
              <li key={`r${i.assetId}`}>
                ↓ {i.marketHashName} <span class="muted">{money(i.price)}</span>
              </li>
            ))}
          </ul>
        ) : null}
        {open ? (
          <div class="verify">
            <p>
              Verification code <code data-testid="verification-code">{trade.verificationCode}</code>
            </p>
            <p class="muted small">
              Accept only an offer whose message shows this code, from a bot, for exactly these items. The
              site never asks you to send items outside an offer it made.
            </p>
            {trade.expiresAt ? (
              <p class="muted small">Reserved for you until {when(trade.expiresAt)}.</p>
            ) : null}
          </div>
        ) : null}
        {trade.state === 'completed' && trade.receive.length > 0 && withinProtection(trade) ? (
          <p class="muted small">
            What you received is trade-protected by Steam for 7 days: it shows in your inventory here, and can
            be traded again, when that ends.
          </p>
        ) : null}
        {trade.state === 'reversed' ? (
          <p class="warn">
            Steam reversed this trade within its 7-day protection window; the items went back and the balance
            was corrected.
          </p>
        ) : null}
        {trade.reason && !open ? <p class="muted small">{tradeReason(trade.reason)}</p> : null}
        {error ? (
          <p class="state state-error" role="alert">
            {error.message} <span class="code">{error.code}</span>
          </p>
        ) : null}
        {open ? (
          <div class="trade-actions">
            {links.map((l) => (
              <a class="btn btn-primary" href={l.href} target="_blank" rel="noopener" key={l.href}>
                {l.label}
              </a>
            ))}
            {trade.state === 'pending' || trade.state === 'sent' ? (
              <button type="button" class="btn btn-ghost" onClick={() => void cancel()} disabled={canceling}>
                {canceling ? 'Canceling…' : 'Cancel trade'}
              </button>
            ) : null}
          </div>
        ) : null}
      </div>
    </article>
  );
}

export function TradesPanel({
  me,
  config,
  trades,
  loading,
  error,
  reload,
  more,
  loadMore,
  onChange,
}: {
  me: Me;
  config: SiteConfig;
  trades: Trade[];
  loading: boolean;
  error: ApiError | undefined;
  reload: () => void;
  more: boolean;
  loadMore: () => void;
  onChange: (t: Trade) => void;
}) {
  if (loading && trades.length === 0) return <Spinner label="Loading your trades…" />;
  if (error && trades.length === 0)
    return <ErrorState what="Your trades could not be loaded." error={error} retry={reload} />;
  if (trades.length === 0) return <Empty>No trades yet. Pick items above and send your first one.</Empty>;
  return (
    <div class="trades" data-testid="trade-history">
      {trades.map((t) => (
        <TradeCard
          key={t.id}
          trade={t}
          me={me}
          config={config}
          onChange={onChange}
          expanded={!TERMINAL_STATES.has(t.state)}
        />
      ))}
      {more ? (
        <button type="button" class="btn btn-small" onClick={loadMore} disabled={loading}>
          {loading ? 'Loading…' : 'Older trades'}
        </button>
      ) : null}
    </div>
  );
}

export type TradePage = Page<Trade>;
