// steam-totp 2.x ships no types; the three functions the platform uses (steam.md §6.2).
declare module 'steam-totp' {
  const SteamTotp: {
    generateAuthCode(secret: string, timeOffset?: number): string;
    getConfirmationKey(identitySecret: string, time: number, tag: string): string;
    getDeviceID(steamID: string): string;
  };
  export default SteamTotp;
}
