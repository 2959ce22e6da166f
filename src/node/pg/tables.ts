// Which legacy PostgreSQL table feeds which lake table, how its columns read as the lake's, and the
// partitions (months, years, or one) a table is exported and validated in.
import { LEGACY_TABLE_NAMES, OPTIONAL_LEGACY_TABLES, TABLES, type LegacyTableName, type TableName } from '../../lake/schema.ts';
import type { PgClient } from './client.ts';

export const PG_TABLE: Record<LegacyTableName, string> = {
  options: 'options_chain',
  volatility: 'volatility_history',
  atm_features: 'atm_features',
  em_labels: 'em_labels',
  em_forecasts: 'em_forecasts',
  symbols_metadata: 'symbols_metadata',
  model_meta: 'model_meta',
  model_performance: 'model_performance',
  earnings: 'earnings_calendar',
};

/** PostgreSQL expression giving a lake column's value. jsonb travels as its text. */
export function pgColumnExpr(table: LegacyTableName, column: string): string {
  const def = TABLES[table].columns.find((c) => c.name === column);
  if (def?.pg === 'jsonb') return `"${column}"::text`;
  return `"${column}"`;
}

export const pgSelectList = (table: LegacyTableName): string =>
  TABLES[table].columns.map((c) => `${pgColumnExpr(table, c.name)} AS "${c.name}"`).join(', ');

/** One unit of export and validation. */
export interface Partition {
  table: LegacyTableName;
  /** 'options/2025-07', 'volatility/2025', 'atm_features' */
  key: string;
  year?: number;
  month?: number;
  /** Inclusive start, exclusive end, ISO dates; absent for single-file tables. */
  from?: string;
  to?: string;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

export function monthPartition(year: number, month: number): Partition {
  const next = month === 12 ? `${year + 1}-01-01` : `${year}-${pad2(month + 1)}-01`;
  return { table: 'options', key: `options/${year}-${pad2(month)}`, year, month, from: `${year}-${pad2(month)}-01`, to: next };
}

export function yearPartition(year: number): Partition {
  return { table: 'volatility', key: `volatility/${year}`, year, from: `${year}-01-01`, to: `${year + 1}-01-01` };
}

/** The lake partition a manifest file belongs to. */
export function partitionOfFile(table: LegacyTableName, part: Record<string, string>): Partition {
  const layout = TABLES[table].layout;
  if (layout === 'monthly') return monthPartition(Number(part.year), Number(part.month));
  if (layout === 'yearly') return yearPartition(Number(part.year));
  return { table, key: table };
}

/** The optional legacy tables (schema.ts OPTIONAL_LEGACY_TABLES) this source has. */
export async function presentOptionalTables(client: PgClient): Promise<Set<LegacyTableName>> {
  const { rows } = await client.query<{ t: string }>(
    `SELECT c.relname AS t FROM pg_class c
     WHERE c.relname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm') AND c.relnamespace = to_regnamespace(current_schema())::oid`,
    [OPTIONAL_LEGACY_TABLES.map((t) => PG_TABLE[t])],
  );
  const names = new Set(rows.map((r) => r.t));
  return new Set(OPTIONAL_LEGACY_TABLES.filter((t) => names.has(PG_TABLE[t])));
}

/**
 * Every partition the PostgreSQL source has rows for, from min/max of its date column. An optional
 * table the source lacks has no partition: the lake then has none of its rows.
 */
export async function sourcePartitions(client: PgClient): Promise<Partition[]> {
  const out: Partition[] = [];
  const present = await presentOptionalTables(client);
  for (const table of LEGACY_TABLE_NAMES) {
    if (OPTIONAL_LEGACY_TABLES.includes(table) && !present.has(table)) continue;
    const layout = TABLES[table].layout;
    if (layout === 'single') {
      out.push({ table, key: table });
      continue;
    }
    const { rows } = await client.query<{ lo: string | null; hi: string | null }>(
      `SELECT min(date)::text AS lo, max(date)::text AS hi FROM ${PG_TABLE[table]}`,
    );
    const lo = rows[0]?.lo, hi = rows[0]?.hi;
    if (!lo || !hi) continue;
    let y = Number(lo.slice(0, 4)), m = Number(lo.slice(5, 7));
    const hy = Number(hi.slice(0, 4)), hm = Number(hi.slice(5, 7));
    if (layout === 'yearly') {
      for (; y <= hy; y++) out.push(yearPartition(y));
      continue;
    }
    while (y < hy || (y === hy && m <= hm)) {
      out.push(monthPartition(y, m));
      m += 1;
      if (m === 13) { m = 1; y += 1; }
    }
  }
  return out;
}

/** Rows of the partition in PostgreSQL as stored (no cleaning): the export's source. */
export function sourceSelectSql(p: Partition, columns: string): string {
  const range = p.from && p.to ? ` WHERE date >= DATE '${p.from}' AND date < DATE '${p.to}'` : '';
  return `SELECT ${columns} FROM ${PG_TABLE[p.table]}${range}`;
}
