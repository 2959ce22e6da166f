// PostgreSQL -> lake export, one partition at a time (options per month, volatility per year, the
// other tables whole), without downtime: one REPEATABLE READ READ ONLY transaction gives a
// consistent snapshot and blocks no writer.
//
// Per partition: COPY (SELECT ...) TO STDOUT (FORMAT csv) streams into a CSV in the work dir
// (bounded memory: bytes flow through, no row arrays); native DuckDB reads the CSV with explicit
// types, applies the quirk rules (quirks.ts), writes rejects to a CSV and the lake file through
// writeLakeFile (atomic tmp + rename). The next partition's COPY runs while DuckDB works on this one.
//
// Resumable and idempotent: after each partition the state file records it (file, sha256, source row
// count, rule counts) and manifest.json is republished listing only finished files, so a reader always
// sees a consistent lake. A re-run deletes *.tmp leftovers and the work dir, skips partitions whose
// file still has the recorded sha256 and whose source row count is unchanged, and redoes the rest.
// Files are deterministic (total sort order), so a redone partition gets the same bytes.
//
// Losing PostgreSQL (a restart, a failover, a dropped connection) is survived the same way: the
// attempt is abandoned, the connection retried with backoff (reconnect.ts; one line when lost, one
// when back) and the export resumed from its state file in a new snapshot, so the finished
// partitions are skipped (after the same unchanged-count check) and the rest are redone. Past the
// give-up time it exits with EXIT.UNAVAILABLE; a refused connection (auth, missing database) is
// not retried (EXIT.REFUSED).
import { existsSync } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuck } from '../duck.ts';
import type { ManifestFile } from '../../lake/manifest.ts';
import { filePath, quoteString, TABLES, type TableName } from '../../lake/schema.ts';
import { makeDir, removeStaleTmp, sha256File, writeLakeFile } from '../lake-writer.ts';
import { readLakeManifest } from '../lake-io.ts';
import { connectionProblem, DEFAULT_GIVE_UP_MS, Outage, refusedError, serviceLabel, sleep } from '../reconnect.ts';
import { publishManifest } from '../rollups.ts';
import { connectPg, copyOutToFile, redactUrl, type PgClient } from './client.ts';
import {
  addCounts, COUNT_OPTIONS_DUCK_SQL, KEEP_OPTIONS_DUCK_SQL, KEPT_SELECT, RAW_OPTIONS_COLUMNS, REJECT_REASONS, REJECTS_SELECT,
  stageOptionsDuckSql, zeroCounts, type QuirkCounts,
} from './quirks.ts';
import { mappedSelectList, sourceMapping, typeOverrides, type SourceMapping } from './catalog.ts';
import { sourcePartitions, sourceSelectSql, type Partition } from './tables.ts';

export const MIGRATION_DIR = '_migration';
export const STATE_FILE = 'export-state.json';
export const REPORT_FILE = 'export-report.json';
/** Test hook: stop making progress (and say so on stderr) after this many partitions are published. */
export const PAUSE_ENV = 'QUANTIV_EXPORT_PAUSE_AFTER';
/** Test hook with PAUSE_ENV: go on once this file exists (a test restarts PostgreSQL meanwhile). */
export const RESUME_ENV = 'QUANTIV_EXPORT_RESUME_WHEN';

export interface PartitionState {
  table: TableName;
  key: string;
  /** Rows COPY read from PostgreSQL for this partition. */
  sourceRows: number;
  lakeRows: number;
  rejects: number;
  counts: QuirkCounts;
  file: ManifestFile;
  /** Relative to the migration dir; absent when nothing was rejected. */
  rejectsFile?: string;
  seconds: number;
}

export interface ExportState {
  format: 'quantiv-export-state';
  version: 1;
  source: string;
  partitions: Record<string, PartitionState>;
}

