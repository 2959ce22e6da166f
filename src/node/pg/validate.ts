// PostgreSQL vs lake, per table and partition: row count, per-column checksums, a natural-key
// hash and a content fingerprint over every column of every row (checksums.ts), computed in PostgreSQL over the source with the export's cleaning rules
// applied in SQL (quirks.ts: cleanOptionsPgSql) and in DuckDB over the partition's Parquet files.
// Files are checked first against the manifest (present, size, sha256); an unreadable file is a
// reported difference, never a crash. One REPEATABLE READ snapshot on the PostgreSQL side.
// When the rows differ, the differing natural keys are named (row-diff.ts).
import { existsSync } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuck } from '../duck.ts';
import { parseManifest, type Manifest, type ManifestFile } from '../../lake/manifest.ts';
import { isRollup, OPTIONAL_LEGACY_TABLES, quoteString, TABLES, type LegacyTableName, type TableName } from '../../lake/schema.ts';
import { checkRollups } from '../rollups.ts';
import { pathLocator, scanFiles } from '../../lake/views.ts';
import { sha256File } from '../lake-writer.ts';
import { metricsSql, sameValue, type Metric, type Types } from './checksums.ts';
import { mappedSelectList, sourceMapping, typeOverrides, type SourceMapping } from './catalog.ts';
import { connectPg, redactUrl, type PgClient } from './client.ts';
import { cleanOptionsPgSql } from './quirks.ts';
import { differingRows, type RunText } from './row-diff.ts';
import { partitionOfFile, PG_TABLE, presentOptionalTables, sourcePartitions, sourceSelectSql, type Partition } from './tables.ts';

export interface PartitionResult {
  key: string;
  table: TableName;
  files: string[];
  rows: { postgres: number | null; lake: number | null };
  diffs: string[];
}

export interface ValidateResult {
  source: string;
  data: string;
  partitions: PartitionResult[];
  diffs: string[];
  metricsCompared: number;
  seconds: number;
  ok: boolean;
}

export interface ValidateOptions {
  /** As export's: the zone of `timestamp without time zone` columns the lake holds as TIMESTAMPTZ. */
  sourceTimeZone?: string;
  log?: (line: string) => void;
}

/** The partition's rows in PostgreSQL as the lake should hold them. */
function pgRelation(p: Partition, mapping: SourceMapping): string {
  if (p.table === 'options') return cleanOptionsPgSql(p.from!, p.to!);
  return sourceSelectSql(p, mappedSelectList(p.table, mapping));
}

async function pgMetrics(client: PgClient, p: Partition, mapping: SourceMapping): Promise<(string | null)[]> {
  const { sql } = metricsSql('pg', p.table, pgRelation(p, mapping), typeOverrides(p.table, mapping));
  const res = await client.query({ text: sql, rowMode: 'array' });
  return (res.rows[0] as (string | null)[]) ?? [];
}

const pgRun = (client: PgClient): RunText => async (sql) => (await client.query({ text: sql, rowMode: 'array' })).rows as (string | null)[][];

const duckRun = (duck: DuckDBConnection): RunText => async (sql) =>
  (await duck.runAndReadAll(sql)).getRows().map((r) => r.map((v) => (v === null || v === undefined ? null : String(v))));

async function duckMetrics(duck: DuckDBConnection, table: TableName, relation: string, types: Types): Promise<(string | null)[]> {
  const { sql } = metricsSql('duck', table, relation, types);
  return (await duckRun(duck)(sql))[0] ?? [];
}

/** DuckDB spells TIMESTAMPTZ out in DESCRIBE. */
const duckTypeName = (t: string): string => (t === 'TIMESTAMP WITH TIME ZONE' ? 'TIMESTAMPTZ' : t);

/** Columns whose type in the lake file differs from the source's mapping (catalog.ts). */
async function typeDiffs(duck: DuckDBConnection, root: string, f: ManifestFile, mapping: SourceMapping): Promise<string[]> {
  const rows = (await duck.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${quoteString(join(root, f.path))})`)).getRows();
  const actual = new Map(rows.map((r) => [String(r[0]), duckTypeName(String(r[1]))]));
  const out: string[] = [];
  for (const m of mapping[f.table as LegacyTableName]) {
    const t = actual.get(m.name);
    if (t !== m.lakeType) out.push(`column ${m.name} type: ${f.path} has ${t ?? 'no such column'}, the source's ${m.source} maps to ${m.lakeType}`);
  }
  return out;
}

