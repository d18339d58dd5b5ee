/**
 * Who may get an offer. The blocked list always wins; with `allowedOnly` only partners on the
 * allowed list get offers; a partner whose trades Steam would hold (escrow, steam.md §4.8) is
 * refused, since the items would leave the bot for up to 15 days with the trade unsettled.
 * Reasons are stable codes: the backend stores them as the offer's end reason.
 */
export type PartnerRefusal = 'partner_blocked' | 'partner_not_allowed' | 'partner_escrow' | 'no_trade_url';

export function partnerRefusal(p: {
  blocked: boolean;
  allowed: boolean;
  allowedOnly: boolean;
  hasTradeUrl: boolean;
  escrowSeconds?: number | undefined;
  refuseEscrow: boolean;
}): PartnerRefusal | undefined {
  if (p.blocked) return 'partner_blocked';
  if (p.allowedOnly && !p.allowed) return 'partner_not_allowed';
  if (!p.hasTradeUrl) return 'no_trade_url';
  if (p.refuseEscrow && (p.escrowSeconds ?? 0) > 0) return 'partner_escrow';
  return undefined;
}

/** `partner` (account id) and `token` of a trade URL (steam.md §2.2). */
export function parseTradeUrl(tradeUrl: string): { accountId: string; token: string } | undefined {
  try {
    const u = new URL(tradeUrl);
    const accountId = u.searchParams.get('partner') ?? '';
    const token = u.searchParams.get('token') ?? '';
    if (!/^\d{1,10}$/.test(accountId) || !/^[A-Za-z0-9_-]{1,32}$/.test(token)) return undefined;
    return { accountId, token };
  } catch {
    return undefined;
  }
}
