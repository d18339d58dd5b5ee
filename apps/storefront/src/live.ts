// Live updates over Socket.IO at /socket.io (api.md "Live updates"). The storefront works
// without them: when the socket cannot connect it says so and the app polls over REST instead.
import { io, type Socket } from 'socket.io-client';
import type { Balance, SiteItem, Trade } from './types.ts';

export type LiveStatus = 'connecting' | 'live' | 'offline';

export interface SiteItemsEvent {
  seq: number;
  added?: SiteItem[];
  removed?: string[];
  reserved?: string[];
  unreserved?: string[];
}

export interface LiveHandlers {
  status(s: LiveStatus): void;
  trade(t: Trade): void;
  balance(b: Balance): void;
  siteItems(e: SiteItemsEvent): void;
  notice(n: { tradeId: string; kind: string; message: string }): void;
  /** Too far behind to replay: reload everything over REST. */
  resync(): void;
}

export interface Live {
  close(): void;
  /** Reconnects (after sign-in or sign-out, so the handshake carries the new cookie). */
  reconnect(): void;
}

export function connectLive(h: LiveHandlers): Live {
  // The highest seq seen of each stream, sent at every (re)connect so the server replays what
  // was missed; sessionStorage keeps them across a reload of the page.
  const seqs = {
    lastSeq: Number(sessionStorage.getItem('live.lastSeq') ?? 0) || 0,
    lastSiteSeq: Number(sessionStorage.getItem('live.lastSiteSeq') ?? 0) || 0,
  };
  const seen = (stream: 'lastSeq' | 'lastSiteSeq', seq: unknown): boolean => {
    if (typeof seq !== 'number') return true;
    if (seq <= seqs[stream]) return false; // a replay of something already applied
    seqs[stream] = seq;
    sessionStorage.setItem(`live.${stream}`, String(seq));
    return true;
  };
  let failures = 0;
  const socket: Socket = io({
    path: '/socket.io',
    auth: (cb) => cb({ ...seqs }),
    reconnectionDelay: 1_000,
    reconnectionDelayMax: 15_000,
    timeout: 8_000,
  });
  h.status('connecting');
  socket.on('connect', () => {
    failures = 0;
    h.status('live');
  });
  socket.on('disconnect', () => h.status('connecting'));
  socket.on('connect_error', () => {
    failures += 1;
    // After two failed attempts call it offline; socket.io keeps retrying with back-off.
    h.status(failures >= 2 ? 'offline' : 'connecting');
  });
  socket.on('trade:update', (e: { seq?: number; trade?: Trade }) => {
    if (seen('lastSeq', e.seq) && e.trade) h.trade(e.trade);
  });
  socket.on('balance:update', (e: Balance & { seq?: number }) => {
    if (seen('lastSeq', e.seq)) h.balance({ amount: e.amount, protected: e.protected, currency: e.currency });
  });
  socket.on('trade:notice', (e: { seq?: number; tradeId: string; kind: string; message: string }) => {
    if (seen('lastSeq', e.seq)) h.notice(e);
  });
  socket.on('site:items', (e: SiteItemsEvent) => {
    if (seen('lastSiteSeq', e.seq)) h.siteItems(e);
  });
  socket.on('leaderboard', (e: { seq?: number }) => {
    seen('lastSiteSeq', e.seq);
  });
  socket.on('resync', () => {
    seqs.lastSeq = 0;
    seqs.lastSiteSeq = 0;
    sessionStorage.removeItem('live.lastSeq');
    sessionStorage.removeItem('live.lastSiteSeq');
    h.resync();
  });
  return {
    close: () => socket.close(),
    reconnect: () => {
      // Another user's stream: forget the user seq, keep the site's.
      seqs.lastSeq = 0;
      sessionStorage.removeItem('live.lastSeq');
      socket.disconnect().connect();
    },
  };
}
