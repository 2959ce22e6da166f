// The legacy columns' real types, read from PostgreSQL's catalog, and the one mapping from each to a
// lake type that export writes and validate checks. A legacy database written independently of this
// project may store what schema.ts calls DOUBLE as numeric(p,s), or a timestamptz as a timestamp
// without time zone; assuming the schema's types would silently round the one and shift the other.
//
// Mapping, by the lake column's type in schema.ts (anything not listed is refused, naming the column):
//   DECIMAL(p,s)  numeric(p2,s2) whose values fit exactly (s2 <= s, p2 - s2 <= p - s), or an integer
//                 type that fits; the lake keeps DECIMAL(p,s)
//   DOUBLE        double precision; real (exact widening); numeric(p,s) with p <= 38 stays an exact
//                 DECIMAL(p,s) in the lake (the file's type then follows the source, recorded in the
//                 manifest's columnTypes); numeric without a scale is refused (no exact lake type)
//   INTEGER       integer, smallint          BIGINT   bigint, integer, smallint
//   DATE          date
//   TIMESTAMPTZ   timestamp with time zone; timestamp without time zone with --source-time-zone Z
//                 (read as wall time in Z, stored as the instant); without the flag it stays a
//                 TIMESTAMP in the lake (wall time, no zone invented)
//   TIMESTAMP     timestamp without time zone; timestamp with time zone stays TIMESTAMPTZ
//   VARCHAR       character varying, character, text; json and jsonb as their text
import { LEGACY_TABLE_NAMES, TABLES, quoteString, type LegacyTableName } from '../../lake/schema.ts';
import { EXIT } from '../exit-codes.ts';
import { ToolError } from '../usage-error.ts';
import type { PgClient } from './client.ts';
import { PG_TABLE } from './tables.ts';

export interface SourceColumn {
  name: string;
  /** format_type() of the legacy column, e.g. 'numeric(12,4)'. */
  source: string;
  /** DuckDB type of the column in the lake file. */
  lakeType: string;
  /** PostgreSQL expression giving the lake value. */
  pgExpr: string;
}

export type SourceMapping = Record<LegacyTableName, SourceColumn[]>;

export interface MappingOptions {
  /** IANA zone of `timestamp without time zone` columns the lake holds as TIMESTAMPTZ. */
  sourceTimeZone?: string;
}

const qi = (n: string): string => `"${n.replaceAll('"', '""')}"`;
const DECIMAL = /^DECIMAL\((\d+),\s*(\d+)\)$/;
const NUMERIC = /^numeric\((\d+),(\d+)\)$/;
const INT_DIGITS: Record<string, number> = { smallint: 5, integer: 10, bigint: 19 };

/** The lake type and expression of one column, or why there is none. */
export function mapColumn(
  table: LegacyTableName, name: string, source: string, opts: MappingOptions = {},
): SourceColumn | string {
  const def = TABLES[table].columns.find((c) => c.name === name)!;
  const target = def.type;
  const col = qi(name);
  const ok = (lakeType: string, pgExpr = col): SourceColumn => ({ name, source, lakeType, pgExpr });
  const num = NUMERIC.exec(source);
  const dec = DECIMAL.exec(target);
  if (dec) {
    const [p, s] = [Number(dec[1]), Number(dec[2])];
    if (num && Number(num[2]) <= s && Number(num[1]) - Number(num[2]) <= p - s) return ok(target);
    if (INT_DIGITS[source] !== undefined && INT_DIGITS[source]! <= p - s) return ok(target);
  } else if (target === 'DOUBLE') {
    if (source === 'double precision' || source === 'real') return ok('DOUBLE');
    if (num && Number(num[1]) <= 38) return ok(`DECIMAL(${num[1]},${num[2]})`);
    if (source === 'numeric') return `${source} has no declared precision and scale, so no exact lake type (ALTER it to numeric(p,s), or cast it in a view)`;
  } else if (target === 'INTEGER') {
    if (source === 'integer' || source === 'smallint') return ok('INTEGER');
  } else if (target === 'BIGINT') {
    if (INT_DIGITS[source] !== undefined) return ok('BIGINT');
  } else if (target === 'DATE') {
    if (source === 'date') return ok('DATE');
  } else if (target === 'TIMESTAMPTZ' || target === 'TIMESTAMP') {
    if (source === 'timestamp with time zone') return ok('TIMESTAMPTZ');
    if (source === 'timestamp without time zone') {
      if (target === 'TIMESTAMPTZ' && opts.sourceTimeZone) return ok('TIMESTAMPTZ', `(${col} AT TIME ZONE ${quoteString(opts.sourceTimeZone)})`);
      return ok('TIMESTAMP');
    }
  } else if (target === 'VARCHAR') {
    if (/^(character varying|character|text)(\(\d+\))?$/.test(source)) return ok('VARCHAR');
    if (source === 'json' || source === 'jsonb') return ok('VARCHAR', `${col}::text`);
  }
  return `${source} has no known mapping to the lake's ${target}`;
}

