import { useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { money, when } from '../format.ts';
import type { Resource } from '../hooks.ts';
import type { Me, UserInventory, UserItem } from '../types.ts';
import { Empty, ErrorState, Spinner } from './common.tsx';
import { ItemCard } from './item-card.tsx';

/** The signed-in user's Steam inventory: priced, what the site accepts and why not, trade holds. */
export function MyPane({
  me,
  inventory,
  picked,
  toggle,
}: {
  me: Me | null;
  inventory: Resource<UserInventory>;
  picked: Map<string, UserItem>;
  toggle: (item: UserItem) => void;
}) {
  const [onlyAccepted, setOnlyAccepted] = useState(false);
  const [refreshing, setRefreshing] = useState(false);
  const [refreshError, setRefreshError] = useState<ApiError | undefined>();

  const refresh = async () => {
    setRefreshing(true);
    setRefreshError(undefined);
    try {
      const fresh = await api<UserInventory>('/api/v1/inventory/me?fresh=true');
      inventory.set(() => fresh);
    } catch (e) {
      setRefreshError(e instanceof ApiError ? e : undefined);
    } finally {
      setRefreshing(false);
    }
  };

  let body;
  if (!me) {
    body = (
      <Empty>
        <a href={`/auth/steam?returnTo=${encodeURIComponent(location.href)}`}>Sign in through Steam</a> to see
        your inventory and what the site pays for it.
      </Empty>
    );
  } else if (inventory.loading && !inventory.data) {
    body = <Spinner label="Reading your Steam inventory…" />;
  } else if (inventory.error && !inventory.data) {
    body = (
      <ErrorState what="Your inventory could not be read." error={inventory.error} retry={inventory.reload} />
    );
  } else if (inventory.data) {
    const all = inventory.data.items;
    const items = onlyAccepted ? all.filter((i) => i.accepted) : all;
    const accepted = all.filter((i) => i.accepted);
    const value = accepted.reduce((s, i) => s + (i.price ?? 0), 0);
    body = (
      <>
        <p class="pane-summary">
          {all.length} items · {accepted.length} the site accepts, worth {money(value)}
          {inventory.data.stale ? <span class="warn"> · may be out of date</span> : null}
          {inventory.data.fetchedAt ? (
            <span class="muted"> · read from Steam {when(inventory.data.fetchedAt)}</span>
          ) : null}
        </p>
        {items.length === 0 ? (
          <Empty>
            {all.length === 0
              ? 'Your CS2 inventory is empty, or private on Steam.'
              : 'None of your items is accepted right now.'}
          </Empty>
        ) : (
          <ul class="grid" aria-label="Your items">
            {items.map((item) => (
              <ItemCard
                key={item.assetId}
                item={item}
                side="give"
                picked={picked.has(item.assetId)}
                onToggle={() => toggle(item)}
              />
            ))}
          </ul>
        )}
      </>
    );
  }

  return (
    <section class="pane" id="mine" aria-labelledby="mine-h">
      <div class="pane-head">
        <h2 id="mine-h">Your inventory</h2>
        {me ? (
          <div class="pane-tools">
            <label class="check">
              <input
                type="checkbox"
                checked={onlyAccepted}
                onChange={(e) => setOnlyAccepted(e.currentTarget.checked)}
              />
              Only accepted
            </label>
            <button type="button" class="btn btn-small" onClick={() => void refresh()} disabled={refreshing}>
              {refreshing ? 'Refreshing…' : 'Refresh from Steam'}
            </button>
          </div>
        ) : null}
      </div>
      {refreshError ? <ErrorState what="Refresh failed." error={refreshError} /> : null}
      {body}
    </section>
  );
}