export interface ExportOptions {
  out: string;
  /** 'YYYY-MM': redo options months from it, volatility years from its year, and every single-file table. */
  redoFrom?: string;
  /** Zone of the source's `timestamp without time zone` columns the lake holds as TIMESTAMPTZ (catalog.ts). */
  sourceTimeZone?: string;
  log?: (line: string) => void;
  /** Outage lines (PostgreSQL lost / reconnected); default log. */
  warn?: (line: string) => void;
  /** Reconnect for this long per outage before giving up (default reconnect.ts DEFAULT_GIVE_UP_MS). */
  giveUpMs?: number;
}

export interface ExportReport {
  source: string;
  out: string;
  partitions: (PartitionState & { skipped: boolean })[];
  rows: Record<string, { source: number; lake: number; rejects: number }>;
  counts: QuirkCounts;
  exported: { partitions: number; sourceRows: number };
  skipped: number;
  tmpRemoved: number;
  seconds: number;
  rowsPerSecond: number;
  datasetVersion: string;
  /** Times PostgreSQL was lost during this run and the export resumed. */
  reconnects: number;
}

/** What one run carries across its attempts (one per PostgreSQL outage). */
interface RunCarry {
  started: number;
  tmpRemoved: number;
  /** Partitions this run exported in abandoned attempts: key -> source rows. */
  exported: Map<string, number>;
  paused: boolean;
  reconnects: number;
  connected: () => void;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/** read_csv over a PostgreSQL CSV with the given column types; a typed empty relation for an empty file. */
function csvRelation(path: string, bytes: number, columns: [string, string][]): string {
  if (bytes === 0) return `(SELECT ${columns.map(([n, t]) => `CAST(NULL AS ${t}) AS "${n}"`).join(', ')} WHERE false)`;
  const cols = columns.map(([n, t]) => `${quoteString(n)}: ${quoteString(t)}`).join(', ');
  // PostgreSQL CSV: NULL is an empty unquoted field, '' is "" (allow_quoted_nulls=false keeps it '').
  return `read_csv(${quoteString(path)}, columns={${cols}}, header=false, auto_detect=false, delim=',', quote='"', escape='"', allow_quoted_nulls=false)`;
}

async function readState(path: string, source: string): Promise<ExportState> {
  try {
    const s = JSON.parse(await readFile(path, 'utf8')) as ExportState;
    // State of an export from another database says nothing about this one: start over.
    if (s.format === 'quantiv-export-state' && s.version === 1 && typeof s.partitions === 'object' && s.source === source) return s;
  } catch {
    // missing or unreadable: start over
  }
  return { format: 'quantiv-export-state', version: 1, source, partitions: {} };
}

async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
  await rename(tmp, path);
}

function redo(p: Partition, redoFrom: string | undefined): boolean {
  if (!redoFrom) return false;
  if (p.year === undefined) return true;
  if (p.month === undefined) return p.year >= Number(redoFrom.slice(0, 4));
  return `${p.year}-${String(p.month).padStart(2, '0')}` >= redoFrom;
}

async function sourceCount(client: PgClient, p: Partition): Promise<number> {
  const { rows } = await client.query<{ n: string }>(sourceSelectSql(p, 'count(*) AS n'));
  return Number(rows[0]?.n ?? 0);
}

async function stillValid(root: string, st: PartitionState | undefined): Promise<boolean> {
  if (!st) return false;
  const path = join(root, st.file.path);
  if (!existsSync(path)) return false;
  if ((await stat(path)).size !== st.file.bytes) return false;
  return (await sha256File(path)) === st.file.sha256;
}

