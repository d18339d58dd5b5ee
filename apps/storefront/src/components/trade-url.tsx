import { useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import type { Me, SiteConfig } from '../types.ts';

/** Set (or change) the Steam trade URL, with a link to the page where Steam shows it. */
export function TradeUrlForm({
  me,
  config,
  onSaved,
}: {
  me: Me;
  config: SiteConfig;
  onSaved: (me: Me) => void;
}) {
  const [value, setValue] = useState(me.tradeUrl ?? '');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const [editing, setEditing] = useState(!me.tradeUrl);
  const where = `${config.steamCommunityUrl}/profiles/${me.steamId}/tradeoffers/privacy#trade_offer_access_url`;
  if (!editing)
    return (
      <p class="trade-url-set">
        Trade URL set.{' '}
        <button type="button" class="linkish" onClick={() => setEditing(true)}>
          Change it
        </button>
      </p>
    );
  const save = async (e: Event) => {
    e.preventDefault();
    setSaving(true);
    setError(undefined);
    try {
      const updated = await api<Me>('/api/v1/me/trade-url', {
        method: 'PUT',
        body: { tradeUrl: value.trim() },
      });
      onSaved(updated);
      setEditing(false);
    } catch (err) {
      if (err instanceof ApiError) setError(err);
    } finally {
      setSaving(false);
    }
  };
  return (
    <form class="card trade-url" onSubmit={(e) => void save(e)} aria-labelledby="tu-h">
      <h2 id="tu-h">{me.tradeUrl ? 'Change your trade URL' : 'One step left: your Steam trade URL'}</h2>
      <p>
        The site's bots send you offers through it.{' '}
        <a href={where} target="_blank" rel="noopener">
          Find it on Steam
        </a>{' '}
        (Inventory → Trade Offers → Who can send me trade offers?).
      </p>
      <div class="row">
        <label class="field grow">
          <span class="sr-only">Trade URL</span>
          <input
            name="tradeUrl"
            type="url"
            required
            placeholder="https://steamcommunity.com/tradeoffer/new/?partner=…&token=…"
            value={value}
            onInput={(e) => setValue(e.currentTarget.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'tu-err' : undefined}
          />
        </label>
        <button type="submit" class="btn btn-primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save trade URL'}
        </button>
        {me.tradeUrl ? (
          <button type="button" class="btn btn-ghost" onClick={() => setEditing(false)}>
            Keep the current one
          </button>
        ) : null}
      </div>
      {error ? (
        <p class="state state-error" id="tu-err" role="alert">
          {error.message}
        </p>
      ) : null}
    </form>
  );
}
