// Derives the lake's rollups (src/lake/rollups.ts) for a file list about to be published. Only
// years whose options files changed are recomputed, and inside such a year only the changed
// months: the other months' rows are copied from the previous rollup, which is exact because a
// rollup row belongs to one trading day.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Manifest, ManifestFile } from '../lake/manifest.ts';
import {
  currentRollupYears, FORECAST_ROLLUPS, FORECAST_SOURCE_TABLES, forecastDailySql, forecastMonthlySql, forecastRollupCurrent, forecastSources, optionsDailySql, optionsSourcesByYear, rollupProblems, yearOf,
} from '../lake/rollups.ts';
import { quoteIdent, quoteString, TABLES, type RollupTableName } from '../lake/schema.ts';
import { scanFiles, pathLocator } from '../lake/views.ts';
import { readLakeManifest } from './lake-io.ts';
import { writeLakeFile, writeManifest } from './lake-writer.ts';
import { withLakeLock } from './realtime/lock.ts';

/**
 * About four symbol-years per row group: a one-symbol read fetches one group's columns, and the
 * footer stays small.
 */
export const ROLLUP_ROW_GROUP_SIZE = 2_048;

/** About ten trading days of the 40-symbol bench lake per group: a partial month reads a few. */
export const FORECAST_DAILY_ROW_GROUP_SIZE = 4_096;

const monthOf = (f: ManifestFile): number => Number(f.partition.month);

/** month -> sorted content hashes of that month's options files. */
function byMonth(files: ManifestFile[]): Map<number, string> {
  const out = new Map<number, string[]>();
  for (const f of files) out.set(monthOf(f), [...(out.get(monthOf(f)) ?? []), f.sha256]);
  return new Map([...out].map(([m, shas]) => [m, [...shas].sort().join(',')]));
}

/**
 * The previous rollup of the year, if its sources are all known files, and the months it summarised
 * from exactly the files the year has now.
 */
function reusable(root: string, year: number, now: ManifestFile[], known: ManifestFile[]): { file: ManifestFile; months: number[] } | null {
  const prev = known.find((f) => f.table === 'options_daily' && yearOf(f) === year && f.sources && existsSync(join(root, f.path)));
  if (!prev) return null;
  const options = new Map(known.filter((f) => f.table === 'options').map((f) => [f.sha256, f]));
  const summarised = prev.sources!.map((sha) => options.get(sha));
  if (summarised.some((f) => f === undefined)) return null;
  const before = byMonth(summarised as ManifestFile[]);
  const after = byMonth(now);
  const months = [...after].filter(([m, shas]) => before.get(m) === shas).map(([m]) => m);
  return months.length > 0 ? { file: prev, months } : null;
}

/**
 * The file list with every year's options_daily current: stale and orphaned rollups are dropped,
 * missing ones written. `previous` is the file list of the manifest being replaced.
 */
