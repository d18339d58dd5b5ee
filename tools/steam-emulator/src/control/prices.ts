// Deterministic price feed for every marketable item in the world (used by the platform's pricing import).
// Prices are invented but shaped like the real market: rarity tier × exterior × StatTrak/Souvenir × a stable
// per-name factor. Integer USD cents.
import type { World } from '../world/world.ts';
import { hash32 } from '../world/world.ts';

export interface PriceRow {
  market_hash_name: string;
  price: number;
  currency: 'USD';
  rarity: string;
  type: string;
  exterior: string | null;
  stattrak: boolean;
  souvenir: boolean;
}

const TIER_CENTS: Record<string, number> = {
  'Base Grade': 8,
  'Consumer Grade': 5,
  'Industrial Grade': 12,
  'Mil-Spec Grade': 45,
  'High Grade': 40,
  Restricted: 320,
  Remarkable: 250,
  Distinguished: 300,
  Classified: 1500,
  Exotic: 1200,
  Exceptional: 700,
  Superior: 1500,
  Covert: 6000,
  Extraordinary: 9000,
  Master: 3500,
  Contraband: 250_000,
};

const KIND_CENTS: Record<string, number> = { knife: 22_000, glove: 18_000, case: 90, charm: 150 };
const WEAR_FACTOR = [1.9, 1.35, 1, 0.85, 0.75];

export function priceFeed(world: World): PriceRow[] {
  const rows = new Map<string, PriceRow>();
  for (const [key, meta] of world.descriptionMeta) {
    if (meta.isCasket) continue;
    const d = world.descriptions.get(key);
    if (d === undefined || d.marketable !== 1 || rows.has(d.market_hash_name)) continue;
    const spec = meta.spec;
    let cents = KIND_CENTS[meta.itemType] ?? TIER_CENTS[meta.rarity] ?? 50;
    if (meta.itemType === 'knife' || meta.itemType === 'glove')
      cents *= 1 + (TIER_CENTS[meta.rarity] ?? 0) / 20_000;
    if (spec.wear >= 0) cents *= WEAR_FACTOR[spec.wear] ?? 1;
    if (spec.statTrak) cents *= 2.6;
    if (spec.souvenir) cents *= 1.8;
    // Stable spread per item name: 0.4x .. 3x.
    const baseName = d.market_hash_name.replace(/ \([^)]*\)$/, '');
    const f = hash32(`price:${baseName}`) / 4294967296;
    cents *= 0.4 + f * 2.6;
    rows.set(d.market_hash_name, {
      market_hash_name: d.market_hash_name,
      price: Math.max(3, Math.round(cents)),
      currency: 'USD',
      rarity: meta.rarity,
      type: meta.itemType,
      exterior: spec.wear >= 0 ? (d.market_hash_name.match(/\(([^)]*)\)$/)?.[1] ?? null) : null,
      stattrak: spec.statTrak,
      souvenir: spec.souvenir,
    });
  }
  return [...rows.values()].sort((a, b) => (a.market_hash_name < b.market_hash_name ? -1 : 1));
}

export function toCsv(rows: PriceRow[]): string {
  const esc = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = ['market_hash_name,price,currency,rarity,type,exterior,stattrak,souvenir'];
  for (const r of rows) {
    lines.push(
      [
        esc(r.market_hash_name),
        r.price,
        r.currency,
        esc(r.rarity),
        r.type,
        esc(r.exterior ?? ''),
        r.stattrak,
        r.souvenir,
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}
