import { Client } from '@opensearch-project/opensearch';
import {
  checkQuery,
  decodeCursor,
  DEFAULT_LIMIT,
  encodeCursor,
  lockDaysLeft,
  type CursorKey,
  type Facets,
  type GroupCard,
  type SearchPage,
  type SearchQuery,
  type SiteItem,
  type SiteSearch,
  type SortName,
} from './port.ts';
import { isListable, phaseOfRow, traitsOf, type IndexRow } from './index-row.ts';

/**
 * The OpenSearch adapter, for deployments beyond one machine (decisions 0005). One document per
 * site item; searches read an alias, and a reindex fills a new index behind it and swaps the
 * alias in one step. A reservation writes `reservedUntil` on the document (the seed sent every
 * reserved id as a must-not list on each query and saturated search); a release clears it.
 */

/** What this adapter asks of OpenSearch: the client's transport (one generic request). */
export interface OpenSearchTransport {
  request(
    params: { method: string; path: string; body?: unknown; querystring?: Record<string, unknown> },
    options?: { headers?: Record<string, string> },
  ): Promise<{ body: unknown; statusCode?: number | null }>;
}

export function openSearchTransport(url: URL): OpenSearchTransport {
  return new Client({ node: url.toString() }).transport as unknown as OpenSearchTransport;
}

/** Missing floats sort last either way: a value past each end of [0, 1]. */
const FLOAT_MISSING_ASC = 2;
const FLOAT_MISSING_DESC = -1;

export const MAPPING = {
  settings: {
    analysis: {
      tokenizer: { words: { type: 'pattern', pattern: '[^\\p{L}\\p{N}]+' } },
      filter: { prefixes: { type: 'edge_ngram', min_gram: 1, max_gram: 20 } },
      analyzer: {
        name_prefixes: { type: 'custom', tokenizer: 'words', filter: ['lowercase', 'prefixes'] },
        name_words: { type: 'custom', tokenizer: 'words', filter: ['lowercase'] },
      },
      normalizer: { lower: { type: 'custom', filter: ['lowercase'] } },
    },
  },
  mappings: {
    dynamic: 'strict',
    properties: {
      assetId: { type: 'keyword' },
      /** The asset id left-padded to 20 digits: sorts as the number does. */
      assetKey: { type: 'keyword' },
      marketHashName: { type: 'keyword' },
      text: { type: 'text', analyzer: 'name_prefixes', search_analyzer: 'name_words' },
      name: { type: 'keyword', index: false },
      price: { type: 'long' },
      floatValue: { type: 'double' },
      floatAsc: { type: 'double' },
      floatDesc: { type: 'double' },
      paintSeed: { type: 'integer' },
      phase: { type: 'keyword' },
      exterior: { type: 'keyword' },
      rarity: { type: 'keyword' },
      type: { type: 'keyword' },
      weapon: { type: 'keyword', normalizer: 'lower' },
      weaponName: { type: 'keyword', index: false },
      statTrak: { type: 'boolean' },
      souvenir: { type: 'boolean' },
      stickers: { type: 'object', enabled: false },
      stickerNames: { type: 'keyword', normalizer: 'lower' },
      iconUrl: { type: 'keyword', index: false },
      tradableAfter: { type: 'long' },
      firstSeen: { type: 'long' },
      /** How many of this name the site holds (sort `popular`), set at indexing. */
      stock: { type: 'integer' },
      botId: { type: 'integer' },
      /** Listable, priced and on an active bot. */
      listed: { type: 'boolean' },
      reservedUntil: { type: 'long' },
      version: { type: 'long' },
    },
  },
} as const;

export interface OpenSearchDoc {
  assetId: string;
  assetKey: string;
  marketHashName: string;
  text: string;
  name: string;
  price: number | null;
  floatValue: number | null;
  floatAsc: number;
  floatDesc: number;
  paintSeed: number | null;
  phase: string | null;
  exterior: string | null;
  rarity: string | null;
  type: string;
  weapon: string | null;
  weaponName: string | null;
  statTrak: boolean;
  souvenir: boolean;
  stickers: string[];
  stickerNames: string[];
  iconUrl: string;
  tradableAfter: number | null;
  firstSeen: number;
  stock: number;
  botId: number;
  listed: boolean;
  reservedUntil: number | null;
  version: number;
}

