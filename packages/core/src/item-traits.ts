/**
 * What the public API says about an item beyond its name (api.md: `type`, `weapon`, `statTrak`,
 * `souvenir`, `exterior`, `rarity`, `phase`), derived from what Steam gives (its Type tag, the
 * market hash name, its tags), the same way for a user's item and a site item.
 */

/** api.md `type`: a slug per kind of item (e.g. `knife`, `rifle`, `gloves`, `sticker`). */
export function itemTypeOf(typeTag: string | null | undefined): string {
  switch (typeTag) {
    case 'CSGO_Type_Knife':
      return 'knife';
    case 'Type_Hands':
      return 'gloves';
    case 'CSGO_Type_Pistol':
      return 'pistol';
    case 'CSGO_Type_SMG':
      return 'smg';
    case 'CSGO_Type_Rifle':
      return 'rifle';
    case 'CSGO_Type_SniperRifle':
      return 'sniper-rifle';
    case 'CSGO_Type_Shotgun':
      return 'shotgun';
    case 'CSGO_Type_Machinegun':
      return 'machinegun';
    case 'CSGO_Tool_Sticker':
      return 'sticker';
    case 'CSGO_Type_WeaponCase':
      return 'case';
    case 'Type_CustomPlayer':
      return 'agent';
    case 'CSGO_Type_Charm':
      return 'charm';
    case 'CSGO_Type_MusicKit':
      return 'music-kit';
    case 'CSGO_Type_Spray':
      return 'graffiti';
    case 'CSGO_Type_Collectible':
      return 'collectible';
    case 'CSGO_Tool_Patch':
      return 'patch';
    case 'CSGO_Type_Tool':
    case 'CSGO_Tool_Name_TagTag':
      return 'tool';
    default:
      return 'other';
  }
}

/** A display value as a slug: "Field-Tested" → `field-tested`, "Mil-Spec Grade" → `mil-spec-grade`. */
export function slugOf(value: string | null | undefined): string | null {
  if (!value) return null;
  const slug = value
    .toLowerCase()
    .replace(/[™★]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug || null;
}

export function isStatTrak(marketHashName: string): boolean {
  return marketHashName.includes('StatTrak™');
}

export function isSouvenir(marketHashName: string): boolean {
  return marketHashName.startsWith('Souvenir ');
}

/**
 * Doppler and Gamma Doppler phases are not in the market hash name; Steam shows them in the
 * item's name on newer descriptions ("Phase 2", "Ruby", "Sapphire", "Black Pearl", "Emerald").
 * From a name or description text: `phase-1`…`phase-4`, `ruby`, `sapphire`, `black-pearl`,
 * `emerald`, or null.
 */
export function phaseOf(text: string | null | undefined): string | null {
  if (!text || !/doppler/i.test(text)) return null;
  const phase = /\bPhase ([1-4])\b/i.exec(text);
  if (phase) return `phase-${phase[1]}`;
  for (const gem of ['Black Pearl', 'Ruby', 'Sapphire', 'Emerald'])
    if (new RegExp(`\\b${gem}\\b`, 'i').test(text)) return slugOf(gem);
  return null;
}
