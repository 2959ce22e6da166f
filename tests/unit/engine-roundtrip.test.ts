// Parquet round trip between the two engines: native DuckDB (@duckdb/node-api, the writer the lake
// tools use) writes every lake column type, plus edge values, under each codec; the self-built
// parquet extension in DuckDB-WASM must read back exactly what the writer had in memory. Values are
// compared as canonical text computed by the same SQL in both engines, row by row and column by
// column, and a planted-difference control proves the comparison can fail.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuck, type DuckSession } from '../../src/node/duck.ts';
import { EXTENSION } from '../../src/engine/extension.ts';
import { openWasmSession } from '../../src/node/engines/wasm.ts';
import { TABLES, quoteIdent, quoteString } from '../../src/lake/schema.ts';
import { columnsToRows } from '../../src/lake/result.ts';

/** Rows generated with range(); the hand-written edge rows and one all-NULL row come on top. */
const GENERATED = 6_000;
/**
 * DuckDB's writer closes a row group only between 2048-row vectors, so a smaller ROW_GROUP_SIZE
 * still gives 2048-row groups: this is the smallest that takes effect (three groups here).
 */
const SMALL_ROW_GROUP = 2048;

// ---------------------------------------------------------------------------------------------
// The source table: one column per type, each with a deterministic generator over `i`, edge
// literals, and the canonical text both engines compute for it.

interface Spec {
  name: string;
  type: string;
  /** SQL over the BIGINT `i`; cast to `type` when the table is built. */
  gen: string;
  /** SQL literals, one edge row per literal (columns with fewer edges cycle through theirs). */
  edges: string[];
  /** Canonical VARCHAR expressions over `$` (the column); default CAST($ AS VARCHAR). */
  canon?: string[];
}

/** An unambiguous text form of a VARCHAR: NULL stays NULL, otherwise length-prefixed. */
const strCanon = (x: string): string => `CASE WHEN ${x} IS NULL THEN '∅' ELSE length(${x}) || ':' || ${x} END`;

/**
 * Generated DECIMAL(w,s) values: a Weyl sequence over the whole unscaled range (step: the fraction
 * of sqrt(prime), a different prime per column so the columns are not correlated), so values spread
 * over negatives, positives and every magnitude; the edges hold the extremes.
 */
function decimalSpec(width: number, scale: number, prime: number): Spec {
  const max = 10n ** BigInt(width) - 1n;
  const genMax = width > 34 ? 10n ** 34n - 1n : max; // keeps i * step inside HUGEINT
  const modulus = 2n * genMax + 1n;
  const step = (modulus * BigInt(Math.round((Math.sqrt(prime) % 1) * 1e12))) / 1_000_000_000_000n;
  const unit = scale === 0 ? '1' : `0.${'0'.repeat(scale - 1)}1`;
  const maxText = scale === 0 ? max.toString() : `${'9'.repeat(width - scale)}.${'9'.repeat(scale)}`.replace(/^\./, '0.');
  const type = `DECIMAL(${width},${scale})`;
  return {
    name: `d${width}_${scale}`,
    type,
    gen: `CAST(((i::HUGEINT * ${step}) % ${modulus}) - ${genMax} AS DECIMAL(38,0)) * CAST('${unit}' AS DECIMAL(${scale + 1},${scale}))`,
    edges: [maxText, `-${maxText}`, '0', unit, `-${unit}`, '1', '-1'].map((v) => `'${v}'`),
  };
}

const DECIMALS: [number, number][] = [
  [4, 2],
  [5, 2],
  [6, 4],
  [8, 2],
  [8, 6],
  [10, 2],
  [18, 4],
  [18, 6],
  [38, 10],
];

