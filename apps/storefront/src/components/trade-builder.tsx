import { money, until } from '../format.ts';
import type { Balance, Me, SiteItem, UserItem } from '../types.ts';
import type { ApiError } from '../api.ts';

export interface Refusal {
  code: string;
  message: string;
}

/**
 * Why the server would refuse this trade, told before sending (the server decides; these are
 * the refusals of api.md the storefront can see coming from what it already knows).
 */
export function predictRefusals(a: {
  me: Me | null;
  balance: Balance | undefined;
  siteEnabled: boolean;
  give: UserItem[];
  receive: SiteItem[];
}): Refusal[] {
  const out: Refusal[] = [];
  if (!a.siteEnabled)
    out.push({ code: 'SITE_DISABLED', message: 'Trading is paused on the site right now.' });
  if (!a.me) return [...out, { code: 'UNAUTHENTICATED', message: 'Sign in through Steam to trade.' }];
  if (!a.me.tradeUrl)
    out.push({
      code: 'TRADE_URL_REQUIRED',
      message: 'Set your Steam trade URL first, so the bots can send you offers.',
    });
  if (a.give.length === 0 && a.receive.length === 0)
    out.push({
      code: 'EMPTY_TRADE',
      message: 'Pick items on either side: yours to deposit, the site’s to withdraw.',
    });
  for (const i of a.give) {
    if (!i.accepted)
      out.push({
        code: i.refusal?.code ?? 'ITEM_NOT_ACCEPTED',
        message: `${i.name}: ${i.refusal?.message ?? 'not accepted.'}`,
      });
    else if (i.tradableAt && new Date(i.tradableAt).getTime() > Date.now())
      out.push({
        code: 'ITEM_NOT_ACCEPTED',
        message: `${i.name} is on a trade hold; tradable ${until(i.tradableAt)}.`,
      });
  }
  for (const i of a.receive) {
    if (i.tradableAt && new Date(i.tradableAt).getTime() > Date.now())
      out.push({
        code: 'ITEM_UNAVAILABLE',
        message: `${i.name} is on a trade hold at the bot; it can be withdrawn ${until(i.tradableAt)}.`,
      });
  }
  const giveValue = a.give.reduce((s, i) => s + (i.price ?? 0), 0);
  const receiveValue = a.receive.reduce((s, i) => s + (i.price ?? 0), 0);
  if (a.balance) {
    if ((a.balance.debt ?? 0) > 0 && a.receive.length > 0)
      out.push({
        code: 'ACCOUNT_IN_DEBT',
        message: `A reversed deposit left a debt of ${money(a.balance.debt)}; deposit items to repay it before withdrawing.`,
      });
    const short = receiveValue - giveValue - a.balance.amount;
    if (short > 0)
      out.push({
        code: 'INSUFFICIENT_BALANCE',
        message: `You need ${money(short)} more: add items to give, or remove some to receive.`,
      });
  }
  return out;
}

export function TradeBuilder({
  me,
  balance,
  siteEnabled,
  give,
  receive,
  unpickGive,
  unpickReceive,
  clear,
  send,
  sending,
  sendError,
}: {
  me: Me | null;
  balance: Balance | undefined;
  siteEnabled: boolean;
  give: UserItem[];
  receive: SiteItem[];
  unpickGive: (id: string) => void;
  unpickReceive: (id: string) => void;
  clear: () => void;
  send: () => void;
  sending: boolean;
  sendError: ApiError | undefined;
}) {
  const giveValue = give.reduce((s, i) => s + (i.price ?? 0), 0);
  const receiveValue = receive.reduce((s, i) => s + (i.price ?? 0), 0);
  const refusals = predictRefusals({ me, balance, siteEnabled, give, receive });
  const after = balance ? balance.amount + giveValue - receiveValue : undefined;
  const kind =
    give.length && receive.length
      ? 'Swap'
      : give.length
        ? 'Deposit'
        : receive.length
          ? 'Withdrawal'
          : 'Trade';
  return (
    <section class="builder" id="trade" aria-labelledby="trade-h">
      <h2 id="trade-h">Your {kind.toLowerCase()}</h2>
      <div class="sides">
        <div class="side">
          <h3>
            You give{' '}
            <span class="side-value" data-testid="give-value">
              {money(giveValue)}
            </span>
          </h3>
          {give.length === 0 ? (
            <p class="muted">Pick items from your inventory.</p>
          ) : (
            <ul class="picked-list">
              {give.map((i) => (
                <li key={i.assetId}>
                  <span>{i.name}</span>
                  <span>{money(i.price)}</span>
                  <button
                    type="button"
                    class="x"
                    aria-label={`Remove ${i.name}`}
                    onClick={() => unpickGive(i.assetId)}
                  >
                    ×
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div class="side">
          <h3>
            You receive{' '}
            <span class="side-value" data-testid="receive-value">
              {money(receiveValue)}
            </span>
          </h3>
          {receive.length === 0 ? (
            <p class="muted">Pick items from the site inventory.</p>
          ) : (
            <ul class="picked-list">
              {receive.map((i) => (
                <li key={i.assetId}>
                  <span>{i.name}</span>
                  <span>{money(i.price)}</span>
                  <button
                    type="button"
                    class="x"
                    aria-label={`Remove ${i.name}`}
                    onClick={() => unpickReceive(i.assetId)}
                  >
                    ×
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
      <dl class="totals">
        <div>
          <dt>Balance now</dt>
          <dd>{balance ? money(balance.amount) : '—'}</dd>
        </div>
        <div>
          <dt>Balance after</dt>
          <dd data-testid="balance-after" class={after !== undefined && after < 0 ? 'neg' : ''}>
            {after !== undefined ? money(after) : '—'}
          </dd>
        </div>
      </dl>
      {refusals.length > 0 && (give.length > 0 || receive.length > 0 || !me) ? (
        <ul class="refusals" aria-label="Why this trade cannot be sent yet" data-testid="refusals">
          {refusals.map((r) => (
            <li key={r.code + r.message}>
              {r.message} <span class="code">{r.code}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {sendError ? (
        <p class="state state-error" role="alert">
          {sendError.message} <span class="code">{sendError.code}</span>
        </p>
      ) : null}
      <div class="builder-actions">
        <button
          type="button"
          class="btn btn-primary"
          disabled={refusals.length > 0 || sending}
          onClick={send}
        >
          {sending ? 'Sending…' : `Send ${kind.toLowerCase()}`}
        </button>
        {give.length + receive.length > 0 ? (
          <button type="button" class="btn btn-ghost" onClick={clear}>
            Clear
          </button>
        ) : null}
      </div>
    </section>
  );
}