/** Metrics whose difference means some rows differ, so naming them helps. */
const ROW_LEVEL = new Set(['rows', 'key.hash', 'row.hash']);

/** A whole Parquet file ends in the magic 'PAR1'; a cut-off one almost never does. */
async function endsLikeParquet(path: string, size: number): Promise<boolean> {
  if (size < 4) return false;
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4);
    await fh.read(buf, 0, 4, size - 4);
    return buf.toString('latin1') === 'PAR1';
  } finally {
    await fh.close();
  }
}

/** Manifest-level checks of one file; returns readable problems. */
async function checkFile(root: string, f: ManifestFile): Promise<string[]> {
  const path = join(root, f.path);
  if (!existsSync(path)) return [`file ${f.path} is missing`];
  const problems: string[] = [];
  const size = (await stat(path)).size;
  if (size !== f.bytes) problems.push(`file ${f.path} is ${size} bytes, the manifest says ${f.bytes} (${(await endsLikeParquet(path, size)) ? 'rewritten: it ends in a Parquet footer' : 'truncated: no Parquet footer at its end'})`);
  else if ((await sha256File(path)) !== f.sha256) problems.push(`file ${f.path} does not match its sha256 in the manifest (changed in place?)`);
  return problems;
}

export async function validatePg(pgUrl: string, dataDir: string, opts: ValidateOptions = {}): Promise<ValidateResult> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const root = resolve(dataDir);
  const result: ValidateResult = { source: redactUrl(pgUrl), data: root, partitions: [], diffs: [], metricsCompared: 0, seconds: 0, ok: false };
  const finish = (): ValidateResult => {
    result.diffs = result.partitions.flatMap((p) => p.diffs.map((d) => `${p.key}: ${d}`)).concat(result.diffs);
    result.ok = result.diffs.length === 0;
    result.seconds = (performance.now() - started) / 1000;
    return result;
  };

  let manifest: Manifest;
  try {
    manifest = parseManifest(JSON.parse(await readFile(join(root, 'manifest.json'), 'utf8')));
  } catch (err) {
    result.diffs.push(`manifest.json: ${(err as Error).message}`);
    return finish();
  }

  const client = await connectPg(pgUrl);
  const session = await openDuck(':memory:', { threads: '2' });
  const duck = session.conn;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const mapping = await sourceMapping(client, opts.sourceTimeZone ? { sourceTimeZone: opts.sourceTimeZone } : {});
    // Every partition either side has: one side missing a partition is a difference too.
    const parts = new Map<string, Partition>();
    for (const p of await sourcePartitions(client)) parts.set(p.key, p);
    const present = await presentOptionalTables(client);
    const absentInPg = (t: LegacyTableName): boolean => OPTIONAL_LEGACY_TABLES.includes(t) && !present.has(t);
    const filesByKey = new Map<string, ManifestFile[]>();
    for (const f of manifest.files) {
      if (isRollup(f.table)) continue;
      const p = partitionOfFile(f.table, f.partition);
      if (!parts.has(p.key)) parts.set(p.key, p);
      filesByKey.set(p.key, [...(filesByKey.get(p.key) ?? []), f]);
    }
    const order = Object.keys(TABLES);
    const sorted = [...parts.values()].sort((a, b) => order.indexOf(a.table) - order.indexOf(b.table) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

    for (const p of sorted) {
      const files = filesByKey.get(p.key) ?? [];
      const r: PartitionResult = { key: p.key, table: p.table, files: files.map((f) => f.path), rows: { postgres: null, lake: null }, diffs: [] };
      result.partitions.push(r);
      for (const f of files) {
        const problems = await checkFile(root, f);
        r.diffs.push(...problems);
        if (problems.length === 0) r.diffs.push(...(await typeDiffs(duck, root, f, mapping)));
      }
      if (absentInPg(p.table)) {
        // No table to compare with: the lake's rows came from somewhere else (or a dropped table).
        r.rows.lake = files.reduce((n, f) => n + f.rows, 0);
        r.diffs.push(`the lake has ${r.rows.lake} rows, PostgreSQL has no ${PG_TABLE[p.table]} table`);
        log(`DIFF ${p.key.padEnd(20)} postgres ${'(no table)'.padStart(10)}  lake ${String(r.rows.lake).padStart(10)}`);
        continue;
      }
      const types = typeOverrides(p.table, mapping);
      if (files.length === 0) r.diffs.push('no lake file for this partition (PostgreSQL has it)');
      const { metrics } = metricsSql('duck', p.table, 'SELECT 1', types);
      const readable = files.filter((f) => existsSync(join(root, f.path)));
      const lakeRel = `SELECT * FROM ${scanFiles(p.table, readable, pathLocator(root))}`;
      const [pgVals, lakeVals] = await Promise.all([
        pgMetrics(client, p, mapping),
        duckMetrics(duck, p.table, lakeRel, types).catch((err: Error) => {
          r.diffs.push(`cannot read ${readable.map((f) => f.path).join(', ')}: ${err.message.split('\n')[0]}`);
          return null;
        }),
      ]);
      r.rows.postgres = Number(pgVals[0] ?? 0);
      if (lakeVals) {
        r.rows.lake = Number(lakeVals[0] ?? 0);
        r.diffs.push(...compare(metrics, pgVals, lakeVals));
        result.metricsCompared += metrics.length;
        const rowLevel = metrics.some((m, i) => ROW_LEVEL.has(m.name) && !sameValue(m.kind, pgVals[i] ?? null, lakeVals[i] ?? null));
        if (rowLevel) {
          const named = await differingRows(
            p.table,
            { engine: 'pg', relation: pgRelation(p, mapping), run: pgRun(client) },
            { engine: 'duck', relation: lakeRel, run: duckRun(duck) },
            Math.max(r.rows.postgres, r.rows.lake),
            5,
            types,
          );
          r.diffs.push(...named.lines);
        }
      }
      const status = r.diffs.length === 0 ? 'ok  ' : 'DIFF';
      log(`${status} ${p.key.padEnd(20)} postgres ${String(r.rows.postgres).padStart(10)}  lake ${String(r.rows.lake ?? '-').padStart(10)}`);
    }
    await client.query('COMMIT');
    // Rollups have no PostgreSQL counterpart: they are checked against the lake's own raw rows.
    for (const c of await checkRollups(duck, root, manifest.files)) {
      const r: PartitionResult = { key: c.key, table: c.table, files: c.file ? [c.file] : [], rows: { postgres: null, lake: c.rows }, diffs: [] };
      const file = manifest.files.find((f) => f.path === c.file);
      if (file) r.diffs.push(...(await checkFile(root, file)));
      r.diffs.push(...c.diffs);
      result.partitions.push(r);
      log(`${r.diffs.length === 0 ? 'ok  ' : 'DIFF'} ${c.key.padEnd(20)} ${'(from the lake)'.padStart(19)}  lake ${String(c.rows ?? '-').padStart(10)}`);
    }
    return finish();
  } finally {
    session.close();
    await client.end().catch(() => {});
  }
}

function compare(metrics: Metric[], pg: (string | null)[], lake: (string | null)[]): string[] {
  const out: string[] = [];
  metrics.forEach((m, i) => {
    const a = pg[i] ?? null, b = lake[i] ?? null;
    if (sameValue(m.kind, a, b)) return;
    const what = m.column === null
      ? (m.name === 'rows' ? 'row count' : m.name === 'key.hash' ? 'natural key hash (the set of keys differs)' : 'content fingerprint (some row\'s values differ)')
      : `column ${m.column} ${m.name.slice(m.column.length + 1)}`;
    out.push(`${what}: postgres ${a ?? 'NULL'}, lake ${b ?? 'NULL'}`);
  });
  return out;
}

export function validateReport(r: ValidateResult): string {
  const lines = [`validate ${r.source} vs ${r.data}: ${r.partitions.length} partitions, ${r.metricsCompared} checksums compared in ${r.seconds.toFixed(2)} s`];
  if (r.ok) lines.push('OK: PostgreSQL and the lake agree.');
  else {
    lines.push(`FAILED: ${r.diffs.length} difference(s):`);
    for (const d of r.diffs) lines.push(`  ${d}`);
  }
  return lines.join('\n');
}