const SPECS: Spec[] = [
  ...DECIMALS.map(([w, s], k) => decimalSpec(w, s, [2, 3, 5, 7, 11, 13, 17, 19, 23][k]!)),
  {
    name: 'i32',
    type: 'INTEGER',
    gen: '((i * 2654435761) % 4294967296) - 2147483648',
    edges: ['2147483647', '-2147483648', '0', '-1', '1'],
  },
  {
    name: 'i64',
    type: 'BIGINT',
    gen: '((i::HUGEINT * 11400714819323198485) % 18446744073709551616) - 9223372036854775808',
    edges: ['9223372036854775807', '-9223372036854775808', '0', '-1'],
  },
  {
    name: 'dbl',
    type: 'DOUBLE',
    gen: 'sin(i::DOUBLE) * pow(10, (i % 41) - 20)',
    edges: [
      "'nan'",
      "'inf'",
      "'-inf'",
      "'-0.0'",
      '0',
      '1.7976931348623157e308',
      '-1.7976931348623157e308',
      '5e-324',
      '2.2250738585072014e-308',
      '0.1',
      '9007199254740993',
    ],
  },
  {
    name: 'b',
    type: 'BOOLEAN',
    gen: 'i % 3 = 0',
    edges: ['true', 'false'],
  },
  {
    name: 'dt',
    type: 'DATE',
    gen: "DATE '1970-01-01' + CAST(((i * 2654435761) % 5000000) - 2500000 AS INTEGER)",
    edges: [
      "'0001-01-01'",
      "'9999-12-31'",
      "'1970-01-01'",
      "'1969-12-31'",
      "'2000-02-29'",
      "'1582-10-04'",
      "'4714-11-24 (BC)'",
      "'5881580-07-10'",
      "'infinity'",
      "'-infinity'",
    ],
  },
  {
    name: 'ts',
    type: 'TIMESTAMP',
    gen: 'make_timestamp(CAST(((i::HUGEINT * 11400714819323198485) % 400000000000000000) - 200000000000000000 AS BIGINT))',
    edges: [
      "'0001-01-01 00:00:00'",
      "'9999-12-31 23:59:59.999999'",
      "'1970-01-01 00:00:00'",
      "'1969-12-31 23:59:59.999999'",
      "'2000-02-29 12:34:56.000001'",
      "'1000-01-01 (BC) 00:00:00'",
      "'infinity'",
      "'-infinity'",
    ],
    canon: ['CAST($ AS VARCHAR)', 'CAST(epoch_us($) AS VARCHAR)'],
  },
  {
    name: 'tstz',
    type: 'TIMESTAMPTZ',
    // TIMESTAMP -> TIMESTAMPTZ in UTC (openDuck sets TimeZone = 'UTC').
    gen: 'make_timestamp(CAST(((i::HUGEINT * 7046029254386353131) % 400000000000000000) - 200000000000000000 AS BIGINT))',
    edges: [
      "'0001-01-01 00:00:00+00'",
      "'9999-12-31 23:59:59.999999+00'",
      "'1970-01-01 00:00:00+00'",
      "'1969-12-31 23:59:59.999999+00'",
      "'2024-03-10 02:30:00.123456-05'",
      "'2024-11-03 01:30:00+13:45'",
      "'infinity'",
      "'-infinity'",
    ],
    // Native formats TIMESTAMPTZ through ICU, WASM (no ICU) with the built-in UTC formatter; the
    // instant itself is compared as epoch microseconds, the text as a second check.
    canon: ['CAST(epoch_us($) AS VARCHAR)', 'CAST($ AS VARCHAR)'],
  },
  {
    name: 'vc',
    type: 'VARCHAR',
    gen: `CASE i % 6
      WHEN 0 THEN 'sym' || (i % 20)
      WHEN 1 THEN 'Ünïcødé ✓ 日本語 ' || i
      WHEN 2 THEN '🚀📈💹 ' || i || ' 👨‍👩‍👧‍👦'
      WHEN 3 THEN repeat('x', (i % 300)::INTEGER)
      WHEN 4 THEN 'quote '' comma , brace { } ' || i
      ELSE '' END`,
    edges: [
      "''",
      "'Ünïcødé ✓ 日本語'",
      "'🏳️‍🌈👩🏽‍💻🇯🇵'",
      "'NULL'",
      "'it''s'",
      "'tab' || chr(9) || 'newline' || chr(10) || 'cr' || chr(13)",
      "'nul' || chr(0) || 'byte'",
      'chr(1114111) || chr(65535) || chr(128)',
      "repeat('long Ü ', 5000)",
      "' padded '",
    ],
    canon: [strCanon('$')],
  },
  {
    name: 'sym',
    type: 'VARCHAR',
    // Few distinct values: dictionary-encoded pages.
    gen: "['SPY', 'QQQ', 'AAPL', 'Ünï', '日本', '🚀'][(i % 6) + 1]",
    edges: ["'SPY'", "'🚀'"],
    canon: [strCanon('$')],
  },
  {
    name: 'li',
    type: 'INTEGER[]',
    gen: 'CASE WHEN i % 7 = 0 THEN [] ELSE list_transform(range(i % 5), lambda x: CASE WHEN (x + i) % 4 = 0 THEN NULL ELSE x * i - 5000 END) END',
    edges: ['[]', '[NULL]', '[2147483647, -2147483648, 0]', '[NULL, NULL, 1]', 'range(1000)'],
  },
  {
    name: 'lv',
    type: 'VARCHAR[]',
    gen: "CASE WHEN i % 9 = 0 THEN [] ELSE list_transform(range(i % 4), lambda x: CASE WHEN (x + i) % 5 = 0 THEN NULL WHEN x = 1 THEN '' ELSE 'é' || x || '🚀' || i END) END",
    edges: ["['']", '[NULL]', "['a, b', 'NULL', NULL, '', '[x]']", "['Ünïcødé ✓ 日本語', '👨‍👩‍👧‍👦']"],
    canon: [
      // coalesce: array_to_string of an empty list is '' in DuckDB 1.5 but NULL in 1.4.
      "CASE WHEN $ IS NULL THEN NULL ELSE '[' || coalesce(array_to_string(list_transform($, lambda x: " +
        strCanon('x') +
        "), ','), '') || ']' END",
    ],
  },
  {
    name: 'st',
    type: 'STRUCT(price DECIMAL(10,2), label VARCHAR, day DATE, tags INTEGER[])',
    gen: `CASE WHEN i % 13 = 1 THEN {'price': NULL, 'label': NULL, 'day': NULL, 'tags': NULL} ELSE {
      'price': CAST(((i * 7919) % 2000000) - 1000000 AS DECIMAL(38,0)) * 0.01,
      'label': CASE WHEN i % 3 = 0 THEN NULL ELSE 'lbl ✓ ' || i END,
      'day': DATE '2000-01-01' + CAST(i AS INTEGER),
      'tags': CASE WHEN i % 4 = 0 THEN NULL ELSE [i, NULL, -i] END} END`,
    edges: [
      "{'price': 99999999.99, 'label': '', 'day': DATE '9999-12-31', 'tags': []}",
      "{'price': -99999999.99, 'label': 'Ünïcødé ✓ 日本語 🚀', 'day': DATE '0001-01-01', 'tags': [NULL]}",
    ],
    canon: [
      'CAST($ AS VARCHAR)',
      "CASE WHEN $ IS NULL THEN NULL ELSE concat_ws('|', coalesce(CAST($.price AS VARCHAR), '∅'), " +
        strCanon('$.label') +
        ", coalesce(CAST($.day AS VARCHAR), '∅'), coalesce(CAST($.tags AS VARCHAR), '∅')) END",
    ],
  },
  {
    name: 'ls',
    type: 'STRUCT(k VARCHAR, v DOUBLE)[]',
    gen: "list_transform(range(i % 3), lambda x: {'k': CASE WHEN x = 2 THEN NULL ELSE 'k' || x || '日' END, 'v': CASE WHEN x = 1 THEN NULL ELSE i / (x + 1.0) END})",
    edges: ['[]', "[NULL, {'k': 'Ü', 'v': 'nan'}]"],
  },
];

