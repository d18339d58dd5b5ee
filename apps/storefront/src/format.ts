// Display helpers: money in minor units (never floats until the last step), dates, names.
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

export function money(minor: number | null | undefined, currency = 'USD'): string {
  if (minor === null || minor === undefined) return '—';
  if (currency !== 'USD') return `${(minor / 100).toFixed(2)} ${currency}`;
  return usd.format(minor / 100);
}

/** "$12.34" → 1234 (minor units); empty → undefined; invalid → NaN. */
export function parseMoney(text: string): number | undefined {
  const t = text.trim().replace(/^\$/, '');
  if (t === '') return undefined;
  if (!/^\d+(\.\d{0,2})?$/.test(t)) return Number.NaN;
  const [whole = '0', frac = ''] = t.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

/** "in 3 days" for a trade hold. */
export function until(iso: string): string {
  const ms = new Date(iso).getTime() - Date.now();
  if (ms <= 0) return 'now';
  const hours = Math.ceil(ms / 3_600_000);
  return hours >= 48 ? `in ${Math.ceil(hours / 24)} days` : `in ${hours} h`;
}

export function words(slug: string | null | undefined): string {
  if (!slug) return '';
  return slug.replace(/-/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
}

export const EXTERIORS = [
  'factory-new',
  'minimal-wear',
  'field-tested',
  'well-worn',
  'battle-scarred',
] as const;
export const EXTERIOR_SHORT: Record<string, string> = {
  'factory-new': 'FN',
  'minimal-wear': 'MW',
  'field-tested': 'FT',
  'well-worn': 'WW',
  'battle-scarred': 'BS',
};

export const STATE_LABEL: Record<string, string> = {
  pending: 'Preparing offer',
  sent: 'Offer sent — accept it in Steam',
  canceling: 'Canceling',
  completed: 'Completed',
  declined: 'Declined',
  expired: 'Expired',
  canceled: 'Canceled',
  failed: 'Failed',
  reversed: 'Reversed by Steam',
};

export const LEDGER_REASON: Record<string, string> = {
  trade: 'Trade',
  trade_credit: 'Trade credit',
  trade_hold: 'Held for a trade',
  hold_release: 'Hold released',
  reversal: 'Reversal',
  adjustment: 'Adjustment by the site',
  debt_repayment: 'Debt repayment',
};

/** Why a trade ended, in words (the API's reason codes; an unknown one is shown as words). */
export const TRADE_REASON: Record<string, string> = {
  user: 'You canceled it.',
  expiry: 'The reservation ran out before the offer was accepted.',
  canceled_elsewhere: 'The offer was canceled outside the site — see the security notice.',
  bad_trade_url: 'Your trade URL was not accepted by Steam; set it again.',
  no_trade_url: 'No trade URL was set.',
  partner_escrow: 'Steam would hold this trade (no Steam Guard Mobile Authenticator for 7 days).',
  partner_blocked: 'Steam does not allow trading with your account right now.',
  partner_not_allowed: 'Your account cannot trade with the site right now.',
  not_sendable: 'Steam refused the offer.',
  offer_disappeared: 'The offer disappeared at Steam.',
  offer_held: 'Steam put the trade on hold.',
};

export function tradeReason(code: string): string {
  return TRADE_REASON[code] ?? words(code.replace(/_/g, '-'));
}