export async function exportPg(pgUrl: string, opts: ExportOptions): Promise<ExportReport> {
  const log = opts.log ?? (() => {});
  const label = serviceLabel('PostgreSQL', pgUrl);
  const outage = new Outage(label, opts.warn ?? log, opts.giveUpMs ?? DEFAULT_GIVE_UP_MS);
  let attempt = 0;
  const carry: RunCarry = {
    started: performance.now(), tmpRemoved: 0, exported: new Map(), paused: false, reconnects: 0,
    connected: () => {
      if (outage.active) carry.reconnects += 1;
      outage.recovered();
      attempt = 0;
    },
  };
  for (;;) {
    try {
      return await exportAttempt(pgUrl, opts, carry);
    } catch (e) {
      const problem = connectionProblem(e);
      if (problem === 'refused') throw refusedError(label, e);
      if (problem !== 'lost') throw e;
      outage.lost(e);
      const wait = outage.nextDelay(attempt++);
      if (wait === null) throw outage.gaveUp();
      await sleep(wait);
    }
  }
}

async function exportAttempt(pgUrl: string, opts: ExportOptions, carry: RunCarry): Promise<ExportReport> {
  const started = carry.started;
  const log = opts.log ?? (() => {});
  const root = resolve(opts.out);
  const mig = join(root, MIGRATION_DIR);
  const work = join(mig, 'work');
  // A read-only or full lake folder fails here with one line naming it, before PostgreSQL is touched.
  await makeDir(root);
  carry.tmpRemoved += (await removeStaleTmp(root)).length;
  const tmpRemoved = carry.tmpRemoved;
  await rm(work, { recursive: true, force: true });
  await makeDir(work);
  await makeDir(join(mig, 'rejects'));

  const source = redactUrl(pgUrl);
  const statePath = join(mig, STATE_FILE);
  const state = await readState(statePath, source);
  const pauseAfter = process.env[PAUSE_ENV] ? Number(process.env[PAUSE_ENV]) : Infinity;

  const client = await connectPg(pgUrl);
  carry.connected();
  const session = await openDuck(':memory:', {
    threads: '2', memory_limit: '2GB', temp_directory: join(work, 'spill'), preserve_insertion_order: 'false',
  });
  const duck = session.conn;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // Refused before any file is written when a legacy column has no known lake type.
    const mapping = await sourceMapping(client, opts.sourceTimeZone ? { sourceTimeZone: opts.sourceTimeZone } : {});
    const parts = await sourcePartitions(client);
    const keys = new Set(parts.map((p) => p.key));
    for (const k of Object.keys(state.partitions)) {
      if (!keys.has(k)) {
        log(`${k}: no longer in the source; dropped from the manifest`);
        delete state.partitions[k];
      }
    }

    // Decide what to skip before any COPY runs, so the pipeline below only talks to PostgreSQL
    // through its COPY streams.
    const skipped = new Set<string>();
    for (const p of parts) {
      const st = state.partitions[p.key];
      if (redo(p, opts.redoFrom) || !(await stillValid(root, st))) continue;
      // A file written under another type mapping (e.g. before --source-time-zone) is redone.
      if (JSON.stringify(st!.file.columnTypes ?? {}) !== JSON.stringify(typeOverrides(p.table, mapping))) continue;
      if ((await sourceCount(client, p)) !== st!.sourceRows) continue;
      skipped.add(p.key);
    }
    const todo = parts.filter((p) => !skipped.has(p.key));
    if (skipped.size > 0) log(`resuming: ${skipped.size} partitions already exported and unchanged, ${todo.length} to do`);

    // Each publish derives the rollups of the months finished since the last one.
    let published: ManifestFile[] = (await readLakeManifest(root).catch(() => null))?.files ?? [];
    const publish = async () => {
      const files = parts.map((p) => state.partitions[p.key]?.file).filter((f): f is ManifestFile => f !== undefined);
      const manifest = await publishManifest(duck, root, files, published);
      published = manifest.files;
      return manifest;
    };

    const fetchCsv = async (p: Partition): Promise<{ path: string; bytes: number; seconds: number }> => {
      const t0 = performance.now();
      const path = join(work, `${p.key.replace(/[^A-Za-z0-9_-]/g, '_')}.csv`);
      const cols = p.table === 'options' ? RAW_OPTIONS_COLUMNS.map(([n]) => `"${n}"`).join(', ') : mappedSelectList(p.table, mapping);
      const bytes = await copyOutToFile(client, sourceSelectSql(p, cols), path);
      return { path, bytes, seconds: (performance.now() - t0) / 1000 };
    };

    let done = 0;
    let exportedRows = 0;
    let next = todo[0] ? fetchCsv(todo[0]) : null;
    for (let i = 0; i < todo.length; i++) {
      const p = todo[i]!;
      const csv = await next!;
      next = todo[i + 1] ? fetchCsv(todo[i + 1]!) : null;
      // If this partition fails, the prefetch must not surface as an unhandled rejection.
      next?.catch(() => {});
      const t0 = performance.now();
      const st = await exportPartition(duck, root, mig, work, p, csv.path, csv.bytes, mapping);
      st.seconds = csv.seconds + (performance.now() - t0) / 1000;
      await rm(csv.path, { force: true });
      state.partitions[p.key] = st;
      await writeJsonAtomic(statePath, state);
      await publish();
      exportedRows += st.sourceRows;
      done += 1;
      const q = Object.entries(st.counts).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ');
      log(`${p.key.padEnd(20)} source ${fmt(st.sourceRows).padStart(10)}  lake ${fmt(st.lakeRows).padStart(10)}  ${st.seconds.toFixed(2)} s${q ? `  [${q}]` : ''}`);
      if (done >= pauseAfter && !carry.paused) {
        console.error(`export: paused after ${done} partitions (${PAUSE_ENV})`);
        const resume = process.env[RESUME_ENV];
        if (!resume) await new Promise(() => {});
        while (!existsSync(resume!)) await sleep(50);
        carry.paused = true;
      }
      carry.exported.set(p.key, st.sourceRows);
    }
    // Rows without a date belong to no partition: they go to their own rejects file (null_key).
    const undated = await exportUndated(client, mig, work);
    // They are read (and rejected) on every run, so they count among the rows this run exported.
    exportedRows += undated;
    await client.query('COMMIT');
    const manifest = await publish();

    const seconds = (performance.now() - started) / 1000;
    // Partitions an abandoned attempt of this run finished were skipped by this one, but this run exported them.
    const earlier = [...skipped].filter((k) => carry.exported.has(k));
    for (const k of earlier) {
      skipped.delete(k);
      exportedRows += carry.exported.get(k)!;
    }
    const report: ExportReport = {
      source,
      out: root,
      partitions: parts.map((p) => ({ ...state.partitions[p.key]!, skipped: skipped.has(p.key) })),
      rows: {},
      counts: zeroCounts(),
      exported: { partitions: todo.length + earlier.length, sourceRows: exportedRows },
      skipped: skipped.size,
      tmpRemoved,
      seconds,
      rowsPerSecond: exportedRows / seconds,
      datasetVersion: manifest.datasetVersion,
      reconnects: carry.reconnects,
    };
    for (const p of report.partitions) {
      const r = (report.rows[p.table] ??= { source: 0, lake: 0, rejects: 0 });
      r.source += p.sourceRows;
      r.lake += p.lakeRows;
      r.rejects += p.rejects;
      addCounts(report.counts, p.counts);
    }
    if (undated > 0) {
      const r = (report.rows.options ??= { source: 0, lake: 0, rejects: 0 });
      r.source += undated;
      r.rejects += undated;
      report.counts.null_key += undated;
      log(`options: ${undated} rows without a date -> ${MIGRATION_DIR}/rejects/options_undated_rejects.csv`);
    }
    await writeJsonAtomic(join(mig, REPORT_FILE), report);
    return report;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    session.close();
    await client.end().catch(() => {});
    await rm(work, { recursive: true, force: true });
  }
}