/** Every type the lake uses must be in the source table. */
const LAKE_TYPES = [...new Set(Object.values(TABLES).flatMap((t) => t.columns.map((c) => c.type)))].sort();

const EDGE_ROWS = Math.max(...SPECS.map((s) => s.edges.length));
const TOTAL_ROWS = GENERATED + EDGE_ROWS + 1;

function createSourceSql(table: string): string[] {
  const generated = SPECS.map(
    (s, k) => `CASE WHEN (i * 31 + ${k * 7}) % 17 = 3 THEN NULL ELSE CAST(${s.gen} AS ${s.type}) END AS ${quoteIdent(s.name)}`,
  );
  const edgeRows = Array.from({ length: EDGE_ROWS }, (_, j) => {
    const values = SPECS.map((s) => `CAST(${s.edges[j % s.edges.length]!} AS ${s.type})`);
    return `(${GENERATED + j}, ${values.join(', ')})`;
  });
  return [
    `CREATE TABLE ${table} AS SELECT CAST(i AS INTEGER) AS id, ${generated.join(',\n')} FROM range(${GENERATED}) t(i)`,
    `INSERT INTO ${table} VALUES ${edgeRows.join(',\n')}`,
    `INSERT INTO ${table} (id) VALUES (${GENERATED + EDGE_ROWS})`,
  ];
}

/** Canonical output column names, in order: id, then one or more per spec. */
const CANON_COLUMNS = [
  'id',
  ...SPECS.flatMap((s) => (s.canon ?? ['']).map((_, k) => (k === 0 ? s.name : `${s.name}#${k}`))),
];

