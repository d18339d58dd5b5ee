// Derives src/world/catalog-data.json from @ianlucas/cs2-lib (MIT). Importing the library's translations at
// runtime costs ~3 s and ~600 MB (every language loads), so the emulator ships this trimmed English extract.
//   node tools/steam-emulator/src/scripts/build-catalog.ts
import { writeFileSync } from 'node:fs';
import { CS2_ITEMS } from '@ianlucas/cs2-lib';
import { english } from '@ianlucas/cs2-lib/translations';

const KEEP = new Set(['weapon', 'melee', 'glove', 'sticker', 'case', 'agent', 'keychain', 'tool']);
const items = [];
for (const item of CS2_ITEMS) {
  if (!KEEP.has(item.type)) continue;
  const tr = english[item.id];
  if (tr === undefined) continue;
  items.push({
    id: item.id,
    type: item.type,
    name: tr.name,
    baseName: item.baseId !== undefined ? english[item.baseId]?.name : undefined,
    collectionName: tr.collectionName,
    base: item.base,
    category: item.category,
    collection: item.collection,
    containerType: item.containerType,
    def: item.def,
    image: item.image,
    index: item.index,
    model: item.model,
    rarity: item.rarity,
    statTrakless: item.statTrakless,
    wearMax: item.wearMax,
    wearMin: item.wearMin,
  });
}
const out = new URL('../world/catalog-data.json', import.meta.url);
writeFileSync(out, JSON.stringify({ source: '@ianlucas/cs2-lib (MIT), English', items }) + '\n');
console.log(`wrote ${items.length} items to ${out.pathname}`);
