// Names the rows behind a difference of row count, key set or content fingerprint: both sides
// bucket their rows by key hash (bucketsSql), only the buckets whose count or fingerprint differ are
// read row by row (bucketRowsSql), and the differing natural keys are listed in key order with the
// columns that differ. Reads O(rows / BUCKET_ROWS) bucket sums plus a few buckets' rows, never the
// whole partition.
import { TABLES, type TableName } from '../../lake/schema.ts';
import { bucketRowsSql, bucketsSql, type Engine, type Types } from './checksums.ts';

/** Runs SQL on one engine and returns its rows as text. */
export type RunText = (sql: string) => Promise<(string | null)[][]>;

export interface Side {
  engine: Engine;
  relation: string;
  run: RunText;
}

/** Rows per bucket aimed at: small enough to read a bucket whole, few enough buckets to compare. */
const BUCKET_ROWS = 1000;
const MAX_BUCKETS = 4096;
/** Differing buckets read row by row; more only repeat the message. */
const MAX_READ_BUCKETS = 8;

export interface RowDiffs {
  /** Readable lines, first differing natural keys first. */
  lines: string[];
  /** Natural keys (canonical key text) that differ, in key order, up to `limit`. */
  keys: string[];
}

const display = (type: string, v: string | null): string => {
  if (v === null || v === '\\N') return 'NULL';
  // VARCHAR canonical text is 'bytes:value'.
  return type === 'VARCHAR' ? v.slice(v.indexOf(':') + 1) : v;
};

export async function differingRows(table: TableName, pg: Side, lake: Side, rows: number, limit = 5, types: Types = {}): Promise<RowDiffs> {
  const buckets = Math.min(MAX_BUCKETS, Math.max(1, Math.ceil(rows / BUCKET_ROWS)));
  const sums = async (s: Side): Promise<Map<string, string>> =>
    new Map((await s.run(bucketsSql(s.engine, table, s.relation, buckets, types))).map((r) => [String(r[0]), `${r[1]}:${r[2]}`]));
  const [a, b] = await Promise.all([sums(pg), sums(lake)]);
  const differing = [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).map(Number).sort((x, y) => x - y);
  if (differing.length === 0) return { lines: [], keys: [] };
  const read = differing.slice(0, MAX_READ_BUCKETS);

  const byKey = async (s: Side): Promise<Map<string, string[][]>> => {
    const out = new Map<string, string[][]>();
    for (const r of await s.run(bucketRowsSql(s.engine, table, s.relation, buckets, read, types))) {
      const k = String(r[0]);
      out.set(k, [...(out.get(k) ?? []), r.slice(1).map((v) => (v === null ? '\\N' : String(v)))]);
    }
    return out;
  };
  const [pr, lr] = await Promise.all([byKey(pg), byKey(lake)]);
  const cols = TABLES[table].columns;
  const keyName = TABLES[table].naturalKey.join('|');
  const lines: string[] = [];
  const keys: string[] = [];
  const all = [...new Set([...pr.keys(), ...lr.keys()])].sort();
  for (const k of all) {
    // Rows equal on both sides cancel (a key may hold several rows, e.g. one per model version).
    const p = [...(pr.get(k) ?? [])], l = [...(lr.get(k) ?? [])];
    for (let i = p.length - 1; i >= 0; i--) {
      const j = l.findIndex((r) => r.join('|') === p[i]!.join('|'));
      if (j >= 0) { p.splice(i, 1); l.splice(j, 1); }
    }
    if (p.length === 0 && l.length === 0) continue;
    keys.push(k);
    if (keys.length > limit) continue;
    let what: string;
    if (l.length === 0) what = p.length === 1 ? 'only in PostgreSQL' : `${p.length} more row(s) in PostgreSQL`;
    else if (p.length === 0) what = l.length === 1 ? 'only in the lake' : `${l.length} more row(s) in the lake`;
    else if (p.length !== l.length) what = `${p.length} row(s) in PostgreSQL, ${l.length} in the lake differ`;
    else {
      const pv = p[0]!, lv = l[0]!;
      what = cols
        .map((c, i) => (pv[i] === lv[i] ? null : `${c.name} postgres ${display(c.type, pv[i]!)}, lake ${display(c.type, lv[i]!)}`))
        .filter((x): x is string => x !== null)
        .join('; ');
    }
    lines.push(`row ${keyName} = ${k}: ${what}`);
  }
  const more = keys.length - Math.min(keys.length, limit);
  if (more > 0 || differing.length > read.length) {
    lines.push(`... ${more > 0 ? `${more} more differing key(s) in the buckets read` : 'more'}${differing.length > read.length ? `; ${differing.length - read.length} more bucket(s) of ${buckets} differ` : ''}`);
  }
  return { lines, keys: keys.slice(0, limit) };
}