/** The same SQL in both engines: every column as text, ordered by id. */
function canonSql(relation: string): string {
  const exprs = SPECS.flatMap((s) =>
    (s.canon ?? ['CAST($ AS VARCHAR)']).map((c, k) => {
      const alias = k === 0 ? s.name : `${s.name}#${k}`;
      return `${c.replaceAll('$', quoteIdent(s.name))} AS ${quoteIdent(alias)}`;
    }),
  );
  return `SELECT CAST(t.id AS VARCHAR) AS id, ${exprs.join(', ')} FROM ${relation} t ORDER BY t.id`;
}

const parquet = (file: string): string => `read_parquet(${quoteString(file)})`;

// ---------------------------------------------------------------------------------------------
// Canonical tables and their comparison.

type Cell = string | null;
interface Canon {
  columns: string[];
  rows: Cell[][];
}

interface Mismatch {
  id: string;
  column: string;
  expected: Cell;
  actual: Cell;
}

interface Diff {
  columns: { expected: string[]; actual: string[] } | null;
  /** Ids in expected only, and in actual only. */
  missing: string[];
  extra: string[];
  mismatches: Mismatch[];
}

/** Compares two canonical tables keyed by their first column (id); columns by name. */
function diffCanon(expected: Canon, actual: Canon): Diff {
  const byId = (t: Canon, side: string): Map<string, Cell[]> => {
    const map = new Map<string, Cell[]>();
    for (const row of t.rows) {
      const id = row[0];
      if (id === null || id === undefined) throw new Error(`${side}: a row has no id`);
      if (map.has(id)) throw new Error(`${side}: duplicate id ${id}`);
      map.set(id, row);
    }
    return map;
  };
  const e = byId(expected, 'expected');
  const a = byId(actual, 'actual');
  const sameColumns =
    expected.columns.length === actual.columns.length && expected.columns.every((c, i) => c === actual.columns[i]);
  const diff: Diff = {
    columns: sameColumns ? null : { expected: expected.columns, actual: actual.columns },
    missing: [...e.keys()].filter((id) => !a.has(id)),
    extra: [...a.keys()].filter((id) => !e.has(id)),
    mismatches: [],
  };
  for (const [id, erow] of e) {
    const arow = a.get(id);
    if (!arow) continue;
    expected.columns.forEach((column, ci) => {
      const ai = actual.columns.indexOf(column);
      const ev = erow[ci] ?? null;
      const av = ai < 0 ? null : (arow[ai] ?? null);
      if (ev !== av) diff.mismatches.push({ id, column, expected: ev, actual: av });
    });
  }
  return diff;
}

const NO_DIFF: Diff = { columns: null, missing: [], extra: [], mismatches: [] };

