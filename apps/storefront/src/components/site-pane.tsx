import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { EXTERIORS, money, parseMoney, words } from '../format.ts';
import { useDebounced } from '../hooks.ts';
import type { Facets, SiteGroup, SiteItem, SitePage } from '../types.ts';
import { Empty, ErrorState, Spinner } from './common.tsx';
import { ItemCard, ItemImage } from './item-card.tsx';

/** Every filter of GET /api/v1/inventory/site (api.md), as the form holds them. */
export interface Filters {
  q: string;
  minPrice: string;
  maxPrice: string;
  exterior: string[];
  minFloat: string;
  maxFloat: string;
  paintSeed: string;
  phase: string;
  rarity: string;
  type: string;
  weapon: string;
  statTrak: '' | 'true' | 'false';
  souvenir: '' | 'true' | 'false';
  sticker: string;
  tradable: 'any' | 'now' | 'locked';
  maxTradeLockDays: string;
  sort: string;
  group: boolean;
}

export const NO_FILTERS: Filters = {
  q: '',
  minPrice: '',
  maxPrice: '',
  exterior: [],
  minFloat: '',
  maxFloat: '',
  paintSeed: '',
  phase: '',
  rarity: '',
  type: '',
  weapon: '',
  statTrak: '',
  souvenir: '',
  sticker: '',
  tradable: 'any',
  maxTradeLockDays: '',
  sort: 'price-desc',
  group: false,
};

const SORTS: [string, string][] = [
  ['price-desc', 'Price: high to low'],
  ['price-asc', 'Price: low to high'],
  ['float-asc', 'Float: low to high'],
  ['float-desc', 'Float: high to low'],
  ['newest', 'Newest'],
  ['popular', 'Popular'],
];
const PHASES = ['phase-1', 'phase-2', 'phase-3', 'phase-4', 'ruby', 'sapphire', 'black-pearl', 'emerald'];
const TYPES = [
  'knife',
  'gloves',
  'rifle',
  'sniper-rifle',
  'pistol',
  'smg',
  'shotgun',
  'machinegun',
  'sticker',
  'agent',
  'container',
];
const PAGE = 60;

/** The query string for the filters (what the form can't express is left out with a message). */
export function siteQuery(
  f: Filters,
  extra: Record<string, string> = {},
): { qs: string; problems: string[] } {
  const p = new URLSearchParams();
  const problems: string[] = [];
  if (f.q.trim()) p.set('q', f.q.trim());
  for (const [key, raw] of [
    ['minPrice', f.minPrice],
    ['maxPrice', f.maxPrice],
  ] as const) {
    const v = parseMoney(raw);
    if (v === undefined) continue;
    if (Number.isNaN(v))
      problems.push(`${key === 'minPrice' ? 'Min' : 'Max'} price is not an amount like 12.50.`);
    else p.set(key, String(v));
  }
  for (const e of f.exterior) p.append('exterior', e);
  for (const [key, raw] of [
    ['minFloat', f.minFloat],
    ['maxFloat', f.maxFloat],
  ] as const) {
    if (raw.trim() === '') continue;
    const v = Number(raw);
    if (!Number.isFinite(v) || v < 0 || v > 1) problems.push('A float is a number between 0 and 1.');
    else p.set(key, raw.trim());
  }
  if (f.paintSeed.trim()) {
    if (/^\d{1,6}$/.test(f.paintSeed.trim())) p.set('paintSeed', f.paintSeed.trim());
    else problems.push('A paint seed is a whole number.');
  }
  if (f.maxTradeLockDays.trim()) {
    if (/^\d{1,2}$/.test(f.maxTradeLockDays.trim())) p.set('maxTradeLockDays', f.maxTradeLockDays.trim());
    else problems.push('Trade lock days is a whole number.');
  }
  for (const key of ['phase', 'rarity', 'type', 'weapon', 'sticker', 'statTrak', 'souvenir'] as const) {
    const v = f[key].trim();
    if (v) p.set(key, v);
  }
  if (f.tradable !== 'any') p.set('tradable', f.tradable);
  if (f.sort !== 'price-desc') p.set('sort', f.sort);
  if (f.group) p.set('group', 'true');
  p.set('limit', String(PAGE));
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  return { qs: p.toString(), problems };
}

function isGroup(x: SiteItem | SiteGroup): x is SiteGroup {
  return 'count' in x && !('assetId' in x);
}