export async function deriveRollups(conn: DuckDBConnection, root: string, files: ManifestFile[], previous: ManifestFile[] = []): Promise<ManifestFile[]> {
  const current = currentRollupYears(files);
  const forecastsCurrent = new Set(FORECAST_ROLLUPS.filter((t) => forecastRollupCurrent(files, t)));
  const out = files.filter((f) => (f.table !== 'options_daily' || current.has(yearOf(f)))
    && (!(FORECAST_ROLLUPS as readonly string[]).includes(f.table) || forecastsCurrent.has(f.table as (typeof FORECAST_ROLLUPS)[number])));
  const known = [...files, ...previous];
  const locate = pathLocator(root);
  for (const [year, sources] of optionsSourcesByYear(files)) {
    if (current.has(year)) continue;
    const yearFiles = files.filter((f) => f.table === 'options' && yearOf(f) === year);
    const reuse = reusable(root, year, yearFiles, known);
    const fresh = yearFiles.filter((f) => !reuse?.months.includes(monthOf(f)));
    const parts: string[] = [];
    if (reuse) {
      parts.push(`SELECT * FROM read_parquet(${quoteString(locate(reuse.file))}) WHERE month(date) IN (${reuse.months.join(', ')})`);
    }
    if (fresh.length > 0) parts.push(optionsDailySql(scanFiles('options', fresh, locate)));
    out.push(await writeLakeFile({
      conn, root, table: 'options_daily', partition: { year }, sources, rowGroupSize: ROLLUP_ROW_GROUP_SIZE,
      select: parts.map((p) => `(${p})`).join(' UNION ALL BY NAME '),
    }));
  }
  const forecasts = forecastSources(files);
  if (forecasts && forecastsCurrent.size < FORECAST_ROLLUPS.length) {
    // Float sums depend on the order threads add them; one thread keeps the files' bytes (their
    // names, the datasetVersion) the same on every run.
    const [threads] = (await conn.runAndReadAll("SELECT current_setting('threads')")).getRows()[0]!;
    await conn.run('SET threads = 1');
    try {
      let daily = out.find((f) => f.table === 'forecast_daily');
      if (!daily) {
        daily = await writeLakeFile({
          conn, root, table: 'forecast_daily', sources: forecasts, rowGroupSize: FORECAST_DAILY_ROW_GROUP_SIZE,
          select: forecastDailySql(forecastRelations(files, locate)),
        });
        out.push(daily);
      }
      if (!forecastsCurrent.has('forecast_monthly')) {
        out.push(await writeLakeFile({
          conn, root, table: 'forecast_monthly', sources: forecasts,
          select: forecastMonthlySql(`read_parquet(${quoteString(locate(daily))})`),
        }));
      }
    } finally {
      await conn.run(`SET threads = ${Number(threads)}`);
    }
  }
  return out;
}

function forecastRelations(files: ManifestFile[], locate: (f: ManifestFile) => string): Record<(typeof FORECAST_SOURCE_TABLES)[number], string> {
  const rel = (t: (typeof FORECAST_SOURCE_TABLES)[number]) => scanFiles(t, files.filter((f) => f.table === t), locate);
  return { em_forecasts: rel('em_forecasts'), em_labels: rel('em_labels'), atm_features: rel('atm_features') };
}

/** Every writer's last step: derive the rollups the files need, then publish manifest.json. */
export async function publishManifest(conn: DuckDBConnection, root: string, files: ManifestFile[], previous: ManifestFile[] = []): Promise<Manifest> {
  return writeManifest(root, await deriveRollups(conn, root, files, previous));
}

export interface RollupCheck {
  table: RollupTableName;
  /** 'options_daily/2024', 'forecast_daily', 'forecast_monthly' */
  key: string;
  file: string | null;
  rows: number | null;
  diffs: string[];
}

/**
 * Each year's options_daily against the raw options rows: its sources must be the year's files,
 * and its rows must equal a fresh derivation, value for value (sums are exact DECIMALs, the median
 * is the same computation), so an edit that keeps totals still shows.
 */