/** The first few problems, readable in a failure message. */
function summary(d: Diff): string {
  const cut = (v: Cell): string => (v === null ? 'NULL' : JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v));
  return [
    d.columns ? `columns differ: ${d.columns.expected.join(',')} vs ${d.columns.actual.join(',')}` : '',
    d.missing.length ? `missing ids: ${d.missing.slice(0, 10).join(',')} (${d.missing.length})` : '',
    d.extra.length ? `extra ids: ${d.extra.slice(0, 10).join(',')} (${d.extra.length})` : '',
    ...d.mismatches.slice(0, 15).map((m) => `id ${m.id} ${m.column}: expected ${cut(m.expected)} got ${cut(m.actual)}`),
    d.mismatches.length > 15 ? `... ${d.mismatches.length} mismatches in all` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

function expectSame(expected: Canon, actual: Canon, label: string): void {
  const d = diffCanon(expected, actual);
  expect(summary(d), label).toBe('');
}

// ---------------------------------------------------------------------------------------------
// The two engines.

type WasmSession = Awaited<ReturnType<typeof openWasmSession>>;

async function nativeCanon(conn: DuckDBConnection, sql: string): Promise<Canon> {
  const reader = await conn.runAndReadAll(sql);
  const rows = reader.getRowsJS().map((row) =>
    row.map((v): Cell => {
      if (v === null || typeof v === 'string') return v;
      throw new Error(`native: a canonical cell is not text: ${String(v)}`);
    }),
  );
  return { columns: reader.columnNames(), rows };
}

async function wasmCanon(session: WasmSession, sql: string): Promise<Canon> {
  const r = await session.query(sql);
  for (const c of r.columns) if (c.kind !== 'string') throw new Error(`wasm: column ${c.name} is ${c.sqlType}, not text`);
  const columns = r.columns.map((c) => c.name);
  const rows = columnsToRows(r).map((row) => columns.map((c) => (row[c] ?? null) as Cell));
  return { columns, rows };
}

async function nativeText(conn: DuckDBConnection, sql: string): Promise<Cell[][]> {
  return (await nativeCanon(conn, sql)).rows;
}

async function wasmText(session: WasmSession, sql: string): Promise<Cell[][]> {
  return (await wasmCanon(session, sql)).rows;
}

// ---------------------------------------------------------------------------------------------

interface FileCase {
  label: string;
  name: string;
  codec: string;
  rowGroupSize?: number;
  parquetVersion?: 'V1' | 'V2';
}

const CODECS = ['ZSTD', 'SNAPPY', 'GZIP', 'UNCOMPRESSED'] as const;

/** A file in SMALL_ROW_GROUP-row groups, so each has several. */
const smallGroups = (codec: string, suffix: string, note = '', parquetVersion?: 'V2'): FileCase => ({
  label: `${codec}, ${note}${SMALL_ROW_GROUP}-row groups`,
  name: `${codec.toLowerCase()}_${suffix}.parquet`,
  codec,
  rowGroupSize: SMALL_ROW_GROUP,
  ...(parquetVersion ? { parquetVersion } : {}),
});

const FILES: FileCase[] = [
  ...CODECS.flatMap((codec): FileCase[] => [
    { label: `${codec}, default row groups`, name: `${codec.toLowerCase()}.parquet`, codec },
    smallGroups(codec, 'rg'),
  ]),
  // Codecs the lake does not use, but that the extension carries.
  ...(['LZ4_RAW', 'BROTLI'] as const).map((codec) => smallGroups(codec, 'rg')),
  ...(['ZSTD', 'SNAPPY'] as const).map((codec) => smallGroups(codec, 'v2', 'format V2 (delta / byte-stream-split encodings), ', 'V2')),
];

let dir: string;
let duck: DuckSession;
let wasm: WasmSession;
let source: Canon;
const pathOf = (f: FileCase): string => join(dir, f.name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'quantiv-roundtrip-'));
  duck = await openDuck();
  for (const stmt of createSourceSql('src')) await duck.conn.run(stmt);
  for (const f of FILES) {
    const opts = [
      'FORMAT PARQUET',
      `COMPRESSION ${f.codec}`,
      ...(f.rowGroupSize ? [`ROW_GROUP_SIZE ${f.rowGroupSize}`] : []),
      ...(f.parquetVersion ? [`PARQUET_VERSION ${f.parquetVersion}`] : []),
    ];
    await duck.conn.run(`COPY (SELECT * FROM src ORDER BY id) TO ${quoteString(pathOf(f))} (${opts.join(', ')})`);
  }
  source = await nativeCanon(duck.conn, canonSql('src'));
  wasm = await openWasmSession({ allowedDirectories: [`${dir}/`] });
});

afterAll(async () => {
  await wasm?.close();
  duck?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the source table', () => {
  it('covers every lake column type, the required decimal widths, NULLs and edges', async () => {
    const types = new Set(SPECS.map((s) => s.type));
    expect(LAKE_TYPES.filter((t) => !types.has(t))).toEqual([]);
    for (const t of ['DECIMAL(4,2)', 'DECIMAL(6,4)', 'DECIMAL(8,2)', 'DECIMAL(8,6)', 'DECIMAL(10,2)', 'DECIMAL(18,6)']) {
      expect(types.has(t), t).toBe(true);
    }
    expect(source.columns).toEqual(CANON_COLUMNS);
    expect(source.rows.length).toBe(TOTAL_ROWS);
    // Every column has NULLs and non-NULLs.
    const counts = await nativeText(
      duck.conn,
      `SELECT ${SPECS.map((s) => `CAST(count(${quoteIdent(s.name)}) AS VARCHAR)`).join(', ')} FROM src`,
    );
    counts[0]!.forEach((n, k) => {
      expect(Number(n), SPECS[k]!.name).toBeGreaterThan(0);
      expect(Number(n), SPECS[k]!.name).toBeLessThan(TOTAL_ROWS);
    });
    // The decimal maxima really are there, at full width.
    const maxima = await nativeText(
      duck.conn,
      `SELECT ${DECIMALS.map(([w, s]) => `CAST(max(d${w}_${s}) AS VARCHAR)`).join(', ')} FROM src`,
    );
    expect(maxima[0]).toEqual(DECIMALS.map(([w, s]) => `${'9'.repeat(w - s)}.${'9'.repeat(s)}`));
  });

  it('was written as multi-row-group files under every codec', async () => {
    for (const f of FILES) {
      const [row] = await nativeText(
        duck.conn,
        `SELECT CAST(count(DISTINCT row_group_id) AS VARCHAR), string_agg(DISTINCT compression, ',')
         FROM parquet_metadata(${quoteString(pathOf(f))})`,
      );
      const groups = Number(row![0]);
      if (f.rowGroupSize) expect(groups, f.label).toBeGreaterThanOrEqual(Math.ceil(TOTAL_ROWS / f.rowGroupSize));
      expect(row![1], f.label).toBe(f.codec);
      // The page encodings the reader must decode: dictionaries everywhere, the delta and
      // byte-stream-split family in the V2 files.
      const [enc] = await nativeText(
        duck.conn,
        `SELECT string_agg(DISTINCT encodings, ',' ORDER BY encodings) FROM parquet_metadata(${quoteString(pathOf(f))})`,
      );
      const encodings = enc![0]!;
      expect(encodings, f.label).toMatch(/DICTIONARY/);
      if (f.parquetVersion === 'V2') {
        for (const e of ['DELTA_BINARY_PACKED', 'BYTE_STREAM_SPLIT']) expect(encodings, f.label).toContain(e);
      }
    }
  });
});