export function toDoc(row: IndexRow, price: number | null, stock: number, botActive: boolean): OpenSearchDoc {
  const t = traitsOf(row);
  return {
    assetId: row.assetId,
    assetKey: row.assetId.padStart(20, '0'),
    marketHashName: row.marketHashName,
    text: row.marketHashName,
    name: row.name,
    price,
    floatValue: row.floatValue,
    floatAsc: row.floatValue ?? FLOAT_MISSING_ASC,
    floatDesc: row.floatValue ?? FLOAT_MISSING_DESC,
    paintSeed: row.paintSeed,
    phase: phaseOfRow(row),
    exterior: t.exterior,
    rarity: t.rarity,
    type: t.type,
    weapon: t.weapon,
    weaponName: t.weapon,
    statTrak: t.statTrak,
    souvenir: t.souvenir,
    stickers: row.stickers,
    stickerNames: row.stickers,
    iconUrl: row.iconUrl,
    tradableAfter: row.tradableAfterMs,
    firstSeen: row.firstSeenMs,
    stock,
    botId: row.botId,
    listed: isListable(row) && price !== null && botActive,
    reservedUntil: row.reservedUntilMs,
    version: row.version,
  };
}

type Dsl = Record<string, unknown>;
const DAY_MS = 86_400_000;

/** The sort clause of each sort: a total order, the same as the in-process index's. */
export function sortClause(sort: SortName): Dsl[] {
  const byName = { marketHashName: 'asc' };
  const byAsset = { assetKey: 'asc' };
  switch (sort) {
    case 'price-desc':
      return [{ price: 'desc' }, byName, byAsset];
    case 'price-asc':
      return [{ price: 'asc' }, byName, byAsset];
    case 'popular':
      return [{ stock: 'desc' }, byName, byAsset];
    case 'float-asc':
      return [{ floatAsc: 'asc' }, byAsset];
    case 'float-desc':
      return [{ floatDesc: 'desc' }, byAsset];
    case 'newest':
      return [{ firstSeen: 'desc' }, byAsset];
  }
}

/** search_after from a cursor (the sort values of the last row). */
export function searchAfter(sort: SortName, c: CursorKey): unknown[] {
  const a = (c.a ?? '').padStart(20, '0');
  switch (sort) {
    case 'price-desc':
    case 'price-asc':
    case 'popular':
      return [c.n, c.m, a];
    case 'float-asc':
      return [c.n ?? FLOAT_MISSING_ASC, a];
    case 'float-desc':
      return [c.n ?? FLOAT_MISSING_DESC, a];
    case 'newest':
      return [c.n, a];
  }
}

/** The filter part of a query (bool filter / must_not), shared by items, groups and facets. */
export function filterClauses(q: SearchQuery, now: number): { filter: Dsl[]; must_not: Dsl[] } {
  const filter: Dsl[] = [{ term: { listed: true } }];
  // Reserved: hidden while its reservation has not ended (released ones have none).
  const must_not: Dsl[] = [{ range: { reservedUntil: { gt: now } } }];
  if (q.q && q.q.trim()) filter.push({ match: { text: { query: q.q, operator: 'and' } } });
  if (q.minPrice !== undefined || q.maxPrice !== undefined)
    filter.push({
      range: {
        price: {
          ...(q.minPrice !== undefined ? { gte: q.minPrice } : {}),
          ...(q.maxPrice !== undefined ? { lte: q.maxPrice } : {}),
        },
      },
    });
  if (q.exterior?.length) filter.push({ terms: { exterior: q.exterior } });
  if (q.minFloat !== undefined || q.maxFloat !== undefined)
    filter.push({
      range: {
        floatValue: {
          ...(q.minFloat !== undefined ? { gte: q.minFloat } : {}),
          ...(q.maxFloat !== undefined ? { lte: q.maxFloat } : {}),
        },
      },
    });
  if (q.paintSeed !== undefined) filter.push({ term: { paintSeed: q.paintSeed } });
  if (q.phase?.length) filter.push({ terms: { phase: q.phase } });
  if (q.rarity?.length) filter.push({ terms: { rarity: q.rarity } });
  if (q.type?.length) filter.push({ terms: { type: q.type } });
  if (q.weapon?.length) filter.push({ terms: { weapon: q.weapon.map((w) => w.toLowerCase()) } });
  if (q.statTrak !== undefined) filter.push({ term: { statTrak: q.statTrak } });
  if (q.souvenir !== undefined) filter.push({ term: { souvenir: q.souvenir } });
  if (q.sticker)
    filter.push({ wildcard: { stickerNames: { value: `*${escapeWildcard(q.sticker.toLowerCase())}*` } } });
  const tradable = q.tradable ?? 'any';
  if (tradable === 'now') must_not.push({ range: { tradableAfter: { gt: now } } });
  else if (tradable === 'locked') filter.push({ range: { tradableAfter: { gt: now } } });
  if (q.maxTradeLockDays !== undefined)
    must_not.push({ range: { tradableAfter: { gt: now + q.maxTradeLockDays * DAY_MS } } });
  if (q.marketHashName !== undefined) filter.push({ term: { marketHashName: q.marketHashName } });
  return { filter, must_not };
}