/** format_type() of every column of the legacy tables, by table and column. */
async function readCatalog(client: PgClient): Promise<Map<string, Map<string, string>>> {
  const { rows } = await client.query<{ t: string; c: string; type: string }>(
    `SELECT c.relname AS t, a.attname AS c, format_type(a.atttypid, a.atttypmod) AS type
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
     WHERE c.relname = ANY($1) AND c.relnamespace = to_regnamespace(current_schema())::oid
       AND a.attnum > 0 AND NOT a.attisdropped`,
    [Object.values(PG_TABLE)],
  );
  const out = new Map<string, Map<string, string>>();
  for (const r of rows) out.set(r.t, (out.get(r.t) ?? new Map()).set(r.c, r.type));
  return out;
}

/**
 * Every lake column of every legacy table mapped from its catalog type. Refuses (ToolError listing
 * every column at fault) when a column is missing or has no known mapping, or the zone is unknown.
 */
export async function sourceMapping(client: PgClient, opts: MappingOptions = {}): Promise<SourceMapping> {
  if (opts.sourceTimeZone !== undefined) {
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM pg_timezone_names WHERE name = $1', [opts.sourceTimeZone]);
    if (Number(rows[0]?.n ?? 0) === 0) throw new ToolError(`--source-time-zone ${opts.sourceTimeZone}: PostgreSQL knows no such time zone (e.g. America/New_York)`, EXIT.REJECTED);
  }
  const catalog = await readCatalog(client);
  const problems: string[] = [];
  const mapping = {} as SourceMapping;
  for (const table of LEGACY_TABLE_NAMES) {
    const pgName = PG_TABLE[table];
    const cols = catalog.get(pgName);
    mapping[table] = [];
    if (!cols) {
      problems.push(`${pgName}: table not found in schema ${'current_schema()'}`);
      continue;
    }
    for (const c of TABLES[table].columns) {
      const source = cols.get(c.name);
      if (source === undefined) {
        problems.push(`${pgName}.${c.name}: column missing`);
        continue;
      }
      const m = mapColumn(table, c.name, source, opts);
      if (typeof m === 'string') problems.push(`${pgName}.${c.name}: ${m}`);
      else mapping[table].push(m);
    }
  }
  if (problems.length > 0) throw new ToolError(`the legacy schema cannot be exported as it is:\n  ${problems.join('\n  ')}`, EXIT.REJECTED);
  return mapping;
}

/** Lake types that differ from schema.ts: what the manifest records as the file's columnTypes. */
export function typeOverrides(table: LegacyTableName, mapping: SourceMapping): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of mapping[table]) {
    if (m.lakeType !== TABLES[table].columns.find((c) => c.name === m.name)!.type) out[m.name] = m.lakeType;
  }
  return out;
}

export const mappedSelectList = (table: LegacyTableName, mapping: SourceMapping): string =>
  mapping[table].map((m) => `${m.pgExpr} AS ${qi(m.name)}`).join(', ');
