// options_daily: written by the generator in the same publish as its rows, read by the Symbol
// page, the screener and the legacy views with the same numbers as the raw options, re-derived
// incrementally by later publishes, and checked (validate) against the raw rows.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest, ManifestFile } from '../../src/lake/manifest.ts';
import * as q from '../../src/lake/queries/index.ts';
import { columnsToRows } from '../../src/lake/result.ts';
import { currentRollupYears, rollupCoversAll, rollupProblems, wholeMonths } from '../../src/lake/rollups.ts';
import { LEGACY_VIEWS, LEGACY_VIEWS_FROM_ROLLUP, pathLocator } from '../../src/lake/views.ts';
import { isRollup, TABLES } from '../../src/lake/schema.ts';
import { openDuck, type DuckSession } from '../../src/node/duck.ts';
import { openWasm, type LocalEngine } from '../../src/node/engines/wasm.ts';
import { generate } from '../../src/node/generate/index.ts';
import { readLakeManifest } from '../../src/node/lake-io.ts';
import { sha256File, writeLakeFile, writeManifest } from '../../src/node/lake-writer.ts';
import { checkRollups, deriveRollups, publishManifest, refreshRollups } from '../../src/node/rollups.ts';

let dir: string;
let lake: string;
let manifest: Manifest;
let wasm: LocalEngine;
let duck: DuckSession;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'quantiv-rollups-'));
  // Two calendar years, so two yearly rollup files.
  const gen = await generate({ out: join(dir, 'lake'), symbols: ['SPY', 'QQQ'], from: '2024-11-01', to: '2025-02-28', seed: 5, strikes: 4, quiet: true });
  lake = gen.root;
  manifest = await readLakeManifest(lake);
  [wasm, duck] = await Promise.all([openWasm(lake), openDuck(':memory:', { threads: '2' })]);
});