function escapeWildcard(s: string): string {
  return s.replace(/[\\*?]/g, (c) => `\\${c}`);
}

const FACET_FIELDS = ['exterior', 'type', 'rarity', 'weapon', 'phase', 'statTrak', 'souvenir'] as const;

export function facetAggs(now: number): Dsl {
  const aggs: Dsl = {};
  for (const f of FACET_FIELDS) if (f !== 'weapon') aggs[f] = { terms: { field: f, size: 200 } };
  // weapon is lower-cased in the index: counted by it, shown as the items spell it.
  aggs.weapon = {
    terms: { field: 'weapon', size: 200 },
    aggs: { shown: { top_hits: { size: 1, _source: ['weaponName'] } } },
  };
  aggs.locked = { filter: { range: { tradableAfter: { gt: now } } } };
  return aggs;
}

/** The whole search request for a query (items, or groups by price/popular with a cursor filter). */
export function buildSearch(q: SearchQuery, now: number): Dsl {
  const sort = q.sort ?? 'price-desc';
  const limit = q.limit ?? DEFAULT_LIMIT;
  const group = q.group === true;
  const cursor = q.cursor ? decodeCursor(q.cursor, sort, group) : undefined;
  const { filter, must_not } = filterClauses(q, now);
  const body: Dsl = { query: { bool: { filter, must_not } }, track_total_hits: false };
  if (!group) {
    body.size = limit + 1;
    body.sort = sortClause(sort);
    if (cursor) body.search_after = searchAfter(sort, cursor);
  } else {
    body.size = 0;
    const desc = sort === 'price-desc' || sort === 'popular' || sort === 'float-desc' || sort === 'newest';
    const metric =
      sort === 'price-desc' || sort === 'price-asc'
        ? { min: { field: 'price' } }
        : sort === 'popular'
          ? { max: { field: 'stock' } }
          : sort === 'newest'
            ? { max: { field: 'firstSeen' } }
            : sort === 'float-asc'
              ? { min: { field: 'floatValue' } }
              : { max: { field: 'floatValue' } };
    if (cursor && (sort === 'price-desc' || sort === 'price-asc' || sort === 'popular')) {
      // The key is the same on every item of a name: the names after the cursor are a filter.
      const field = sort === 'popular' ? 'stock' : 'price';
      const op = desc ? 'lt' : 'gt';
      filter.push({
        bool: {
          should: [
            { range: { [field]: { [op]: cursor.n } } },
            {
              bool: {
                filter: [{ term: { [field]: cursor.n } }, { range: { marketHashName: { gt: cursor.m } } }],
              },
            },
          ],
          minimum_should_match: 1,
        },
      });
    }
    const perNameKey = sort === 'price-desc' || sort === 'price-asc' || sort === 'popular';
    body.aggs = {
      groups: {
        terms: {
          field: 'marketHashName',
          // Keyed per name: exactly the page. Per-item keys (float, newest): every name, ordered
          // and paged here (bounded by the names the site holds).
          size: perNameKey ? limit + 1 : 65_536,
          order: [{ sortKey: desc ? 'desc' : 'asc' }, { _key: 'asc' }],
        },
        aggs: {
          sortKey: metric,
          minPrice: { min: { field: 'price' } },
          maxPrice: { max: { field: 'price' } },
          icon: { top_hits: { size: 1, _source: ['iconUrl'] } },
        },
      },
    };
  }
  if (q.facets) body.aggs = { ...(body.aggs ?? {}), ...facetAggs(now) };
  return body;
}