describe('DuckDB-WASM reads what native DuckDB wrote', () => {
  it('runs the engine and the self-built extension this test is about', async () => {
    const rows = await wasmText(
      wasm,
      `SELECT version(), CAST(loaded AS VARCHAR), install_mode, extension_version
       FROM duckdb_extensions() WHERE extension_name = 'parquet'`,
    );
    // Loaded from our repository, not a statically linked or official build.
    expect(rows).toEqual([[EXTENSION.engine, 'true', 'REPOSITORY', `${EXTENSION.engine}-quantiv`]]);
    // The session is locked and has no ICU, so the canonical SQL cannot rely on a TimeZone setting:
    // TIMESTAMPTZ is compared as epoch microseconds (and as text, which is UTC in both engines).
    await expect(wasm.query("SET TimeZone = 'UTC'")).rejects.toThrow(/locked/);
  });

  it('every file has the writer’s column names and types in both engines', async () => {
    const describe = (relation: string): string =>
      `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${relation})`;
    const expected = await nativeText(duck.conn, describe('src'));
    expect(expected.map((r) => r[0])).toEqual(['id', ...SPECS.map((s) => s.name)]);
    for (const f of FILES) {
      expect(await wasmText(wasm, describe(parquet(pathOf(f)))), `WASM, ${f.label}`).toEqual(expected);
      expect(await nativeText(duck.conn, describe(parquet(pathOf(f)))), `native, ${f.label}`).toEqual(expected);
    }
  });

  it.each(FILES.map((f) => [f.label, f] as const))('%s: row counts agree', async (_label, f) => {
    const sql = `SELECT CAST(count(*) AS VARCHAR) FROM ${parquet(pathOf(f))}`;
    expect(await wasmText(wasm, sql)).toEqual([[String(TOTAL_ROWS)]]);
    expect(await nativeText(duck.conn, sql)).toEqual([[String(TOTAL_ROWS)]]);
  });

  it('every file, value by value: WASM = native read-back = the writer’s table', async () => {
    for (const f of FILES) {
      const sql = canonSql(parquet(pathOf(f)));
      const fromWasm = await wasmCanon(wasm, sql);
      const fromNative = await nativeCanon(duck.conn, sql);
      expect(fromWasm.rows.length, f.label).toBe(TOTAL_ROWS);
      expectSame(source, fromNative, `native read-back of ${f.label}`);
      expectSame(source, fromWasm, `WASM read of ${f.label}`);
    }
  });

  it('all files at once (one multi-file scan) gives every row once per file', async () => {
    const list = `read_parquet([${FILES.map((f) => quoteString(pathOf(f))).join(', ')}])`;
    const sql = `SELECT CAST(count(*) AS VARCHAR), CAST(count(DISTINCT id) AS VARCHAR) FROM ${list}`;
    const expected = [[String(TOTAL_ROWS * FILES.length), String(TOTAL_ROWS)]];
    expect(await wasmText(wasm, sql)).toEqual(expected);
    expect(await nativeText(duck.conn, sql)).toEqual(expected);
  });

  // Filters the reader can push into the scan (row-group statistics, dictionary filters), and exact
  // aggregates: a mis-decoded statistic drops or keeps the wrong row groups.
  const FILTERS = [
    'd10_2 > 1000 AND d8_6 < 0',
    'd18_6 BETWEEN -1000 AND 100000000000',
    'd4_2 = 99.99 OR d4_2 = -99.99',
    "dt < DATE '1000-01-01'",
    "dt >= DATE '9999-12-31'",
    "ts > TIMESTAMP '2500-01-01'",
    "tstz < TIMESTAMPTZ '1970-01-01 00:00:00+00'",
    "sym = 'Ünï'",
    "vc LIKE 'Ünïcødé%'",
    'i32 < 0 AND i64 > 0',
    'dbl > 1',
    'dbl IS NULL',
    'isnan(dbl)',
    'b',
    'li IS NULL OR len(li) = 0',
    'st.label IS NULL',
    'id >= 2990',
  ];
  const aggregates = [
    'count(*)',
    'min(d38_10)',
    'max(d38_10)',
    'sum(d18_6)',
    'sum(d10_2)',
    'sum(d8_6)',
    'sum(d4_2)',
    'sum(i64::HUGEINT)',
    'min(dt)',
    'max(ts)',
    'sum(len(lv))',
    'max(length(vc))',
  ]
    .map((a) => `CAST(${a} AS VARCHAR)`)
    .join(', ');

  it('filtered scans and exact aggregates agree with the source, on every file', async () => {
    for (const where of FILTERS) {
      const [expected] = await nativeText(duck.conn, `SELECT ${aggregates} FROM src WHERE ${where}`);
      expect(Number(expected![0]), `${where} selects something`).toBeGreaterThan(0);
      for (const f of FILES) {
        const sql = `SELECT ${aggregates} FROM ${parquet(pathOf(f))} WHERE ${where}`;
        expect(await wasmText(wasm, sql), `WASM, ${f.label}: ${where}`).toEqual([expected]);
        expect(await nativeText(duck.conn, sql), `native, ${f.label}: ${where}`).toEqual([expected]);
      }
    }
  });

  it('parquet_metadata: the same row groups, sizes and codecs in both engines', async () => {
    for (const f of FILES) {
      const sql = `SELECT CAST(row_group_id AS VARCHAR), CAST(column_id AS VARCHAR), path_in_schema, type,
          CAST(num_values AS VARCHAR), compression, CAST(total_compressed_size AS VARCHAR),
          CAST(total_uncompressed_size AS VARCHAR), CAST(stats_null_count AS VARCHAR)
        FROM parquet_metadata(${quoteString(pathOf(f))}) ORDER BY row_group_id, column_id`;
      expect(await wasmText(wasm, sql), f.label).toEqual(await nativeText(duck.conn, sql));
    }
  });
});

