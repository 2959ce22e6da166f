// The aggregates validate compares, written once and rendered for both engines so PostgreSQL and
// DuckDB compute them identically. Every value leaves the engine as text, formatted the same way:
//   count(*); per column: NULL count, and
//     DECIMAL/INTEGER/BIGINT: exact sum, min, max (text of the exact decimal, fixed scale)
//     DOUBLE: sum (compared with a relative tolerance: float sums depend on order), min, max (exact)
//     DATE: min, max as YYYY-MM-DD;  TIMESTAMP(TZ): min, max as epoch microseconds
//     VARCHAR: min, max (byte order: COLLATE "C" in PostgreSQL) and a hash of the values
//   natural key hash: sum over rows of the first 60 bits of md5(key text), an order-independent
//   digest. Key text joins the parts with '|': dates YYYY-MM-DD, decimals at their fixed scale,
//   timestamps as epoch microseconds, NULL as \N. Sums are exact (numeric / HUGEINT), no overflow.
//   content fingerprint: the same order-independent sum over the 60-bit md5 of each row's canonical
//   text (canonicalSql), so a swap of two values between rows, an offsetting pair of changes or one
//   moved timestamp changes it although every per-column aggregate stays equal.
import { TABLES, type TableName } from '../../lake/schema.ts';

export type Engine = 'pg' | 'duck';

export interface Metric {
  /** 'rows', 'bid.sum', 'key.hash', ... */
  name: string;
  /** Column the metric is about, null for whole-row metrics. */
  column: string | null;
  kind: 'exact' | 'float-sum' | 'float';
}

const q = (name: string): string => `"${name}"`;
const text = (e: Engine, expr: string): string => (e === 'pg' ? `(${expr})::text` : `CAST(${expr} AS VARCHAR)`);
const epochUs = (e: Engine, expr: string): string =>
  e === 'pg' ? `(extract(epoch FROM ${expr}) * 1000000)::bigint` : `epoch_us(${expr})`;
export const hash60 = (e: Engine, expr: string): string =>
  e === 'pg' ? `('x' || substr(md5(${expr}), 1, 15))::bit(60)::bigint` : `CAST('0x' || substr(md5(${expr}), 1, 15) AS BIGINT)`;

function kindOfType(type: string): 'exact' | 'double' | 'date' | 'timestamp' | 'text' {
  if (type.startsWith('DECIMAL') || type === 'INTEGER' || type === 'BIGINT') return 'exact';
  if (type === 'DOUBLE') return 'double';
  if (type === 'DATE') return 'date';
  if (type.startsWith('TIMESTAMP')) return 'timestamp';
  return 'text';
}

/**
 * A column's canonical text, the one definition both engines render (tested value for value):
 *   NULL                 \N (no other canonical text has this form: see VARCHAR)
 *   DECIMAL(p,s)         the exact decimal at scale s ('0.50', '-12.3400'), cast to (p,s) first so
 *                        an untyped PostgreSQL numeric from a cleaning expression prints alike
 *   INTEGER, BIGINT      decimal digits
 *   DOUBLE               17 significant digits, d.dddddddddddddddde+XX: correctly rounded, so unique
 *                        per double (shortest-repr text differs between the engines above 1e15)
 *   DATE                 YYYY-MM-DD
 *   TIMESTAMP(TZ)        epoch microseconds (UTC instant; wall time as if UTC without a zone)
 *   VARCHAR              byte length ':' value, so a '|' or '\N' inside a value cannot fake a join
 * Non-finite doubles (NaN, Infinity) print differently per engine; the legacy schema holds none.
 */
export function canonicalSql(e: Engine, type: string, expr: string): string {
  let v: string;
  const dec = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(type);
  if (dec) v = e === 'pg' ? `(${expr})::numeric(${dec[1]},${dec[2]})::text` : `CAST(CAST(${expr} AS DECIMAL(${dec[1]},${dec[2]})) AS VARCHAR)`;
  else {
    switch (kindOfType(type)) {
      case 'exact':
      case 'date':
        v = text(e, expr);
        break;
      case 'double':
        v = e === 'pg' ? `btrim(to_char(${expr}, '9.9999999999999999EEEE'))` : `printf('%.16e', ${expr})`;
        break;
      case 'timestamp':
        v = text(e, epochUs(e, expr));
        break;
      case 'text':
        v = e === 'pg' ? `(octet_length(${expr})::text || ':' || ${expr})` : `(CAST(strlen(${expr}) AS VARCHAR) || ':' || ${expr})`;
        break;
    }
  }
  return `coalesce(${v}, '\\N')`;
}

/** Every column of a row in canonical text, joined by '|' in schema order. */
export function rowTextSql(e: Engine, table: TableName, types: Types = {}): string {
  return TABLES[table].columns.map((c) => canonicalSql(e, typeOf(table, c.name, types), q(c.name))).join(` || '|' || `);
}

/**
 * Lake types of columns that differ from schema.ts in this comparison (the source's mapping,
 * catalog.ts); every function below takes it so both sides render the same types.
 */
export type Types = Record<string, string>;