afterAll(async () => {
  await wasm?.close();
  duck?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const withoutRollups = (m: Manifest): Manifest => ({ ...m, files: m.files.filter((f) => !isRollup(f.table)) });

/** Rows equal value for value; doubles to 1e-12 relative (a sum of sums vs one sum). */
async function expectSameRows(a: string, b: string, atLeast: number): Promise<void> {
  const [ra, rb] = (await Promise.all([wasm.query(a), wasm.query(b)])).map(columnsToRows);
  expect(ra!.length).toBe(rb!.length);
  expect(ra!.length).toBeGreaterThanOrEqual(atLeast);
  ra!.forEach((row, i) => {
    expect(Object.keys(row)).toEqual(Object.keys(rb![i]!));
    for (const [k, v] of Object.entries(row)) {
      const o = rb![i]![k];
      if (typeof v === 'number' && typeof o === 'number' && v !== o) {
        expect(Math.abs(v - o), `row ${i} ${k}: ${v} vs ${o}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(v), Math.abs(o)));
      } else expect(v, `row ${i} ${k}`).toEqual(o);
    }
  });
}

describe('the generator publishes options_daily with its rows', () => {
  it('one current file per year, listing the year\'s options files as its sources', () => {
    const rollups = manifest.files.filter((f) => f.table === 'options_daily');
    expect(rollups.map((f) => f.partition.year).sort()).toEqual(['2024', '2025']);
    expect(rollupProblems(manifest.files)).toEqual([]);
    expect(rollupCoversAll(manifest)).toBe(true);
    const options2025 = manifest.files.filter((f) => f.table === 'options' && f.partition.year === '2025').map((f) => f.sha256).sort();
    expect(rollups.find((f) => f.partition.year === '2025')!.sources).toEqual(options2025);
    const forecastSources = manifest.files.filter((f) => ['em_forecasts', 'em_labels', 'atm_features'].includes(f.table)).map((f) => f.sha256).sort();
    expect(manifest.files.filter((f) => f.table === 'forecast_daily').map((f) => f.sources)).toEqual([forecastSources]);
    expect(manifest.files.filter((f) => f.table === 'forecast_monthly').map((f) => f.sources)).toEqual([forecastSources]);
  });
});

describe('codecs follow the schema', () => {
  it('rollups are written uncompressed (decode-bound in the browser), every other table as ZSTD', async () => {
    for (const f of manifest.files) {
      // An empty file (this lake's funds report no earnings) has no column chunk to carry a codec.
      if (f.rows === 0) continue;
      const rows = (await duck.conn.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata('${join(lake, f.path)}')`)).getRows();
      expect(rows.map((r) => String(r[0])), f.path).toEqual([TABLES[f.table].compression ?? 'ZSTD']);
    }
    expect(manifest.files.filter((f) => TABLES[f.table].compression === 'UNCOMPRESSED').map((f) => f.table).sort())
      .toEqual(['forecast_daily', 'forecast_monthly', 'options_daily', 'options_daily']);
  });
});

describe('wholeMonths: the months forecast_monthly answers for', () => {
  it.each([
    ['2024-11-01', '2025-02-28', { first: '2024-11-01', end: '2025-02-28' }],
    ['2024-11-15', '2025-02-10', { first: '2024-12-01', end: '2025-01-31' }],
    ['2024-12-02', '2025-01-31', { first: '2025-01-01', end: '2025-01-31' }],
    ['2024-02-01', '2024-02-29', { first: '2024-02-01', end: '2024-02-29' }],
    ['1900-01-01', '2999-12-31', { first: '1900-01-01', end: '2999-12-31' }],
  ])('%s to %s', (from, to, want) => expect(wholeMonths(from, to)).toEqual(want));
  it.each([['2024-11-15', '2024-12-10'], ['2024-02-01', '2024-02-28'], ['2025-01-02', '2025-01-31']])('none in %s to %s', (from, to) => {
    expect(wholeMonths(from, to)).toBeNull();
  });
});

describe('pages read the rollup and show the raw-table numbers', () => {
  const loc = () => pathLocator(lake);
  it.each(['SPY', 'QQQ'])('Symbol history panel, %s', async (symbol) => {
    const r = { symbol, from: '2024-11-01', to: '2025-02-28' };
    const fast = q.atmIvHistorySql(manifest, loc(), r);
    const raw = q.atmIvHistorySql(withoutRollups(manifest), loc(), r);
    expect(fast).toContain('options_daily');
    expect(raw).not.toContain('options_daily');
    await expectSameRows(fast, raw, 70);
  });

  it('screener', async () => {
    const fast = q.screenerSql(manifest, loc(), '2024-12-01', '2025-01-31');
    const raw = q.screenerSql(withoutRollups(manifest), loc(), '2024-12-01', '2025-01-31');
    expect(fast).toContain('options_daily');
    await expectSameRows(fast, raw, 2);
  });

  it('screener sparklines read the rollup and match the history panel per symbol; none without a rollup', async () => {
    const spark = q.screenerSparkSql(manifest, loc(), '2024-12-01', '2025-01-31')!;
    expect(spark).toContain('options_daily');
    expect(q.screenerSparkSql(withoutRollups(manifest), loc(), '2024-12-01', '2025-01-31')).toBeNull();
    const history = q.atmIvHistorySql(withoutRollups(manifest), loc(), { symbol: 'SPY', from: '2024-12-01', to: '2025-01-31' });
    await expectSameRows(`SELECT date, atm_iv FROM (${spark}) WHERE symbol = 'SPY' ORDER BY date`, `SELECT date, atm_iv FROM (${history}) ORDER BY date`, 30);
  });

  it.each(Object.keys(LEGACY_VIEWS_FROM_ROLLUP))('legacy view %s', async (view) => {
    const order = view === 'symbol_summary' ? 'act_symbol' : 'date, act_symbol';
    await expectSameRows(`SELECT * FROM ${view} ORDER BY ${order}`, `SELECT * FROM (${LEGACY_VIEWS[view]}) ORDER BY ${order}`, 2);
  });

  // Partial months at both ends (daily + monthly), whole months only, and less than a month (daily only).
  const ranges = [['2024-11-15', '2025-02-10'], ['2024-11-01', '2025-02-28'], ['2024-12-03', '2024-12-20']] as const;
  it.each(ranges.flatMap(([from, to]) => [['accuracy', 'SPY', from, to], ['accuracy', undefined, from, to], ['calibration', undefined, from, to]] as const))(
    'Forecasts page %s (symbol %s) %s to %s', async (what, symbol, from, to) => {
      const sql = (m: Manifest) => (what === 'accuracy' ? q.accuracySql(m, from, to, symbol) : q.calibrationSql(m, from, to));
      // Each partial month at an end reads forecast_daily; a range of whole months reads no daily rows.
      const whole = wholeMonths(from, to);
      expect(sql(manifest).includes('forecast_monthly')).toBe(whole !== null);
      expect(sql(manifest).includes('forecast_daily')).toBe(whole === null || from < whole.first || to > whole.end);
      expect(sql(withoutRollups(manifest))).not.toContain('forecast_');
      await expectSameRows(sql(manifest), sql(withoutRollups(manifest)), 6);
    });

  it('without a current forecast_monthly, accuracy comes from forecast_daily alone', async () => {
    const dailyOnly = { ...manifest, files: manifest.files.filter((f) => f.table !== 'forecast_monthly') };
    const sql = q.calibrationSql(dailyOnly, '2024-11-01', '2025-02-28');
    expect(sql).not.toContain('forecast_monthly');
    await expectSameRows(sql, q.calibrationSql(withoutRollups(manifest), '2024-11-01', '2025-02-28'), 6);
  });

  it('a lake without rollups still answers, from the raw options', async () => {
    const sql = q.atmIvHistorySql(withoutRollups(manifest), loc(), { symbol: 'SPY', from: '2025-01-01', to: '2025-01-31' });
    expect((await wasm.query(sql)).rows).toBeGreaterThan(15);
  });
});

/** A copy of the lake to damage. */
async function copyLake(name: string): Promise<string> {
  const root = join(dir, name);
  await cp(lake, root, { recursive: true });
  return root;
}

describe('publishing refuses stale rollups and re-derives only what changed', () => {
  it('writeManifest refuses a file list whose options changed under the rollup', async () => {
    const root = await copyLake('stale');
    // A republished January 2025: different bytes, so a different sha256.
    const jan = await writeLakeFile({
      conn: duck.conn, root, table: 'options', partition: { year: 2025, month: 1 }, suffix: 'edit',
      select: `SELECT * FROM read_parquet('${root}/options/year=2025/month=01/*.parquet') WHERE date <> DATE '2025-01-02'`,
    });
    const files = [...manifest.files.filter((f) => !(f.table === 'options' && f.partition.year === '2025' && f.partition.month === '01')), jan];
    expect(rollupProblems(files)).toEqual(['options_daily 2025: stale (summarises other options files than the manifest lists)']);
    await expect(writeManifest(root, files)).rejects.toThrow(/out-of-date rollups: options_daily 2025: stale/);

    const published = await publishManifest(duck.conn, root, files, manifest.files);
    expect(currentRollupYears(published.files)).toEqual(new Set([2024, 2025]));
    const incremental = published.files.find((f) => f.table === 'options_daily' && f.partition.year === '2025')!;
    const untouched = published.files.find((f) => f.table === 'options_daily' && f.partition.year === '2024')!;
    expect(untouched.sha256).toBe(manifest.files.find((f) => f.table === 'options_daily' && f.partition.year === '2024')!.sha256);
    const old2025 = manifest.files.find((f) => f.table === 'options_daily' && f.partition.year === '2025')!;
    // One trading day fewer: two symbols, two sides.
    expect(incremental.rows).toBe(old2025.rows - 4);

    // February was copied from the old rollup, January derived again: the same bytes as deriving
    // the whole year from scratch.
    const scratch = await deriveRollups(duck.conn, root, files.filter((f) => f.table !== 'options_daily'));
    const full = scratch.find((f) => f.table === 'options_daily' && f.partition.year === '2025')!;
    expect(full.sha256).toBe(incremental.sha256);
    expect(full.rows).toBe(incremental.rows);
  });
});

describe('validate checks rollups against the raw rows', () => {
  it('a fresh lake passes', async () => {
    const checks = await checkRollups(duck.conn, lake, manifest.files);
    expect(checks.map((c) => [c.key, c.diffs])).toEqual([['options_daily/2024', []], ['options_daily/2025', []], ['forecast_daily', []], ['forecast_monthly', []]]);
    expect(checks.every((c) => (c.rows ?? 0) > 0)).toBe(true);
  });

  it('catches an edit that keeps every total (two days swap their volume)', async () => {
    const root = await copyLake('tampered');
    const f = manifest.files.find((x) => x.table === 'options_daily' && x.partition.year === '2025')!;
    const path = join(root, f.path);
    const tmp = `${path}.edit.parquet`;
    await duck.conn.run(`COPY (
      WITH t AS (SELECT * FROM read_parquet('${path}')),
           a AS (SELECT min(date) AS d1, max(date) AS d2 FROM t WHERE act_symbol = 'SPY' AND call_put = 'C')
      SELECT * REPLACE (CASE WHEN act_symbol = 'SPY' AND call_put = 'C' AND date = (SELECT d1 FROM a)
                               THEN (SELECT volume FROM t WHERE act_symbol = 'SPY' AND call_put = 'C' AND date = (SELECT d2 FROM a))
                             WHEN act_symbol = 'SPY' AND call_put = 'C' AND date = (SELECT d2 FROM a)
                               THEN (SELECT volume FROM t WHERE act_symbol = 'SPY' AND call_put = 'C' AND date = (SELECT d1 FROM a))
                             ELSE volume END AS volume)
      FROM t ORDER BY act_symbol, date, call_put) TO '${tmp}' (FORMAT PARQUET)`);
    await cp(tmp, path);
    await rm(tmp);
    const [sum] = (await duck.conn.runAndReadAll(`SELECT sum(volume) FROM read_parquet('${path}')`)).getRows()[0]!;
    const [orig] = (await duck.conn.runAndReadAll(`SELECT sum(volume) FROM read_parquet('${join(lake, f.path)}')`)).getRows()[0]!;
    expect(sum).toBe(orig);
    // The manifest is updated to the new bytes: only the content check can catch it.
    const edited: ManifestFile = { ...f, sha256: await sha256File(path), bytes: (await readFile(path)).length };
    const files = manifest.files.map((x) => (x.path === f.path ? edited : x));
    await writeFile(join(root, 'manifest.json'), JSON.stringify({ ...manifest, files }));
    const checks = await checkRollups(duck.conn, root, files);
    expect(checks.find((c) => c.key === 'options_daily/2024')!.diffs).toEqual([]);
    expect(checks.find((c) => c.key === 'options_daily/2025')!.diffs).toEqual([
      expect.stringMatching(/^2 stored rows are not what the raw rows give, 2 derived rows are missing \(first: SPY 2025-01-02 C\)$/),
    ]);
  });
});

describe('quantiv rollup: a lake published before rollups', () => {
  it('gets them derived once, then is left alone', async () => {
    const root = await copyLake('old');
    await writeFile(join(root, 'manifest.json'), JSON.stringify(withoutRollups(manifest)));
    const first = await refreshRollups(duck.conn, root);
    expect(first.fixed).toEqual(['options_daily 2024: missing', 'options_daily 2025: missing', 'forecast_daily: missing', 'forecast_monthly: missing']);
    // The same rows give the same bytes as the generator's own rollups.
    expect(first.manifest!.files.filter((f) => isRollup(f.table)).map((f) => f.sha256).sort())
      .toEqual(manifest.files.filter((f) => isRollup(f.table)).map((f) => f.sha256).sort());
    expect(await refreshRollups(duck.conn, root)).toEqual({ fixed: [], manifest: null });
  });
});

describe('validate checks the forecast rollups against the raw forecasts', () => {
  it.each(['forecast_daily', 'forecast_monthly'])('catches one %s sum changed by a tenth of a percent', async (table) => {
    const root = await copyLake(`tampered-${table}`);
    const f = manifest.files.find((x) => x.table === table)!;
    const path = join(root, f.path);
    const tmp = `${path}.edit.parquet`;
    await duck.conn.run(`COPY (SELECT * REPLACE (CASE WHEN row_number() OVER () = 7 THEN abs_err_sum * 1.001 ELSE abs_err_sum END AS abs_err_sum)
      FROM read_parquet('${path}')) TO '${tmp}' (FORMAT PARQUET)`);
    await cp(tmp, path);
    await rm(tmp);
    const edited: ManifestFile = { ...f, sha256: await sha256File(path), bytes: (await readFile(path)).length };
    const files = manifest.files.map((x) => (x.path === f.path ? edited : x));
    const checks = await checkRollups(duck.conn, root, files);
    expect(checks.filter((c) => c.diffs.length > 0).map((c) => c.key)).toEqual([table]);
    expect(checks.find((c) => c.key === table)!.diffs).toEqual([expect.stringMatching(/^1 stored rows are not what the raw rows give, 1 derived rows are missing/)]);
  });
});