interface Hit {
  _source: OpenSearchDoc;
  sort?: unknown[];
}

interface Bucket {
  key: string | number;
  key_as_string?: string;
  doc_count: number;
  [k: string]: unknown;
}

export interface OpenSearchSearchOptions {
  transport: OpenSearchTransport;
  /** The alias searches read. */
  alias: string;
  now?: () => number;
}

export class OpenSearchSearch implements SiteSearch {
  readonly #o: Required<OpenSearchSearchOptions>;
  constructor(options: OpenSearchSearchOptions) {
    this.#o = { now: () => Date.now(), ...options };
  }

  async search(q: SearchQuery): Promise<SearchPage> {
    checkQuery(q);
    const now = this.#o.now();
    const body = buildSearch(q, now);
    const res = await this.#o.transport.request({ method: 'POST', path: `/${this.#o.alias}/_search`, body });
    const r = res.body as {
      hits: { hits: Hit[] };
      aggregations?: Record<string, { buckets?: Bucket[]; doc_count?: number }>;
    };
    const sort = q.sort ?? 'price-desc';
    const limit = q.limit ?? DEFAULT_LIMIT;
    const page: SearchPage = q.group
      ? this.#groups(q, r.aggregations ?? {}, sort, limit)
      : this.#items(r.hits.hits, sort, limit, now);
    if (q.facets) page.facets = facetsOf(r.aggregations ?? {});
    return page;
  }

  #items(hits: Hit[], sort: SortName, limit: number, now: number): SearchPage {
    const more = hits.length > limit;
    const shown = hits.slice(0, limit);
    const last = shown[shown.length - 1]?._source;
    let next: string | null = null;
    if (more && last) {
      const n =
        sort === 'price-desc' || sort === 'price-asc'
          ? last.price
          : sort === 'popular'
            ? last.stock
            : sort === 'newest'
              ? last.firstSeen
              : last.floatValue;
      next = encodeCursor({ s: sort, g: false, n, m: last.marketHashName, a: last.assetId });
    }
    return { items: shown.map((h) => viewOf(h._source, now)), nextCursor: next, currency: 'USD' };
  }

  #groups(
    q: SearchQuery,
    aggs: Record<string, { buckets?: Bucket[] }>,
    sort: SortName,
    limit: number,
  ): SearchPage {
    let buckets = aggs.groups?.buckets ?? [];
    const keyOf = (b: Bucket) => (b.sortKey as { value: number | null } | undefined)?.value ?? null;
    const desc = sort === 'float-desc' || sort === 'newest';
    if (sort === 'float-asc' || sort === 'float-desc' || sort === 'newest') {
      // Missing keys last, then by name; then after the cursor.
      const k = (b: Bucket) => keyOf(b) ?? (desc ? -Infinity : Infinity);
      buckets = [...buckets].sort((a, b) => {
        const ka = k(a);
        const kb = k(b);
        const ma = !Number.isFinite(ka);
        const mb = !Number.isFinite(kb);
        if (ma !== mb) return ma ? 1 : -1;
        return (ka === kb ? 0 : desc ? kb - ka : ka - kb) || (String(a.key) < String(b.key) ? -1 : 1);
      });
      if (q.cursor) {
        const c = decodeCursor(q.cursor, sort, true);
        const ck = c.n ?? (desc ? -Infinity : Infinity);
        const i = buckets.findIndex((b) => {
          const kb = k(b);
          if (kb === ck) return String(b.key) > c.m;
          const mb = !Number.isFinite(kb);
          const mc = !Number.isFinite(ck);
          if (mb !== mc) return mb;
          return desc ? kb < ck : kb > ck;
        });
        buckets = i < 0 ? [] : buckets.slice(i);
      }
    }
    const more = buckets.length > limit;
    const shown = buckets.slice(0, limit);
    const items: GroupCard[] = shown.map((b) => ({
      marketHashName: String(b.key),
      count: b.doc_count,
      minPrice: (b.minPrice as { value: number }).value,
      maxPrice: (b.maxPrice as { value: number }).value,
      iconUrl:
        (b.icon as { hits: { hits: Array<{ _source: { iconUrl: string } }> } }).hits.hits[0]?._source
          .iconUrl ?? '',
    }));
    const last = shown[shown.length - 1];
    return {
      items,
      nextCursor:
        more && last ? encodeCursor({ s: sort, g: true, n: keyOf(last), m: String(last.key) }) : null,
      currency: 'USD',
    };
  }
}

