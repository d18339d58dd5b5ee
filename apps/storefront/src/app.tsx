import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, newIdempotencyKey } from './api.ts';
import { BalancePanel } from './components/balance.tsx';
import { ErrorState } from './components/common.tsx';
import { setImageBase, STEAM_IMAGE_BASE } from './components/item-card.tsx';
import { MyPane } from './components/my-pane.tsx';
import { SitePane } from './components/site-pane.tsx';
import { TradeBuilder } from './components/trade-builder.tsx';
import { TradeUrlForm } from './components/trade-url.tsx';
import { TradesPanel } from './components/trades.tsx';
import { money } from './format.ts';
import { useInterval, useResource } from './hooks.ts';
import { connectLive, type Live, type LiveStatus } from './live.ts';
import type { Balance, Me, Page, SiteConfig, SiteItem, Trade, UserInventory, UserItem } from './types.ts';
import { TERMINAL_STATES } from './types.ts';

const DEFAULT_CONFIG: SiteConfig = { steamCommunityUrl: 'https://steamcommunity.com', emulatorUrl: null };
const LIVE_TEXT: Record<LiveStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  offline: 'Live updates off — refreshing every few seconds',
};

interface Notice {
  id: number;
  tradeId: string;
  kind: string;
  message: string;
}

export function App() {
  const [config, setConfig] = useState<SiteConfig>(DEFAULT_CONFIG);
  const status = useResource<{ siteEnabled: boolean }>('/api/v1/status');
  const meRes = useResource<Me>('/api/v1/me');
  const signedOut = meRes.error?.status === 401;
  const me = meRes.data && !meRes.error ? meRes.data : null;
  const balanceRes = useResource<Balance>(me ? '/api/v1/balance' : null);
  const inventory = useResource<UserInventory>(me ? '/api/v1/inventory/me' : null);
  const [balanceVersion, setBalanceVersion] = useState(0);

  const [trades, setTrades] = useState<Trade[]>([]);
  const [tradesCursor, setTradesCursor] = useState<string | null>(null);
  const [tradesLoading, setTradesLoading] = useState(false);
  const [tradesError, setTradesError] = useState<ApiError | undefined>();
  const [tab, setTab] = useState<'trades' | 'balance'>('trades');

  const [give, setGive] = useState<Map<string, UserItem>>(new Map());
  const [receive, setReceive] = useState<Map<string, SiteItem>>(new Map());
  const [sending, setSending] = useState(false);
  const [sendError, setSendError] = useState<ApiError | undefined>();
  const keyRef = useRef<{ sig: string; key: string } | null>(null);

  const [live, setLive] = useState<LiveStatus>('connecting');
  const liveRef = useRef<Live | null>(null);
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const [newItems, setNewItems] = useState(0);
  /** The last site:items seq applied (shown as data-site-seq: support and the browser suite read it). */
  const [siteSeq, setSiteSeq] = useState(0);
  const [notices, setNotices] = useState<Notice[]>([]);
  const [flash, setFlash] = useState<string | null>(null);

  // Information fades after a while; security notices stay until dismissed.
  useEffect(() => {
    if (!flash) return;
    const t = setTimeout(() => setFlash(null), 8_000);
    return () => clearTimeout(t);
  }, [flash]);

  useEffect(() => {
    api<SiteConfig>('/storefront.json').then(
      (c: SiteConfig) => {
        setImageBase(c.emulatorUrl ? null : STEAM_IMAGE_BASE);
        setConfig({ ...DEFAULT_CONFIG, ...c });
      },
      () => {
        setImageBase(STEAM_IMAGE_BASE);
        setConfig({ ...DEFAULT_CONFIG });
      },
    );
  }, []);

  const loadTrades = (cursor: string | null) => {
    setTradesLoading(true);
    api<Page<Trade>>(`/api/v1/trades?limit=20${cursor ? `&cursor=${cursor}` : ''}`).then(
      (p) => {
        setTrades((prev) => (cursor ? [...prev, ...p.items] : mergeFirstPage(prev, p.items)));
        if (!cursor || p.nextCursor === null || tradesCursor !== null) setTradesCursor(p.nextCursor);
        setTradesError(undefined);
        setTradesLoading(false);
      },
      (e: unknown) => {
        setTradesError(e instanceof ApiError ? e : undefined);
        setTradesLoading(false);
      },
    );
  };

  useEffect(() => {
    if (me) loadTrades(null);
    else setTrades([]);
  }, [me?.id]);

  /** A trade's new state, from the socket, a poll or an answer: finished ones refresh the rest. */
  const applyTrade = (t: Trade) => {
    setTrades((prev) => {
      const old = prev.find((x) => x.id === t.id);
      if (old && !TERMINAL_STATES.has(old.state) && TERMINAL_STATES.has(t.state)) {
        setFlash(`Trade ${t.id}: ${t.state}.`);
        balanceRes.reload();
        setBalanceVersion((v) => v + 1);
        api<UserInventory>('/api/v1/inventory/me?fresh=true').then(
          (inv) => inventory.set(() => inv),
          () => inventory.reload(),
        );
      }
      if (old && new Date(old.updatedAt) > new Date(t.updatedAt)) return prev;
      return old ? prev.map((x) => (x.id === t.id ? t : x)) : [t, ...prev];
    });
  };

  // The socket: the same handlers whoever is signed in; a sign-in or -out reconnects it.
  const handlers = useRef({ applyTrade });
  handlers.current.applyTrade = applyTrade;
  useEffect(() => {
    liveRef.current = connectLive({
      status: setLive,
      trade: (t) => handlers.current.applyTrade(t),
      balance: (b) => {
        balanceRes.set(() => b);
        setBalanceVersion((v) => v + 1);
      },
      siteItems: (e) => {
        setSiteSeq(e.seq);
        const gone = [...(e.removed ?? []), ...(e.reserved ?? [])];
        setHidden((prev) => {
          const next = new Set(prev);
          for (const id of gone) next.add(id);
          for (const id of e.unreserved ?? []) next.delete(id);
          return next;
        });
        setReceive((prev) => {
          if (!gone.some((id) => prev.has(id))) return prev;
          const next = new Map(prev);
          for (const id of gone) next.delete(id);
          setFlash('An item you picked was just taken by another trade; it was removed from yours.');
          return next;
        });
        const back = (e.added?.length ?? 0) + (e.unreserved?.length ?? 0);
        if (back > 0) setNewItems((n) => n + back);
      },
      notice: (n) => setNotices((prev) => [...prev, { ...n, id: Date.now() + Math.random() }]),
      resync: () => {
        meRes.reload();
        balanceRes.reload();
        if (me) loadTrades(null);
        setHidden(new Set());
        setNewItems((n) => n + 1);
      },
    });
    return () => liveRef.current?.close();
  }, []);
  const firstMe = useRef(true);
  useEffect(() => {
    if (firstMe.current) {
      firstMe.current = false;
      return;
    }
    liveRef.current?.reconnect();
  }, [me?.id]);

  // Without the socket, poll what is moving: open trades and the balance.
  const openTrades = trades.filter((t) => !TERMINAL_STATES.has(t.state));
  useInterval(
    () => {
      for (const t of openTrades) api<Trade>(`/api/v1/trades/${t.id}`).then(applyTrade, () => {});
      balanceRes.reload();
    },
    4_000,
    Boolean(me) && live !== 'live' && openTrades.length > 0,
  );

  // A new selection gets a new Idempotency-Key; retrying the same selection reuses it.
  const giveList = [...give.values()];
  const receiveList = [...receive.values()];
  const sig = useMemo(
    () => JSON.stringify([[...give.keys()].sort(), [...receive.keys()].sort()]),
    [give, receive],
  );
  const send = async () => {
    if (keyRef.current?.sig !== sig) keyRef.current = { sig, key: newIdempotencyKey() };
    setSending(true);
    setSendError(undefined);
    try {
      const trade = await api<Trade>('/api/v1/trades', {
        method: 'POST',
        headers: { 'idempotency-key': keyRef.current.key },
        body: { give: [...give.keys()], receive: [...receive.keys()] },
      });
      setTrades((prev) => [trade, ...prev.filter((t) => t.id !== trade.id)]);
      setHidden((prev) => new Set([...prev, ...receive.keys()]));
      setGive(new Map());
      setReceive(new Map());
      keyRef.current = null;
      setTab('trades');
      balanceRes.reload();
      setFlash(`Trade created. Verification code ${trade.verificationCode}.`);
      document.getElementById('activity')?.scrollIntoView({ behavior: 'smooth', block: 'start' });
    } catch (e) {
      if (e instanceof ApiError) setSendError(e);
    } finally {
      setSending(false);
    }
  };

  const signOut = async () => {
    await api('/auth/logout', { method: 'POST' }).catch(() => {});
    setGive(new Map());
    setReceive(new Map());
    meRes.reload();
  };

  const toggleIn = <T,>(set: (f: (m: Map<string, T>) => Map<string, T>) => void, id: string, item: T) =>
    set((prev) => {
      const next = new Map(prev);
      if (next.has(id)) next.delete(id);
      else next.set(id, item);
      setSendError(undefined);
      return next;
    });

  const returnTo = encodeURIComponent(location.origin + '/');
  const balance = balanceRes.data;
  const siteEnabled = status.data?.siteEnabled ?? true;
  const meBroken = meRes.error && !signedOut ? meRes.error : undefined;

  return (
    <>
      <a class="skip" href="#site">
        Skip to the site inventory
      </a>
      <header class="top">
        <div class="brand">
          <span class="logo" aria-hidden="true" />
          CS2 Trade
        </div>
        <p
          class={`live live-${live}`}
          role="status"
          aria-live="polite"
          data-testid="live-status"
          data-site-seq={siteSeq}
        >
          <span class="dot" aria-hidden="true" />
          <span class="live-text">{LIVE_TEXT[live]}</span>
        </p>
        <div class="account">
          {me ? (
            <>
              <button
                type="button"
                class="balance-chip"
                onClick={() => setTab('balance')}
                aria-label="Balance"
              >
                <span data-testid="header-balance">{balance ? money(balance.amount) : '…'}</span>
                {balance && balance.protected > 0 ? (
                  <span class="muted small"> ({money(balance.protected)} protected)</span>
                ) : null}
              </button>
              <span class="user">
                {me.avatarUrl ? (
                  <img
                    src={me.avatarUrl}
                    alt=""
                    width={28}
                    height={28}
                    onError={(e) => (e.currentTarget.style.display = 'none')}
                  />
                ) : null}
                <span class="user-name" data-testid="persona">
                  {me.personaName}
                </span>
              </span>
              <button type="button" class="btn btn-small btn-ghost" onClick={() => void signOut()}>
                Sign out
              </button>
            </>
          ) : meRes.loading ? null : (
            <a class="btn btn-primary" href={`/auth/steam?returnTo=${returnTo}`}>
              Sign in through Steam
            </a>
          )}
        </div>
      </header>

      <div class="notices">
        {!siteEnabled ? (
          <p class="banner banner-warn" role="status">
            Trading is paused on the site for now; you can still browse.
          </p>
        ) : null}
        {status.error ? (
          <ErrorState what="The site's API is not answering." error={status.error} retry={status.reload} />
        ) : null}
        {meBroken ? (
          <ErrorState what="Your account could not be loaded." error={meBroken} retry={meRes.reload} />
        ) : null}
      </div>
      {/* Notices that must be seen wherever the page is scrolled: a fixed region, announced. */}
      <div class="toasts">
        {notices.map((n) => (
          <div class="banner banner-danger" role="alert" key={n.id} data-testid="security-notice">
            <p>
              <strong>{n.kind === 'trade_reversed' ? 'Trade reversed.' : 'Security notice.'}</strong>{' '}
              {n.message}
            </p>
            {n.kind === 'trade_reversed' ? null : (
              <p class="small">
                If you did not do this yourself, someone may control your Steam account or API key: revoke
                your key at{' '}
                <a href={`${config.steamCommunityUrl}/dev/apikey`} target="_blank" rel="noopener">
                  Steam's API key page
                </a>
                , change your password, and accept only offers showing your trade's verification code.
              </p>
            )}
            <button
              type="button"
              class="btn btn-small"
              onClick={() => setNotices((p) => p.filter((x) => x.id !== n.id))}
            >
              Dismiss
            </button>
          </div>
        ))}
        {flash ? (
          <p class="banner banner-info" role="status">
            {flash}{' '}
            <button type="button" class="linkish" onClick={() => setFlash(null)}>
              Dismiss
            </button>
          </p>
        ) : null}
      </div>

      {signedOut ? (
        <section class="hero" aria-labelledby="hero-h">
          <h1 id="hero-h">Trade CS2 skins in one offer.</h1>
          <p>
            Deposit your skins for site balance, withdraw the bots' items, or swap both ways at once. Prices
            are set before you send; the offer comes from a bot with a code you can check.
          </p>
          <a class="btn btn-primary btn-big" href={`/auth/steam?returnTo=${returnTo}`}>
            Sign in through Steam
          </a>
        </section>
      ) : null}

      {me ? <TradeUrlForm key={me.id} me={me} config={config} onSaved={(m) => meRes.set(() => m)} /> : null}

      <main class="layout">
        <div class="panes">
          <MyPane
            me={me}
            inventory={inventory}
            picked={give}
            toggle={(i) => toggleIn(setGive, i.assetId, i)}
          />
          <SitePane
            hidden={hidden}
            newItems={newItems}
            onSeenNew={() => setNewItems(0)}
            picked={receive}
            toggle={(i) => toggleIn(setReceive, i.assetId, i)}
          />
        </div>
        <TradeBuilder
          me={me}
          balance={balance}
          siteEnabled={siteEnabled}
          give={giveList}
          receive={receiveList}
          unpickGive={(id) => setGive((m) => new Map([...m].filter(([k]) => k !== id)))}
          unpickReceive={(id) => setReceive((m) => new Map([...m].filter(([k]) => k !== id)))}
          clear={() => {
            setGive(new Map());
            setReceive(new Map());
          }}
          send={() => void send()}
          sending={sending}
          sendError={sendError}
        />
      </main>

      {me ? (
        <section class="activity" id="activity" aria-label="Your trades and balance">
          <div class="tabs" role="tablist" aria-label="Your activity">
            <button
              type="button"
              role="tab"
              id="tab-trades"
              aria-selected={tab === 'trades'}
              aria-controls="panel-trades"
              onClick={() => setTab('trades')}
            >
              Trades{openTrades.length > 0 ? <span class="badge">{openTrades.length}</span> : null}
            </button>
            <button
              type="button"
              role="tab"
              id="tab-balance"
              aria-selected={tab === 'balance'}
              aria-controls="panel-balance"
              onClick={() => setTab('balance')}
            >
              Balance
            </button>
          </div>
          {tab === 'trades' ? (
            <div role="tabpanel" id="panel-trades" aria-labelledby="tab-trades">
              <TradesPanel
                me={me}
                config={config}
                trades={trades}
                loading={tradesLoading}
                error={tradesError}
                reload={() => loadTrades(null)}
                more={tradesCursor !== null}
                loadMore={() => loadTrades(tradesCursor)}
                onChange={applyTrade}
              />
            </div>
          ) : (
            <div role="tabpanel" id="panel-balance" aria-labelledby="tab-balance">
              {balanceRes.error && !balance ? (
                <ErrorState
                  what="Your balance could not be loaded."
                  error={balanceRes.error}
                  retry={balanceRes.reload}
                />
              ) : null}
              <BalancePanel balance={balance} version={balanceVersion} />
            </div>
          )}
        </section>
      ) : null}

      {give.size + receive.size > 0 ? (
        <a class="sticky-summary" href="#trade">
          Give {money(giveList.reduce((s, i) => s + (i.price ?? 0), 0))} · Receive{' '}
          {money(receiveList.reduce((s, i) => s + (i.price ?? 0), 0))} → Review
        </a>
      ) : null}

      <footer class="foot">
        <p class="muted small">
          Prices in USD. Items you receive are trade-protected by Steam for 7 days. The public API is under
          /api/v1.
        </p>
      </footer>
    </>
  );
}

/** The newest page over what is shown: newer states win, older pages stay. */
function mergeFirstPage(prev: Trade[], first: Trade[]): Trade[] {
  const ids = new Set(first.map((t) => t.id));
  return [...first, ...prev.filter((t) => !ids.has(t.id))];
}