function facetOptions(
  facets: Facets | undefined,
  key: string,
  fallback: string[],
): [string, number | undefined][] {
  const f = facets?.[key];
  if (f && Object.keys(f).length > 0) return Object.entries(f).sort((a, b) => b[1] - a[1]);
  return fallback.map((v) => [v, undefined]);
}

export function SitePane({
  hidden,
  newItems,
  picked,
  toggle,
  onSeenNew,
}: {
  /** Asset ids the socket said are reserved or gone: never shown. */
  hidden: Set<string>;
  /** How many items the socket said were added since the list was loaded. */
  newItems: number;
  picked: Map<string, SiteItem>;
  toggle: (item: SiteItem) => void;
  onSeenNew: () => void;
}) {
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [openGroup, setOpenGroup] = useState<string | null>(null);
  const [items, setItems] = useState<(SiteItem | SiteGroup)[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [facets, setFacets] = useState<Facets | undefined>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | undefined>();
  const [reloadTick, setReloadTick] = useState(0);
  const sentinel = useRef<HTMLDivElement>(null);
  const inflight = useRef<AbortController | null>(null);

  const debounced = useDebounced(filters, 250);
  const { qs, problems } = useMemo(
    () =>
      siteQuery(
        openGroup ? { ...debounced, group: false } : debounced,
        openGroup ? { marketHashName: openGroup } : { facets: 'true' },
      ),
    [debounced, openGroup],
  );

  const load = (next: string | null) => {
    inflight.current?.abort();
    const ctl = new AbortController();
    inflight.current = ctl;
    setLoading(true);
    const url = `/api/v1/inventory/site?${qs}${next ? `&cursor=${encodeURIComponent(next)}` : ''}`;
    api<SitePage>(url, { signal: ctl.signal }).then(
      (page) => {
        setItems((prev) => (next ? [...prev, ...page.items] : page.items));
        setCursor(page.nextCursor);
        if (!next && page.facets) setFacets(page.facets);
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        if (ctl.signal.aborted) return;
        setError(e instanceof ApiError ? e : new ApiError('UNKNOWN', 'Something went wrong.', 0));
        setLoading(false);
      },
    );
  };

  useEffect(() => {
    if (problems.length > 0) return;
    setItems([]);
    setCursor(null);
    onSeenNew();
    load(null);
    return () => inflight.current?.abort();
  }, [qs, reloadTick]);

  // A search still loading its index answers 503: try again by itself a few times.
  const retries = useRef(0);
  useEffect(() => {
    if (!error || error.status !== 503 || retries.current >= 10) return;
    const t = setTimeout(() => {
      retries.current += 1;
      setReloadTick((n) => n + 1);
    }, 3_000);
    return () => clearTimeout(t);
  }, [error]);
  useEffect(() => {
    if (!error) retries.current = 0;
  }, [error]);

  // Infinite scroll: the next page when the end of the list comes into view.
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !cursor || loading || error) return;
    // The pane scrolls on its own (wide screens): watch the end of the list within it, a
    // screenful ahead.
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) load(cursor);
      },
      { root: el.closest('.pane'), rootMargin: '0px 0px 600px 0px' },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [cursor, loading, error, qs]);

  const set = <K extends keyof Filters>(key: K, value: Filters[K]) =>
    setFilters((f) => ({ ...f, [key]: value }));
  const visible = items.filter((x) => isGroup(x) || !hidden.has(x.assetId));
  const active = Object.entries(filters).filter(
    ([k, v]) =>
      k !== 'sort' &&
      k !== 'group' &&
      (Array.isArray(v) ? v.length > 0 : v !== NO_FILTERS[k as keyof Filters]),
  ).length;

  return (
    <section class="pane" id="site" aria-labelledby="site-h">
      <div class="pane-head">
        <h2 id="site-h">Site inventory</h2>
        <div class="pane-tools">
          <label class="check">
            <input
              type="checkbox"
              checked={filters.group}
              onChange={(e) => {
                setOpenGroup(null);
                set('group', e.currentTarget.checked);
              }}
            />
            Group by name
          </label>
        </div>
      </div>
      <form
        class="filters"
        role="search"
        aria-label="Search the site inventory"
        onSubmit={(e) => e.preventDefault()}
      >
        <div class="filters-main">
          <label class="field grow">
            <span class="sr-only">Search items</span>
            <input
              type="search"
              name="q"
              placeholder="Search: ak redline, karambit doppler…"
              value={filters.q}
              onInput={(e) => set('q', e.currentTarget.value)}
              autocomplete="off"
            />
          </label>
          <label class="field">
            <span class="sr-only">Sort by</span>
            <select name="sort" value={filters.sort} onChange={(e) => set('sort', e.currentTarget.value)}>
              {SORTS.map(([v, l]) => (
                <option value={v} key={v}>
                  {l}
                </option>
              ))}
            </select>
          </label>
        </div>
        <details class="filters-more">
          <summary>Filters{active > 0 ? <span class="badge">{active}</span> : null}</summary>
          <div class="filters-grid">
            <label class="field">
              Min price ($)
              <input
                name="minPrice"
                inputMode="decimal"
                value={filters.minPrice}
                onInput={(e) => set('minPrice', e.currentTarget.value)}
              />
            </label>
            <label class="field">
              Max price ($)
              <input
                name="maxPrice"
                inputMode="decimal"
                value={filters.maxPrice}
                onInput={(e) => set('maxPrice', e.currentTarget.value)}
              />
            </label>
            <fieldset class="field wide">
              <legend>Exterior</legend>
              {EXTERIORS.map((ext) => (
                <label class="check" key={ext}>
                  <input
                    type="checkbox"
                    name="exterior"
                    value={ext}
                    checked={filters.exterior.includes(ext)}
                    onChange={(e) =>
                      set(
                        'exterior',
                        e.currentTarget.checked
                          ? [...filters.exterior, ext]
                          : filters.exterior.filter((x) => x !== ext),
                      )
                    }
                  />
                  {words(ext)}
                  {facets?.exterior?.[ext] !== undefined ? (
                    <span class="muted"> ({facets.exterior[ext]})</span>
                  ) : null}
                </label>
              ))}
            </fieldset>
            <label class="field">
              Min float
              <input
                name="minFloat"
                inputMode="decimal"
                value={filters.minFloat}
                onInput={(e) => set('minFloat', e.currentTarget.value)}
              />
            </label>
            <label class="field">
              Max float
              <input
                name="maxFloat"
                inputMode="decimal"
                value={filters.maxFloat}
                onInput={(e) => set('maxFloat', e.currentTarget.value)}
              />
            </label>
            <label class="field">
              Paint seed
              <input
                name="paintSeed"
                inputMode="numeric"
                value={filters.paintSeed}
                onInput={(e) => set('paintSeed', e.currentTarget.value)}
              />
            </label>
            <label class="field">
              Phase
              <select
                name="phase"
                value={filters.phase}
                onChange={(e) => set('phase', e.currentTarget.value)}
              >
                <option value="">Any</option>
                {facetOptions(facets, 'phase', PHASES).map(([v, n]) => (
                  <option value={v} key={v}>
                    {words(v)}
                    {n !== undefined ? ` (${n})` : ''}
                  </option>
                ))}
              </select>
            </label>
            <label class="field">
              Type
              <select name="type" value={filters.type} onChange={(e) => set('type', e.currentTarget.value)}>
                <option value="">Any</option>
                {facetOptions(facets, 'type', TYPES).map(([v, n]) => (
                  <option value={v} key={v}>
                    {words(v)}
                    {n !== undefined ? ` (${n})` : ''}
                  </option>
                ))}
              </select>
            </label>
            <label class="field">
              Rarity
              <input
                name="rarity"
                list="rarities"
                value={filters.rarity}
                onInput={(e) => set('rarity', e.currentTarget.value)}
              />
              <datalist id="rarities">
                {facetOptions(facets, 'rarity', [
                  'consumer',
                  'industrial',
                  'mil-spec',
                  'restricted',
                  'classified',
                  'covert',
                  'contraband',
                ]).map(([v]) => (
                  <option value={v} key={v} />
                ))}
              </datalist>
            </label>
            <label class="field">
              Weapon
              <input
                name="weapon"
                list="weapons"
                placeholder="AK-47"
                value={filters.weapon}
                onInput={(e) => set('weapon', e.currentTarget.value)}
              />
              <datalist id="weapons">
                {facetOptions(facets, 'weapon', []).map(([v]) => (
                  <option value={v} key={v} />
                ))}
              </datalist>
            </label>
            <label class="field">
              StatTrak™
              <select
                name="statTrak"
                value={filters.statTrak}
                onChange={(e) => set('statTrak', e.currentTarget.value as Filters['statTrak'])}
              >
                <option value="">Any</option>
                <option value="true">Only StatTrak™</option>
                <option value="false">No StatTrak™</option>
              </select>
            </label>
            <label class="field">
              Souvenir
              <select
                name="souvenir"
                value={filters.souvenir}
                onChange={(e) => set('souvenir', e.currentTarget.value as Filters['souvenir'])}
              >
                <option value="">Any</option>
                <option value="true">Only souvenir</option>
                <option value="false">No souvenir</option>
              </select>
            </label>
            <label class="field">
              Sticker
              <input
                name="sticker"
                placeholder="Name contains"
                value={filters.sticker}
                onInput={(e) => set('sticker', e.currentTarget.value)}
              />
            </label>
            <label class="field">
              Tradable
              <select
                name="tradable"
                value={filters.tradable}
                onChange={(e) => set('tradable', e.currentTarget.value as Filters['tradable'])}
              >
                <option value="any">Any</option>
                <option value="now">Now</option>
                <option value="locked">On trade hold</option>
              </select>
            </label>
            <label class="field">
              Max trade hold (days)
              <input
                name="maxTradeLockDays"
                inputMode="numeric"
                value={filters.maxTradeLockDays}
                onInput={(e) => set('maxTradeLockDays', e.currentTarget.value)}
              />
            </label>
            <button
              type="button"
              class="btn btn-small btn-ghost"
              onClick={() => setFilters({ ...NO_FILTERS, sort: filters.sort, group: filters.group })}
            >
              Clear filters
            </button>
          </div>
        </details>
      </form>
      {problems.length > 0 ? (
        <p class="state state-error" role="alert">
          {problems.join(' ')}
        </p>
      ) : null}
      {openGroup ? (
        <p class="crumb">
          <button type="button" class="btn btn-small btn-ghost" onClick={() => setOpenGroup(null)}>
            ← All groups
          </button>{' '}
          <strong>{openGroup}</strong>
        </p>
      ) : null}
      {newItems > 0 ? (
        <p class="live-banner" role="status">
          {newItems} new item{newItems === 1 ? '' : 's'} on the site.{' '}
          <button type="button" class="btn btn-small" onClick={() => setReloadTick((t) => t + 1)}>
            Show them
          </button>
        </p>
      ) : null}
      {error && items.length === 0 ? (
        <ErrorState
          what="The site inventory could not be loaded."
          error={error}
          retry={() => setReloadTick((t) => t + 1)}
        />
      ) : visible.length === 0 && loading ? (
        <Spinner label="Loading the site inventory…" />
      ) : visible.length === 0 ? (
        <Empty>No items match. Try fewer filters.</Empty>
      ) : (
        <ul class="grid" aria-label="Site items" aria-busy={loading}>
          {visible.map((x) =>
            isGroup(x) ? (
              <li class="item group" key={`g:${x.marketHashName}`}>
                <button type="button" class="item-btn" onClick={() => setOpenGroup(x.marketHashName)}>
                  <ItemImage iconUrl={x.iconUrl} name={x.marketHashName} />
                  <span class="item-name">{x.marketHashName}</span>
                  <span class="item-meta">
                    <span class="tag">{x.count} available</span>
                  </span>
                  <span class="item-price">
                    {x.minPrice === x.maxPrice
                      ? money(x.minPrice)
                      : `${money(x.minPrice)} – ${money(x.maxPrice)}`}
                  </span>
                </button>
              </li>
            ) : (
              <ItemCard
                key={x.assetId}
                item={x}
                side="receive"
                picked={picked.has(x.assetId)}
                onToggle={() => toggle(x)}
              />
            ),
          )}
        </ul>
      )}
      {error && items.length > 0 ? (
        <ErrorState what="More items could not be loaded." error={error} retry={() => load(cursor)} />
      ) : null}
      <div ref={sentinel} class="sentinel" />
      {cursor && !error ? (
        <p class="more">
          <button type="button" class="btn btn-small" onClick={() => load(cursor)} disabled={loading}>
            {loading ? 'Loading…' : 'Load more'}
          </button>
        </p>
      ) : items.length > 0 && !loading ? (
        <p class="muted end">End of the list.</p>
      ) : null}
    </section>
  );
}
