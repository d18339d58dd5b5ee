/**
 * IEconService GetTradeStatus / GetTradeHistory (steam.md §4.4, §4.7): where clients find new_assetid /
 * new_contextid after a trade and rollback_new_assetid after a reversal; and the legacy receipt page (§4.7 item 3).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { World } from '../world/world.ts';
import type { Account } from '../world/types.ts';
import { EResult } from '../offers/eresult.ts';
import { ETradeStatus } from '../offers/offer-state.ts';
import type { OfferService } from '../offers/offer.service.ts';
import { cookieAccount, redirectToLogin } from '../profile/profile.routes.ts';
import type { Trade, TradeAsset } from '../offers/offer.types.ts';
import { DescriptionCollector } from '../offers/offer.views.ts';
import { fieldsOf, flag, intField, sendWebApi, stringField, registerIEconMethod } from '../offers/http.ts';
import type { TradeStore } from './trade.store.ts';

/** GetTradeHistory default/maximum page (XAPI `max_trades`; UNVERIFIED cap). */
const DEFAULT_MAX_TRADES = 100;
const MAX_MAX_TRADES = 500;

function tradedAssetView(a: TradeAsset): Record<string, unknown> {
  return {
    appid: a.appid,
    contextid: a.contextid,
    assetid: a.assetid,
    amount: String(a.amount),
    classid: a.classid,
    instanceid: a.instanceid,
    ...(a.newAssetid !== undefined ? { new_assetid: a.newAssetid, new_contextid: a.newContextid } : {}),
    ...(a.rollbackNewAssetid !== undefined
      ? { rollback_new_assetid: a.rollbackNewAssetid, rollback_new_contextid: a.rollbackNewContextid }
      : {}),
  };
}

/**
 * Trade element (§4.4) from `viewer`'s side. `time_escrow_end` is set for holds and, UNVERIFIED (§4.4: P2P code
 * polls for rollbacks until it), for trade-protected trades as the end of the reversal window; `time_settlement`
 * (also UNVERIFIED) carries the same protection end.
 */
export function tradeView(trade: Trade, viewer: string): Record<string, unknown> {
  const isInitiator = trade.initiator === viewer;
  const given = isInitiator ? trade.fromInitiator : trade.fromPartner;
  const received = isInitiator ? trade.fromPartner : trade.fromInitiator;
  const escrowEnd = trade.timeEscrowEnd > 0 ? trade.timeEscrowEnd : trade.protectedUntil;
  return {
    tradeid: trade.tradeid,
    steamid_other: isInitiator ? trade.partner : trade.initiator,
    time_init: trade.timeInit,
    time_mod: trade.timeMod,
    ...(escrowEnd > 0 ? { time_escrow_end: escrowEnd } : {}),
    ...(trade.protectedUntil > 0 ? { time_settlement: trade.protectedUntil } : {}),
    status: trade.status,
    assets_received: received.map(tradedAssetView),
    assets_given: given.map(tradedAssetView),
    currency_received: [],
    currency_given: [],
  };
}

/** Failed/rolled-back-before-commit trades only show with include_failed (XAPI). */
function isFailed(trade: Trade): boolean {
  return trade.status === ETradeStatus.Failed || trade.status === ETradeStatus.RollbackFailed;
}

export interface TradeHistoryRouteDeps {
  world: World;
  offers: OfferService;
  store: TradeStore;
}

