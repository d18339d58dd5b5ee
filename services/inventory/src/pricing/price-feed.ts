/**
 * Parsing and row-by-row validation of a price feed, pure. A feed is JSON (an array of rows, or
 * `{ "items": [...] }`) or CSV with a header; each row names a `market_hash_name` and a `price`
 * in minor units (a positive whole number of cents). A bad row is reported with its reason and
 * never stored (never as zero); the good rows still count.
 */
export interface FeedRow {
  marketHashName: string;
  price: bigint;
}

export interface RejectedRow {
  /** 1-based row number in the feed (CSV: the header is row 0). */
  row: number;
  reason: string;
  marketHashName?: string;
}

export interface ParsedFeed {
  format: 'json' | 'csv';
  rows: FeedRow[];
  rejected: RejectedRow[];
  total: number;
}

const MAX_PRICE = 100_000_000_00n; // a hundred million dollars: anything above is a unit mistake

function validate(row: number, name: unknown, price: unknown, seen: Set<string>): FeedRow | RejectedRow {
  if (typeof name !== 'string' || name.trim() === '') return { row, reason: 'market_hash_name is missing' };
  const n = name.trim();
  if (n.length > 255) return { row, reason: 'market_hash_name is longer than 255 characters' };
  let cents: bigint;
  if (typeof price === 'number' && Number.isSafeInteger(price)) cents = BigInt(price);
  else if (typeof price === 'string' && /^\d{1,15}$/.test(price.trim())) cents = BigInt(price.trim());
  else
    return {
      row,
      reason: `price ${JSON.stringify(price)} is not a whole number of cents`,
      marketHashName: n,
    };
  if (cents <= 0n) return { row, reason: 'price must be above zero', marketHashName: n };
  if (cents > MAX_PRICE) return { row, reason: 'price is implausibly high', marketHashName: n };
  if (seen.has(n)) return { row, reason: 'duplicate market_hash_name', marketHashName: n };
  seen.add(n);
  return { marketHashName: n, price: cents };
}

function collect(
  format: 'json' | 'csv',
  raw: Array<{ row: number; name: unknown; price: unknown }>,
): ParsedFeed {
  const rows: FeedRow[] = [];
  const rejected: RejectedRow[] = [];
  const seen = new Set<string>();
  for (const r of raw) {
    const v = validate(r.row, r.name, r.price, seen);
    if ('reason' in v) rejected.push(v);
    else rows.push(v);
  }
  return { format, rows, rejected, total: raw.length };
}

export function parseJsonFeed(text: string): ParsedFeed {
  const body = JSON.parse(text) as unknown;
  const list = Array.isArray(body) ? body : (body as { items?: unknown } | null)?.items;
  if (!Array.isArray(list)) throw new Error('a JSON feed must be an array of rows or { "items": [...] }');
  return collect(
    'json',
    list.map((item: unknown, i) => {
      const o = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
      return { row: i + 1, name: o.market_hash_name, price: o.price };
    }),
  );
}

/** RFC 4180 fields: quoted fields may hold commas, quotes ("") and newlines. */
export function parseCsvRecords(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records.filter((r) => !(r.length === 1 && r[0] === ''));
}

export function parseCsvFeed(text: string): ParsedFeed {
  const [header, ...records] = parseCsvRecords(text);
  if (!header) throw new Error('the CSV feed is empty');
  const nameAt = header.indexOf('market_hash_name');
  const priceAt = header.indexOf('price');
  if (nameAt < 0 || priceAt < 0) throw new Error('the CSV header must name market_hash_name and price');
  return collect(
    'csv',
    records.map((r, i) => ({ row: i + 1, name: r[nameAt], price: r[priceAt] })),
  );
}

/** `auto` picks by content type, then by the first character. */
export function parseFeed(raw: string, format: 'auto' | 'json' | 'csv', contentType = ''): ParsedFeed {
  // A UTF-8 byte order mark (spreadsheet exports) would hide the CSV header and break JSON.parse.
  const text = raw.startsWith('\uFEFF') ? raw.slice(1) : raw;
  const f =
    format !== 'auto' ? format : contentType.includes('json') || /^\s*[[{]/.test(text) ? 'json' : 'csv';
  return f === 'json' ? parseJsonFeed(text) : parseCsvFeed(text);
}