describe('the app’s result path over the WASM read', () => {
  // What the UI receives (tableToColumns: Float64Array, NaN for NULL) for every numeric column of
  // the lake's codec, against the writer's exact text. DECIMALs past 2^53 go through BigInt there
  // and may land one or two ulps from the correctly rounded double.
  const NUMERIC = SPECS.filter((s) => /^(DECIMAL|INTEGER$|BIGINT$|DOUBLE$)/.test(s.type)).map((s) => s.name);
  const toNumber = (text: Cell): number =>
    text === null || text === 'nan' ? NaN : text === 'inf' ? Infinity : text === '-inf' ? -Infinity : Number(text);

  it('decodes every DECIMAL, INTEGER, BIGINT and DOUBLE value the writer had', async () => {
    const f = FILES.find((x) => x.codec === 'ZSTD' && x.rowGroupSize && !x.parquetVersion)!;
    const r = await wasm.query(
      `SELECT ${NUMERIC.map(quoteIdent).join(', ')} FROM ${parquet(pathOf(f))} ORDER BY id`,
    );
    expect(r.rows).toBe(TOTAL_ROWS);
    const bad: string[] = [];
    for (const name of NUMERIC) {
      const values = r.columns.find((c) => c.name === name)!.values;
      expect(values, name).toBeInstanceOf(Float64Array);
      const ci = CANON_COLUMNS.indexOf(name);
      source.rows.forEach((row, ri) => {
        const want = toNumber(row[ci] ?? null);
        const got = (values as Float64Array)[ri]!;
        const same = Number.isNaN(want)
          ? Number.isNaN(got)
          : Object.is(got, want) || (Number.isFinite(want) && Math.abs(got - want) <= Math.abs(want) * 4.5e-16);
        if (!same) bad.push(`id ${row[0]} ${name}: ${row[ci]} decoded as ${got}`);
      });
    }
    expect(bad.slice(0, 20), `${bad.length} bad values`).toEqual([]);
  });
});

