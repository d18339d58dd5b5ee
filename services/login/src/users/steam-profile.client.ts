import type { SteamProfile } from './user.repository.ts';

interface PlayerSummaries {
  response?: { players?: { steamid?: unknown; personaname?: unknown; avatarfull?: unknown }[] };
}

/**
 * Persona and avatar from ISteamUser/GetPlayerSummaries/v2 (steam.md §1.5, as passport-steam
 * does). Throws on any failure; the caller decides that a login goes on without a profile.
 */
export async function fetchSteamProfile(
  steamId: string,
  opts: { webApiUrl: URL; apiKey: string; timeoutMs: number },
): Promise<SteamProfile> {
  const url = new URL('/ISteamUser/GetPlayerSummaries/v2/', opts.webApiUrl);
  url.searchParams.set('key', opts.apiKey);
  url.searchParams.set('steamids', steamId);
  const res = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs), redirect: 'error' });
  if (res.status !== 200) throw new Error(`GetPlayerSummaries answered HTTP ${res.status}`);
  const body = (await res.json()) as PlayerSummaries;
  const player = body.response?.players?.find((p) => p.steamid === steamId);
  if (!player) throw new Error('GetPlayerSummaries did not return the player');
  const persona = typeof player.personaname === 'string' ? player.personaname : '';
  const avatar = typeof player.avatarfull === 'string' ? player.avatarfull : '';
  return {
    // Column widths (users.persona_name 64, users.avatar_url 512); only http(s) avatars are kept.
    personaName: [...persona].slice(0, 64).join(''),
    avatarUrl: /^https?:\/\//.test(avatar) && avatar.length <= 512 ? avatar : '',
  };
}