export function registerTradeHistoryRoutes(app: FastifyInstance, deps: TradeHistoryRouteDeps): void {
  const { world, offers, store } = deps;

  const route = (
    method: string,
    handler: (req: FastifyRequest, reply: FastifyReply, account: Account) => Promise<unknown>,
  ): void => registerIEconMethod(app, { world, offers }, method, handler);

  const descriptionsFor = (trades: Trade[]): unknown[] => {
    const collector = new DescriptionCollector(world);
    for (const t of trades) {
      collector.addItems(t.fromInitiator);
      collector.addItems(t.fromPartner);
    }
    return collector.list();
  };

  route('GetTradeStatus', async (req, reply, account) => {
    const f = fieldsOf(req);
    const trade = store.get(stringField(f, 'tradeid') ?? '');
    if (trade === undefined || (trade.initiator !== account.steamid && trade.partner !== account.steamid)) {
      await sendWebApi(reply, { response: {} }, EResult.FileNotFound);
      return;
    }
    const response: Record<string, unknown> = { trades: [tradeView(trade, account.steamid)] };
    if (flag(f, 'get_descriptions')) response['descriptions'] = descriptionsFor([trade]);
    await sendWebApi(reply, { response });
  });

  route('GetTradeHistory', async (req, reply, account) => {
    const f = fieldsOf(req);
    const max = Math.min(MAX_MAX_TRADES, Math.max(1, intField(f, 'max_trades') ?? DEFAULT_MAX_TRADES));
    const afterTime = intField(f, 'start_after_time');
    const afterId = stringField(f, 'start_after_tradeid');
    const back = flag(f, 'navigating_back');
    const includeFailed = flag(f, 'include_failed');
    // Newest first; the start_after_* pair is a keyset cursor (time, then tradeid).
    const all = store
      .tradesOf(account.steamid)
      .map((id) => store.get(id))
      .filter((t): t is Trade => t !== undefined && (includeFailed || !isFailed(t)))
      .sort(
        (a, b) => b.timeInit - a.timeInit || (b.tradeid > a.tradeid ? 1 : b.tradeid < a.tradeid ? -1 : 0),
      );
    const key = (t: Trade): [number, string] => [t.timeInit, t.tradeid];
    const before = (t: Trade): boolean => {
      if (afterTime === undefined) return true;
      const [time, id] = key(t);
      if (time !== afterTime) return time < afterTime;
      return afterId === undefined
        ? false
        : id.length < afterId.length || (id.length === afterId.length && id < afterId);
    };
    let page: Trade[];
    let more: boolean;
    if (back && afterTime !== undefined) {
      // Navigating back: the `max` trades just newer than the cursor, still newest first.
      const newer = all.filter((t) => !before(t) && !(t.timeInit === afterTime && t.tradeid === afterId));
      page = newer.slice(Math.max(0, newer.length - max));
      more = newer.length > max;
    } else {
      const older = all.filter(before);
      page = older.slice(0, max);
      more = older.length > max;
    }
    const response: Record<string, unknown> = {
      trades: page.map((t) => tradeView(t, account.steamid)),
      more,
    };
    if (flag(f, 'include_total')) response['total_trades'] = all.length;
    if (flag(f, 'get_descriptions')) response['descriptions'] = descriptionsFor(page);
    await sendWebApi(reply, { response });
  });

  /**
   * `/trade/<tradeid>/receipt/` (§4.7 item 3, TOM `getReceivedItems`): the items the viewer received, each an `oItem`
   * object handed to `BuildHover` in the page's one inline script (TOM runs everything from `var oItem;` to
   * `</script>` in a sandbox with `BuildHover` and `$`). `id` is the new asset id, `contextid` the context it landed
   * in. Items still held (escrow) are not listed.
   */
  app.get<{ Params: { tradeid: string } }>('/trade/:tradeid/receipt/', async (req, reply) => {
    if (await world.faults.apply('trade.receipt', req, reply, 'community')) return reply;
    const account = cookieAccount(world, req);
    if (account === undefined) return redirectToLogin(req, reply);
    offers.sweep();
    const trade = store.get(req.params.tradeid);
    if (trade === undefined || (trade.initiator !== account.steamid && trade.partner !== account.steamid)) {
      // UNVERIFIED text; clients (TOM, SC) surface whatever is in #error_msg.
      return reply
        .type('text/html; charset=utf-8')
        .send('<html><body><div id="error_msg">The trade receipt could not be found.</div></body></html>');
    }
    const received = trade.initiator === account.steamid ? trade.fromPartner : trade.fromInitiator;
    const js = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');
    const items: string[] = [];
    const slots: string[] = [];
    for (const asset of received) {
      if (asset.newAssetid === undefined) continue;
      const i = items.length;
      const description = world.descriptions.get(`${asset.classid}_${asset.instanceid}`);
      items.push(
        `\toItem = ${js({ ...description, id: asset.newAssetid, classid: asset.classid, instanceid: asset.instanceid, amount: String(asset.amount), pos: i + 1 })};\n` +
          `\toItem.appid = ${asset.appid};\n\toItem.contextid = ${asset.newContextid ?? asset.contextid};\n` +
          `\toItem.amount = ${asset.amount};\n\toItem.is_stackable = oItem.amount > 1;\n` +
          `\tBuildHover( 'item${i}', oItem, UserYou );\n\t$( 'item${i}' ).show();\n`,
      );
      slots.push(`<div id="item${i}" class="trade_item" style="display: none;"></div>`);
    }
    return reply
      .type('text/html; charset=utf-8')
      .send(
        `<!DOCTYPE html>\n<html><head><title>Steam Community :: Trade Receipt</title></head><body>\n` +
          `<div class="trade_area"><div class="received_items_header">Items you received:</div>${slots.join('')}</div>\n` +
          `<script type="text/javascript">\n\tvar oItem;\n${items.join('')}</script>\n</body></html>`,
      );
  });
}
