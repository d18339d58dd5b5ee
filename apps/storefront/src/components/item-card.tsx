import type { ItemBase, UserItem } from '../types.ts';
import { EXTERIOR_SHORT, money, until, words } from '../format.ts';

function initials(name: string): string {
  return name
    .replace(/StatTrak™|Souvenir/g, '')
    .split(/[\s|-]+/)
    .filter((w) => /^[A-Za-z0-9]/.test(w))
    .slice(0, 2)
    .map((w) => w[0]?.toUpperCase() ?? '')
    .join('');
}

/**
 * Steam gives an item's icon as a path on its image CDN. Locally (the emulator, no Internet) there
 * is none to load, so the card shows the item's initials instead.
 */
export const STEAM_IMAGE_BASE = 'https://community.akamai.steamstatic.com/economy/image/';
/** None until the deployment's settings say whether Steam's CDN is there (not with the emulator). */
let imageBase: string | null = null;
export function setImageBase(base: string | null): void {
  imageBase = base;
}

function imageUrl(iconUrl: string | undefined): string | null {
  if (!iconUrl) return null;
  if (/^https?:\/\//.test(iconUrl)) return iconUrl;
  return imageBase ? `${imageBase}${iconUrl}/256fx192f` : null;
}

export function ItemImage({ iconUrl, name }: { iconUrl?: string | undefined; name: string }) {
  const src = imageUrl(iconUrl);
  return (
    <div class="item-img" aria-hidden="true">
      {src ? (
        <img
          src={src}
          alt=""
          loading="lazy"
          decoding="async"
          onError={(e) => (e.currentTarget.style.display = 'none')}
        />
      ) : null}
      <span class="item-initials">{initials(name)}</span>
    </div>
  );
}

/** One item as a toggle button: picked or not. Refused items explain why instead. */
export function ItemCard({
  item,
  picked,
  onToggle,
  side,
}: {
  item: ItemBase | UserItem;
  picked: boolean;
  onToggle: () => void;
  side: 'give' | 'receive';
}) {
  const refusal = 'accepted' in item && !item.accepted ? item.refusal : null;
  const held = item.tradableAt !== null && new Date(item.tradableAt).getTime() > Date.now();
  const unavailable = refusal !== null || ('accepted' in item && !item.accepted);
  const ext = item.exterior ? (EXTERIOR_SHORT[item.exterior] ?? words(item.exterior)) : null;
  const describedBy = `why-${side}-${item.assetId}`;
  return (
    <li class={`item${picked ? ' picked' : ''}${unavailable ? ' refused' : ''}`} data-asset-id={item.assetId}>
      <button
        type="button"
        class="item-btn"
        aria-pressed={picked}
        aria-disabled={unavailable && !picked}
        aria-describedby={unavailable || held ? describedBy : undefined}
        onClick={() => {
          if (!unavailable || picked) onToggle();
        }}
        title={item.marketHashName}
      >
        <ItemImage iconUrl={item.iconUrl} name={item.name} />
        <span class="item-name">{item.name}</span>
        <span class="item-meta">
          {item.statTrak ? <span class="tag tag-st">StatTrak™</span> : null}
          {item.souvenir ? <span class="tag tag-sv">Souvenir</span> : null}
          {ext ? <span class="tag">{ext}</span> : null}
          {item.phase ? <span class="tag">{words(item.phase)}</span> : null}
          {typeof item.floatValue === 'number' ? (
            <span class="float" title="Float value">
              {item.floatValue.toFixed(4)}
            </span>
          ) : null}
        </span>
        {item.stickers && item.stickers.length > 0 ? (
          <span class="item-stickers">{item.stickers.map((s) => s.name).join(', ')}</span>
        ) : null}
        <span class="item-price">{money(item.price)}</span>
        {picked ? (
          <span class="item-check" aria-hidden="true">
            ✓
          </span>
        ) : null}
      </button>
      {unavailable || held ? (
        <p class="item-why" id={describedBy}>
          {refusal ? refusal.message : unavailable ? 'The site does not accept this item.' : null}
          {held && item.tradableAt ? (
            <span class="hold">
              {refusal ? ' ' : ''}Trade hold: tradable {until(item.tradableAt)}
            </span>
          ) : null}
        </p>
      ) : null}
    </li>
  );
}