describe('negative control: the comparison reports planted differences', () => {
  it('finds exactly the planted mismatches and the deleted row, at their positions', async () => {
    // Rows where each change is valid: no decimal overflow, a value to NULL and a NULL to fill.
    const [ids] = await nativeText(
      duck.conn,
      `SELECT CAST(min(id) FILTER (WHERE id > 10 AND d10_2 IS NOT NULL AND d10_2 < 99999999.99) AS VARCHAR),
              CAST(min(id) FILTER (WHERE id > 100 AND vc IS NOT NULL) AS VARCHAR),
              CAST(min(id) FILTER (WHERE id > 400 AND i32 IS NOT NULL) AS VARCHAR),
              CAST(min(id) FILTER (WHERE id > 1000 AND dbl IS NULL) AS VARCHAR)
       FROM src WHERE id < ${GENERATED}`,
    );
    const [decimalId, textId, toNullId, fromNullId] = ids!.map((x) => Number(x));
    const deletedId = 2500; // a generated row, inside the second row group
    expect([decimalId, textId, toNullId, fromNullId].every((x) => Number.isInteger(x))).toBe(true);

    const file = join(dir, 'planted.parquet');
    for (const stmt of [
      'CREATE TABLE planted AS SELECT * FROM src',
      `UPDATE planted SET d10_2 = d10_2 + 0.01 WHERE id = ${decimalId}`,
      `UPDATE planted SET vc = vc || '!' WHERE id = ${textId}`,
      `UPDATE planted SET i32 = NULL WHERE id = ${toNullId}`,
      `UPDATE planted SET dbl = 0.5 WHERE id = ${fromNullId}`,
      `DELETE FROM planted WHERE id = ${deletedId}`,
      `COPY (SELECT * FROM planted ORDER BY id) TO ${quoteString(file)} (FORMAT PARQUET, COMPRESSION ZSTD, ROW_GROUP_SIZE ${SMALL_ROW_GROUP})`,
      'DROP TABLE planted',
    ]) {
      await duck.conn.run(stmt);
    }

    const d = diffCanon(source, await wasmCanon(wasm, canonSql(parquet(file))));
    expect(d.columns).toBeNull();
    expect(d.missing).toEqual([String(deletedId)]);
    expect(d.extra).toEqual([]);

    const at = (id: number | undefined, column: string): Cell =>
      source.rows.find((r) => r[0] === String(id))![CANON_COLUMNS.indexOf(column)]!;
    const decimalBefore = at(decimalId, 'd10_2')!;
    const textBefore = at(textId, 'vc')!;
    const colon = textBefore.indexOf(':');
    const planted: Mismatch[] = [
      {
        id: String(decimalId),
        column: 'd10_2',
        expected: decimalBefore,
        actual: ((Math.round(Number(decimalBefore) * 100) + 1) / 100).toFixed(2),
      },
      {
        id: String(textId),
        column: 'vc',
        expected: textBefore,
        actual: `${Number(textBefore.slice(0, colon)) + 1}:${textBefore.slice(colon + 1)}!`,
      },
      { id: String(toNullId), column: 'i32', expected: at(toNullId, 'i32'), actual: null },
      { id: String(fromNullId), column: 'dbl', expected: null, actual: '0.5' },
    ];
    const byPosition = (a: Mismatch, b: Mismatch): number =>
      Number(a.id) - Number(b.id) || CANON_COLUMNS.indexOf(a.column) - CANON_COLUMNS.indexOf(b.column);
    expect(d.mismatches.length).toBe(4);
    expect(d.mismatches).toEqual(planted.sort(byPosition));

    // The same comparison on an unplanted file of the same source is clean.
    expect(diffCanon(source, await wasmCanon(wasm, canonSql(parquet(pathOf(FILES[0]!)))))).toEqual(NO_DIFF);
  });

  it('reports a changed column list', () => {
    const renamed: Canon = { columns: ['id', 'x'], rows: [['1', 'a']] };
    const d = diffCanon({ columns: ['id', 'y'], rows: [['1', 'a']] }, renamed);
    expect(d.columns).not.toBeNull();
    expect(d.mismatches).toEqual([{ id: '1', column: 'y', expected: 'a', actual: null }]);
  });
});