const typeOf = (table: TableName, column: string, types: Types): string =>
  types[column] ?? TABLES[table].columns.find((c) => c.name === column)!.type;

/** A column's value as key text, formatted identically by both engines. */
function keyPart(e: Engine, table: TableName, column: string, types: Types): string {
  const type = typeOf(table, column, types);
  const k = kindOfType(type);
  const v = k === 'timestamp' ? text(e, epochUs(e, q(column))) : text(e, q(column));
  return `coalesce(${v}, '\\N')`;
}

export function keyTextSql(e: Engine, table: TableName, types: Types = {}): string {
  return TABLES[table].naturalKey.map((c) => keyPart(e, table, c, types)).join(` || '|' || `);
}

/** SELECT of every metric over `relation` (which has the lake table's columns), and their names. */
export function metricsSql(e: Engine, table: TableName, relation: string, types: Types = {}): { sql: string; metrics: Metric[] } {
  const metrics: Metric[] = [];
  const exprs: string[] = [];
  const add = (name: string, column: string | null, kind: Metric['kind'], expr: string) => {
    metrics.push({ name, column, kind });
    exprs.push(`${text(e, expr)} AS m${exprs.length}`);
  };
  add('rows', null, 'exact', 'count(*)');
  add('key.hash', null, 'exact', `sum(${hash60(e, keyTextSql(e, table, types))})`);
  add('row.hash', null, 'exact', `sum(${hash60(e, rowTextSql(e, table, types))})`);
  for (const c of TABLES[table].columns) {
    const col = q(c.name);
    add(`${c.name}.nulls`, c.name, 'exact', `count(*) - count(${col})`);
    switch (kindOfType(typeOf(table, c.name, types))) {
      case 'exact':
        add(`${c.name}.sum`, c.name, 'exact', `sum(${col})`);
        add(`${c.name}.min`, c.name, 'exact', `min(${col})`);
        add(`${c.name}.max`, c.name, 'exact', `max(${col})`);
        break;
      case 'double':
        add(`${c.name}.sum`, c.name, 'float-sum', `sum(${col})`);
        add(`${c.name}.min`, c.name, 'float', `min(${col})`);
        add(`${c.name}.max`, c.name, 'float', `max(${col})`);
        break;
      case 'date':
        add(`${c.name}.min`, c.name, 'exact', `min(${col})`);
        add(`${c.name}.max`, c.name, 'exact', `max(${col})`);
        break;
      case 'timestamp':
        add(`${c.name}.min`, c.name, 'exact', epochUs(e, `min(${col})`));
        add(`${c.name}.max`, c.name, 'exact', epochUs(e, `max(${col})`));
        break;
      case 'text': {
        const coll = e === 'pg' ? ' COLLATE "C"' : '';
        add(`${c.name}.min`, c.name, 'exact', `min(${col}${coll})`);
        add(`${c.name}.max`, c.name, 'exact', `max(${col}${coll})`);
        add(`${c.name}.hash`, c.name, 'exact', `sum(${hash60(e, col)})`);
        break;
      }
    }
  }
  return { sql: `SELECT ${exprs.join(', ')} FROM (${relation}) AS rel`, metrics };
}

/**
 * Where two sides disagree, rows are bucketed by their key hash (order-independent, the same in both
 * engines): per bucket the row count and content fingerprint, so only differing buckets are read row
 * by row.
 */
export function bucketsSql(e: Engine, table: TableName, relation: string, buckets: number, types: Types = {}): string {
  return `SELECT ${text(e, 'b')}, ${text(e, 'count(*)')}, ${text(e, 'sum(h)')}
    FROM (SELECT ${hash60(e, keyTextSql(e, table, types))} % ${buckets} AS b, ${hash60(e, rowTextSql(e, table, types))} AS h FROM (${relation}) AS rel) AS x
    GROUP BY b`;
}

/** Key text and every column's canonical text of the rows in the given buckets. */
export function bucketRowsSql(e: Engine, table: TableName, relation: string, buckets: number, which: number[], types: Types = {}): string {
  const cols = TABLES[table].columns.map((c, i) => `${canonicalSql(e, typeOf(table, c.name, types), q(c.name))} AS c${i}`).join(', ');
  return `SELECT k, ${TABLES[table].columns.map((_, i) => `c${i}`).join(', ')}
    FROM (SELECT ${keyTextSql(e, table, types)} AS k, ${cols} FROM (${relation}) AS rel) AS x
    WHERE ${hash60(e, 'k')} % ${buckets} IN (${which.join(', ')})`;
}

/** Exact decimals may differ only in trailing zeros of the fraction. */
export function normalizeExact(v: string | null): string | null {
  if (v === null) return null;
  return /^-?\d+\.\d*$/.test(v) ? v.replace(/0+$/, '').replace(/\.$/, '') : v;
}

export function sameValue(kind: Metric['kind'], a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  if (kind === 'exact') return normalizeExact(a) === normalizeExact(b);
  const x = Number(a), y = Number(b);
  if (kind === 'float') return x === y;
  return x === y || Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
}
