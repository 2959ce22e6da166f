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
const hash60 = (e: Engine, expr: string): string =>
  e === 'pg' ? `('x' || substr(md5(${expr}), 1, 15))::bit(60)::bigint` : `CAST('0x' || substr(md5(${expr}), 1, 15) AS BIGINT)`;

function kindOfType(type: string): 'exact' | 'double' | 'date' | 'timestamp' | 'text' {
  if (type.startsWith('DECIMAL') || type === 'INTEGER' || type === 'BIGINT') return 'exact';
  if (type === 'DOUBLE') return 'double';
  if (type === 'DATE') return 'date';
  if (type.startsWith('TIMESTAMP')) return 'timestamp';
  return 'text';
}

/** A column's value as key text, formatted identically by both engines. */
function keyPart(e: Engine, table: TableName, column: string): string {
  const type = TABLES[table].columns.find((c) => c.name === column)!.type;
  const k = kindOfType(type);
  const v = k === 'timestamp' ? text(e, epochUs(e, q(column))) : text(e, q(column));
  return `coalesce(${v}, '\\N')`;
}

export function keyTextSql(e: Engine, table: TableName): string {
  return TABLES[table].naturalKey.map((c) => keyPart(e, table, c)).join(` || '|' || `);
}

/** SELECT of every metric over `relation` (which has the lake table's columns), and their names. */
export function metricsSql(e: Engine, table: TableName, relation: string): { sql: string; metrics: Metric[] } {
  const metrics: Metric[] = [];
  const exprs: string[] = [];
  const add = (name: string, column: string | null, kind: Metric['kind'], expr: string) => {
    metrics.push({ name, column, kind });
    exprs.push(`${text(e, expr)} AS m${exprs.length}`);
  };
  add('rows', null, 'exact', 'count(*)');
  add('key.hash', null, 'exact', `sum(${hash60(e, keyTextSql(e, table))})`);
  for (const c of TABLES[table].columns) {
    const col = q(c.name);
    add(`${c.name}.nulls`, c.name, 'exact', `count(*) - count(${col})`);
    switch (kindOfType(c.type)) {
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