function viewOf(d: OpenSearchDoc, now: number): SiteItem {
  const lock = d.tradableAfter ?? 0;
  return {
    assetId: d.assetId,
    marketHashName: d.marketHashName,
    name: d.name || d.marketHashName,
    price: d.price ?? 0,
    floatValue: d.floatValue,
    paintSeed: d.paintSeed,
    phase: d.phase,
    exterior: d.exterior,
    rarity: d.rarity,
    type: d.type,
    weapon: d.weaponName,
    statTrak: d.statTrak,
    souvenir: d.souvenir,
    stickers: d.stickers.map((name, slot) => ({ name, slot })),
    iconUrl: d.iconUrl,
    tradableAt: lock > now ? new Date(lock).toISOString() : null,
    tradeLockDays: lockDaysLeft(lock, now),
  };
}

function facetsOf(aggs: Record<string, { buckets?: Bucket[]; doc_count?: number }>): Facets {
  const counts = (name: string, label: (b: Bucket) => string = (b) => String(b.key_as_string ?? b.key)) => {
    const out: Record<string, number> = {};
    for (const b of aggs[name]?.buckets ?? []) out[label(b)] = b.doc_count;
    return out;
  };
  const total = Object.values(counts('type')).reduce((a, b) => a + b, 0);
  const locked = aggs.locked?.doc_count ?? 0;
  return {
    exterior: counts('exterior'),
    type: counts('type'),
    rarity: counts('rarity'),
    weapon: counts(
      'weapon',
      (b) =>
        (b.shown as { hits: { hits: Array<{ _source: { weaponName: string } }> } }).hits.hits[0]?._source
          .weaponName ?? String(b.key),
    ),
    phase: counts('phase'),
    statTrak: counts('statTrak'),
    souvenir: counts('souvenir'),
    tradable: { now: total - locked, locked },
  };
}

/**
 * Writes documents: a full reindex into a new index behind the alias (bulk requests of
 * `batchDocs`, at most `concurrency` in flight, a rejected bulk (429) retried after a growing
 * pause: the seed's reindex overloaded its data nodes), and the live changes.
 */
export class OpenSearchIndexer {
  readonly #t: OpenSearchTransport;
  readonly #alias: string;
  readonly #batchDocs: number;
  readonly #concurrency: number;
  constructor(opts: {
    transport: OpenSearchTransport;
    alias: string;
    batchDocs?: number;
    concurrency?: number;
  }) {
    this.#t = opts.transport;
    this.#alias = opts.alias;
    this.#batchDocs = opts.batchDocs ?? 2_000;
    this.#concurrency = opts.concurrency ?? 2;
  }