/** options_chain rows with a NULL date, written as rejects; returns their count. */
async function exportUndated(client: PgClient, mig: string, work: string): Promise<number> {
  const name = 'options_undated_rejects.csv';
  const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM options_chain WHERE date IS NULL');
  const n = Number(rows[0]?.n ?? 0);
  if (n === 0) {
    await rm(join(mig, 'rejects', name), { force: true });
    return 0;
  }
  const cols = RAW_OPTIONS_COLUMNS.map(([c]) => `"${c}"`).join(', ');
  const tmp = join(work, name);
  await writeFile(tmp, `reason,${RAW_OPTIONS_COLUMNS.map(([c]) => c).join(',')}\n`);
  const body = join(work, `${name}.body`);
  await copyOutToFile(client, `SELECT 'null_key', ${cols} FROM options_chain WHERE date IS NULL ORDER BY id`, body);
  await writeFile(tmp, await readFile(body), { flag: 'a' });
  await rename(tmp, join(mig, 'rejects', name));
  return n;
}

async function exportPartition(
  duck: DuckDBConnection, root: string, mig: string, work: string, p: Partition, csv: string, bytes: number, mapping: SourceMapping,
): Promise<PartitionState> {
  const partition = p.year === undefined ? undefined : { year: p.year, ...(p.month === undefined ? {} : { month: p.month }) };
  if (p.table !== 'options') {
    const cols = mapping[p.table].map((c): [string, string] => [c.name, c.lakeType]);
    const columnTypes = typeOverrides(p.table, mapping);
    const file = await writeLakeFile({ conn: duck, select: `SELECT * FROM ${csvRelation(csv, bytes, cols)}`, table: p.table, root, columnTypes, ...(partition ? { partition } : {}) });
    // No cleaning rules for these tables: every source row is a lake row.
    return { table: p.table, key: p.key, sourceRows: file.rows, lakeRows: file.rows, rejects: 0, counts: zeroCounts(), file, seconds: 0 };
  }
  await duck.run(stageOptionsDuckSql(csvRelation(csv, bytes, RAW_OPTIONS_COLUMNS)));
  await duck.run(KEEP_OPTIONS_DUCK_SQL);
  const reader = await duck.runAndReadAll(COUNT_OPTIONS_DUCK_SQL);
  const names = reader.columnNames();
  const row = reader.getRows()[0] ?? [];
  const n = (name: string): number => Number(row[names.indexOf(name)] ?? 0);
  const counts = zeroCounts();
  for (const k of Object.keys(counts) as (keyof QuirkCounts)[]) counts[k] = n(k);
  const rejects = REJECT_REASONS.reduce((s, r) => s + counts[r], 0);
  let rejectsFile: string | undefined;
  if (rejects > 0) {
    // Rejects keep every source column and the reason; written whole, then renamed into place.
    const name = `${filePath('options', partition).split('/').pop()!.replace(/\.parquet$/, '')}_rejects.csv`;
    const tmp = join(work, name);
    await duck.run(`COPY (${REJECTS_SELECT}) TO ${quoteString(tmp)} (FORMAT csv, HEADER true)`);
    await rename(tmp, join(mig, 'rejects', name));
    rejectsFile = `rejects/${name}`;
  } else {
    const name = `${filePath('options', partition).split('/').pop()!.replace(/\.parquet$/, '')}_rejects.csv`;
    await rm(join(mig, 'rejects', name), { force: true });
  }
  const file = await writeLakeFile({ conn: duck, select: KEPT_SELECT, table: 'options', root, ...(partition ? { partition } : {}) });
  await duck.run('DROP TABLE kept');
  await duck.run('DROP TABLE staged');
  if (file.rows !== n('lake_rows')) throw new Error(`${p.key}: wrote ${file.rows} rows, expected ${n('lake_rows')}`);
  return {
    table: 'options', key: p.key, sourceRows: n('source_rows'), lakeRows: file.rows, rejects, counts, file, seconds: 0,
    ...(rejectsFile ? { rejectsFile } : {}),
  };
}