export async function checkRollups(conn: DuckDBConnection, root: string, files: ManifestFile[]): Promise<RollupCheck[]> {
  const locate = pathLocator(root);
  const out: RollupCheck[] = [];
  const problems = rollupProblems(files);
  const years = new Set([...optionsSourcesByYear(files).keys(), ...files.filter((f) => f.table === 'options_daily').map(yearOf)]);
  for (const year of [...years].sort()) {
    const key = `options_daily/${year}`;
    const mine = files.filter((f) => f.table === 'options_daily' && yearOf(f) === year);
    const r: RollupCheck = { table: 'options_daily', key, file: mine[0]?.path ?? null, rows: null, diffs: problems.filter((p) => p.startsWith(`options_daily ${year}:`)).map((p) => p.slice(p.indexOf(':') + 2)) };
    out.push(r);
    if (mine.length !== 1 || !existsSync(join(root, mine[0]!.path))) continue;
    const raw = files.filter((f) => f.table === 'options' && yearOf(f) === year);
    const cols = TABLES.options_daily.columns.map((c) => quoteIdent(c.name)).join(', ');
    const stored = `SELECT ${cols} FROM read_parquet(${quoteString(locate(mine[0]!))})`;
    const derived = `SELECT ${cols} FROM (${optionsDailySql(scanFiles('options', raw, locate))})`;
    await compare(conn, r, stored, derived, `act_symbol || ' ' || CAST(date AS VARCHAR) || ' ' || call_put`);
  }
  for (const table of FORECAST_ROLLUPS) {
    const mine = files.filter((f) => f.table === table);
    if (mine.length === 0 && !forecastSources(files)) continue;
    const r: RollupCheck = { table, key: table, file: mine[0]?.path ?? null, rows: null, diffs: problems.filter((p) => p.startsWith(`${table}:`)).map((p) => p.slice(p.indexOf(':') + 2)) };
    out.push(r);
    if (mine.length !== 1 || !existsSync(join(root, mine[0]!.path))) continue;
    const columns = TABLES[table].columns;
    // Float sums: rounded to 12 significant digits, so a summation order cannot look like an edit.
    const rounded = columns
      // The derived sums are DECIMAL when a source column is (a numeric legacy column, catalog.ts).
      .map((c) => {
        const v = `CAST(${quoteIdent(c.name)} AS ${c.type})`;
        return c.type === 'DOUBLE' ? `CASE WHEN ${v} = 0 THEN 0 ELSE round(${v}, (11 - floor(log10(abs(${v}))))::INTEGER)::DOUBLE END AS ${quoteIdent(c.name)}` : quoteIdent(c.name);
      })
      .join(', ');
    const raw = forecastDailySql(forecastRelations(files, locate));
    const derived = table === 'forecast_daily' ? raw : forecastMonthlySql(`(${raw})`);
    const period = columns[3]!.name;
    await compare(conn, r, `SELECT ${rounded} FROM read_parquet(${quoteString(locate(mine[0]!))})`,
      `SELECT ${rounded} FROM (${derived})`, `coalesce(model, '') || ' ' || symbol || ' ' || horizon || ' ' || CAST(${period} AS VARCHAR)`);
  }
  return out;
}

/** Stored vs derived rows, value for value (EXCEPT ALL both ways), into r. */
async function compare(conn: DuckDBConnection, r: RollupCheck, stored: string, derived: string, keyText: string): Promise<void> {
  try {
    const res = await conn.runAndReadAll(`
      WITH s AS (${stored}), d AS (${derived}),
           only_s AS (SELECT * FROM s EXCEPT ALL SELECT * FROM d),
           only_d AS (SELECT * FROM d EXCEPT ALL SELECT * FROM s)
      SELECT (SELECT count(*) FROM s), (SELECT count(*) FROM only_s), (SELECT count(*) FROM only_d),
             (SELECT min(${keyText}) FROM (SELECT * FROM only_s UNION ALL SELECT * FROM only_d))`);
    const [n, a, b, first] = res.getRows()[0]!;
    r.rows = Number(n);
    if (Number(a) + Number(b) > 0) {
      r.diffs.push(`${Number(a)} stored rows are not what the raw rows give, ${Number(b)} derived rows are missing (first: ${String(first)})`);
    }
  } catch (err) {
    r.diffs.push(`cannot read: ${(err as Error).message.split('\n')[0]}`);
  }
}

/**
 * Brings a lake's rollups up to date in place (a lake published before they existed, or by a
 * writer that skipped them), under the writer lock. Returns the problems fixed; none: untouched.
 */
export async function refreshRollups(conn: DuckDBConnection, root: string): Promise<{ fixed: string[]; manifest: Manifest | null }> {
  return withLakeLock(root, async () => {
    const manifest = await readLakeManifest(root);
    const fixed = rollupProblems(manifest.files);
    if (fixed.length === 0) return { fixed, manifest: null };
    return { fixed, manifest: await publishManifest(conn, root, manifest.files, manifest.files) };
  });
}
