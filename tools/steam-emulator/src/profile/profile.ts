// What Steam shows about an account on its profile surfaces (GetPlayerSummaries, the profile XML, offer pages), in one
// place so every surface agrees.
import type { Account } from '../world/types.ts';

export interface ProfileFacts {
  /** 3 public, 1 private: `communityvisibilitystate` / `visibilityState` (steam.md §1.5, SC `CSteamUser`). */
  visibility: 1 | 3;
  /** Account creation, unix seconds: invented but stable per account. */
  timeCreated: number;
  avatar: { icon: string; medium: string; full: string };
  profileUrl: string;
}

export function profileFacts(account: Account): ProfileFacts {
  return {
    // The emulator has one privacy switch; a private inventory reads as a private profile everywhere.
    visibility: account.privateInventory ? 1 : 3,
    timeCreated: 1_400_000_000 + (account.accountId % 100_000_000),
    avatar: {
      icon: `${account.avatarUrl}.jpg`,
      medium: `${account.avatarUrl}_medium.jpg`,
      full: `${account.avatarUrl}_full.jpg`,
    },
    profileUrl: `https://steamcommunity.com/profiles/${account.steamid}/`,
  };
}
