/**
 * Trade URL validation (steam.md §2.2): `https://steamcommunity.com/tradeoffer/new/?partner=<accountid>&token=<token>`.
 * Only Steam's host and path, exactly the two parameters, the partner equal to the user's own
 * account id (a trade URL of someone else would send their offers to another person), and
 * the token charset Steam uses ([A-Za-z0-9_-], 8 characters in practice; 6–16 accepted, the
 * column holds 16).
 */
import { AppError } from '@platform/core';

const TOKEN = /^[A-Za-z0-9_-]{6,16}$/;
const PARTNER = /^[1-9]\d{0,9}$/;

export interface TradeUrlParts {
  partnerId: number;
  token: string;
}

function invalid(reason: string, message: string): AppError {
  return new AppError('TRADE_URL_INVALID', message, { field: '/body/tradeUrl', reason });
}

export function parseTradeUrl(raw: string, ownAccountId: number): TradeUrlParts {
  const text = raw.trim();
  if (!URL.canParse(text)) throw invalid('not_a_url', 'This is not a URL; paste your whole Steam trade URL.');
  const url = new URL(text);
  if (
    url.protocol !== 'https:' ||
    url.hostname !== 'steamcommunity.com' ||
    url.port !== '' ||
    url.username !== '' ||
    url.password !== ''
  ) {
    throw invalid('host', 'A trade URL starts with https://steamcommunity.com/tradeoffer/new/.');
  }
  if (url.pathname !== '/tradeoffer/new/' && url.pathname !== '/tradeoffer/new') {
    throw invalid('path', 'A trade URL starts with https://steamcommunity.com/tradeoffer/new/.');
  }
  const names = [...url.searchParams.keys()];
  const partner = url.searchParams.get('partner');
  const token = url.searchParams.get('token');
  if (names.length !== 2 || partner === null || token === null || url.hash !== '') {
    throw invalid('parameters', 'A trade URL has exactly a partner and a token; copy it again from Steam.');
  }
  if (!PARTNER.test(partner) || Number(partner) > 0xffff_ffff) {
    throw invalid('partner', 'The partner number of this trade URL is not valid; copy it again from Steam.');
  }
  if (Number(partner) !== ownAccountId) {
    throw invalid(
      'not_yours',
      'This trade URL belongs to another Steam account; use the trade URL of the account you signed in with.',
    );
  }
  if (!TOKEN.test(token))
    throw invalid('token', 'The token of this trade URL is not valid; copy it again from Steam.');
  return { partnerId: Number(partner), token };
}

export function formatTradeUrl(parts: TradeUrlParts): string {
  return `https://steamcommunity.com/tradeoffer/new/?partner=${parts.partnerId}&token=${parts.token}`;
}
