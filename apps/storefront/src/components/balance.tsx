import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { LEDGER_REASON, money, when } from '../format.ts';
import type { Balance, LedgerEntry, Page } from '../types.ts';
import { Empty, ErrorState, Spinner } from './common.tsx';

export function BalancePanel({ balance, version }: { balance: Balance | undefined; version: number }) {
  const [rows, setRows] = useState<LedgerEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | undefined>();
  const load = (next: string | null) => {
    setLoading(true);
    api<Page<LedgerEntry>>(`/api/v1/balance/ledger?limit=20${next ? `&cursor=${next}` : ''}`).then(
      (p) => {
        setRows((prev) => (next ? [...prev, ...p.items] : p.items));
        setCursor(p.nextCursor);
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        setError(e instanceof ApiError ? e : undefined);
        setLoading(false);
      },
    );
  };
  // Reloaded when the balance changes (a live update or a poll).
  useEffect(() => load(null), [version]);
  return (
    <div class="balance-panel">
      {balance ? (
        <dl class="balance-facts">
          <div>
            <dt>Balance</dt>
            <dd data-testid="balance-amount">{money(balance.amount, balance.currency)}</dd>
          </div>
          <div>
            <dt>
              Protected{' '}
              <span class="muted small">(Steam can still reverse the trades it came from, for 7 days)</span>
            </dt>
            <dd>{money(balance.protected, balance.currency)}</dd>
          </div>
          {balance.debt ? (
            <div>
              <dt>Debt</dt>
              <dd class="neg">{money(balance.debt, balance.currency)}</dd>
            </div>
          ) : null}
        </dl>
      ) : null}
      <h3>Ledger</h3>
      {loading && rows.length === 0 ? (
        <Spinner label="Loading the ledger…" />
      ) : error && rows.length === 0 ? (
        <ErrorState what="The ledger could not be loaded." error={error} retry={() => load(null)} />
      ) : rows.length === 0 ? (
        <Empty>No balance changes yet.</Empty>
      ) : (
        <div class="table-wrap">
          <table class="ledger">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col" class="num">
                  Change
                </th>
                <th scope="col" class="num">
                  Balance after
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td>{when(r.createdAt)}</td>
                  <td>
                    {LEDGER_REASON[r.reason] ?? r.reason}
                    {r.tradeId ? <span class="muted small"> · trade {r.tradeId}</span> : null}
                  </td>
                  <td class={`num ${r.delta < 0 ? 'neg' : 'pos'}`}>
                    {r.delta > 0 ? '+' : ''}
                    {money(r.delta)}
                  </td>
                  <td class="num">{money(r.balanceAfter)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor ? (
        <button type="button" class="btn btn-small" onClick={() => load(cursor)} disabled={loading}>
          Older entries
        </button>
      ) : null}
    </div>
  );
}