  /** Fills a new index from `pages` and points the alias at it; older indexes go. Returns its name. */
  async reindex(
    pages: AsyncIterable<IndexRow[]>,
    opts: {
      priceOf: (mhn: string, category: string) => number | null;
      stockOf: (mhn: string) => number;
      inactiveBots: ReadonlySet<number>;
    },
  ): Promise<string> {
    const index = `${this.#alias}-${Date.now().toString(36)}`;
    await this.#t.request({
      method: 'PUT',
      path: `/${index}`,
      body: {
        ...MAPPING,
        settings: { ...MAPPING.settings, index: { refresh_interval: '-1', number_of_replicas: 0 } },
      },
    });
    const inFlight = new Set<Promise<void>>();
    let batch: OpenSearchDoc[] = [];
    const flush = async () => {
      const docs = batch;
      batch = [];
      if (docs.length === 0) return;
      // Backpressure: no more than `concurrency` bulks in flight.
      while (inFlight.size >= this.#concurrency) await Promise.race(inFlight);
      const p = this.#bulk(
        index,
        docs.flatMap((d) => [{ index: { _id: d.assetId } }, d]),
      ).finally(() => inFlight.delete(p));
      inFlight.add(p);
    };
    for await (const rows of pages) {
      for (const r of rows) {
        batch.push(
          toDoc(
            r,
            opts.priceOf(r.marketHashName, r.category),
            opts.stockOf(r.marketHashName),
            !opts.inactiveBots.has(r.botId),
          ),
        );
        if (batch.length >= this.#batchDocs) await flush();
      }
    }
    await flush();
    await Promise.all(inFlight);
    await this.#t.request({
      method: 'PUT',
      path: `/${index}/_settings`,
      body: { index: { refresh_interval: '1s' } },
    });
    await this.#t.request({ method: 'POST', path: `/${index}/_refresh` });
    const current = await this.#t
      .request({ method: 'GET', path: `/_alias/${this.#alias}` })
      .then((r) => Object.keys(r.body as Record<string, unknown>))
      .catch(() => [] as string[]);
    await this.#t.request({
      method: 'POST',
      path: '/_aliases',
      body: {
        actions: [
          ...current.map((i) => ({ remove: { index: i, alias: this.#alias } })),
          { add: { index, alias: this.#alias } },
        ],
      },
    });
    for (const old of current) await this.#t.request({ method: 'DELETE', path: `/${old}` }).catch(() => {});
    return index;
  }

  async upsert(docs: OpenSearchDoc[]): Promise<void> {
    if (docs.length)
      await this.#bulk(
        this.#alias,
        docs.flatMap((d) => [{ index: { _id: d.assetId } }, d]),
        true,
      );
  }

  async remove(assetIds: string[]): Promise<void> {
    if (assetIds.length)
      await this.#bulk(
        this.#alias,
        assetIds.map((id) => ({ delete: { _id: id } })),
        true,
      );
  }

  /** Reserved until `untilMs` (hidden until then, or until released). Visible to searches at once (refresh). */
  async reserve(assetIds: string[], untilMs: number): Promise<void> {
    await this.#partial(assetIds, { reservedUntil: untilMs });
  }

  async release(assetIds: string[]): Promise<void> {
    await this.#partial(assetIds, { reservedUntil: null });
  }

  async #partial(assetIds: string[], doc: Partial<OpenSearchDoc>): Promise<void> {
    if (assetIds.length === 0) return;
    await this.#bulk(
      this.#alias,
      assetIds.flatMap((id) => [{ update: { _id: id } }, { doc }]),
      true,
    );
  }

  async #bulk(index: string, lines: unknown[], refresh = false): Promise<void> {
    const body = `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;
    for (let attempt = 0; ; attempt++) {
      const res = await this.#t.request(
        { method: 'POST', path: `/${index}/_bulk`, body, querystring: refresh ? { refresh: 'true' } : {} },
        { headers: { 'content-type': 'application/x-ndjson' } },
      );
      const r = res.body as {
        errors: boolean;
        items: Array<Record<string, { status: number; error?: unknown }>>;
      };
      if (!r.errors) return;
      const failed = r.items
        .map((i) => Object.values(i)[0]!)
        .filter((i) => i.status >= 300 && i.status !== 404);
      if (failed.length === 0) return;
      if (failed.every((i) => i.status === 429) && attempt < 8) {
        // Rejected under load: wait, growing, then send it again.
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
        continue;
      }
      throw new Error(`OpenSearch bulk failed: ${JSON.stringify(failed[0]?.error ?? failed[0])}`);
    }
  }
}
