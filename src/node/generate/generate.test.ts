import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuck, type DuckSession } from '../duck.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { parseManifest, type Manifest } from '../../lake/manifest.ts';
import { TABLE_NAMES } from '../../lake/schema.ts';
import { parseGenerateArgs } from './args.ts';
import { dayOf, isTradingDay } from './calendar.ts';
import { generate, type GenerateResult } from './index.ts';
import { symbolSpec } from './universe.ts';

const opts = (out: string, over: Partial<Parameters<typeof generate>[0]> = {}) => ({
  out, symbols: ['SPY', 'NVDA', 'KO'], from: '2024-03-01', to: '2024-05-31', seed: 11, strikes: 4, quiet: true, ...over,
});

let dir: string;
let lake: GenerateResult;
let manifest: Manifest;
let db: DuckSession;
let conn: DuckDBConnection;

const q = async (sql: string): Promise<unknown[][]> => (await conn.runAndReadAll(sql)).getRows();
const one = async (sql: string): Promise<number> => Number((await q(sql))[0]![0]);
const files = (table: string): string => `[${manifest.files.filter((f) => f.table === table).map((f) => `'${join(lake.root, f.path)}'`).join(', ')}]`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'quantiv-gen-test-'));
  lake = await generate(opts(join(dir, 'a')));
  manifest = parseManifest(JSON.parse(await readFile(join(lake.root, 'manifest.json'), 'utf8')));
  db = await openDuck();
  conn = db.conn;
});

afterAll(async () => {
  db?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('generated lake', () => {
  it('has every table in the DESIGN layout, manifest last and valid', () => {
    expect(new Set(manifest.files.map((f) => f.table))).toEqual(new Set(TABLE_NAMES));
    const paths = manifest.files.map((f) => f.path);
    expect(paths).toContain('options/year=2024/month=03/options_2024_03.parquet');
    expect(paths).toContain('volatility/year=2024/volatility_2024.parquet');
    expect(paths).toContain('forecasts/em_forecasts.parquet');
    expect(paths).toContain('metadata/model_performance.parquet');
    expect(manifest.datasetVersion).toBe(lake.datasetVersion);
  });

  it('option quotes and greeks are coherent', async () => {
    const bad = await one(`SELECT count(*) FROM read_parquet(${files('options')}) WHERE
      bid > ask OR bid < 0 OR ask <= 0 OR vol <= 0 OR vol > 5 OR expiration <= date
      OR (call_put = 'C' AND (delta < 0 OR delta > 1)) OR (call_put = 'P' AND (delta < -1 OR delta > 0))
      OR gamma < 0 OR vega < 0 OR open_interest < 0 OR volume < 0 OR strike <= 0 OR call_put NOT IN ('C', 'P')`);
    expect(bad).toBe(0);
    const dates = (await q(`SELECT DISTINCT strftime(date, '%Y-%m-%d') FROM read_parquet(${files('options')})
      UNION SELECT DISTINCT strftime(expiration, '%Y-%m-%d') FROM read_parquet(${files('options')})`)).map((r) => String(r[0]));
    expect(dates.length).toBeGreaterThan(50);
    for (const d of dates) expect(isTradingDay(dayOf(d)), d).toBe(true);
    expect(dates).not.toContain('2024-03-29'); // Good Friday
    // Puts are richer than calls on the downside: the 25-delta risk reversal of SPY is negative.
    expect(await one(`SELECT avg(rr_25delta) FROM read_parquet(${files('atm_features')}) WHERE underlying = 'SPY'`)).toBeLessThan(0);
    // A sorted file: act_symbol, date, expiration, strike, call_put
    const unsorted = await one(`SELECT count(*) FROM (SELECT act_symbol, date, expiration, strike, call_put,
      lag((act_symbol, date, expiration, strike, call_put)) OVER () AS prev FROM read_parquet(${files('options')}) WHERE date < DATE '2024-04-01')
      WHERE prev >= (act_symbol, date, expiration, strike, call_put)`);
    expect(unsorted).toBe(0);
  });

  it('deep chains for index, mega and growth names, shallower listings for the rest', async () => {
    // --strikes 4: SPY and NVDA list 2x4+1 strikes per expiry and weeklies 8 weeks out; KO
    // (defensive) lists 60% of the strikes (2 per side) and weeklies only 4 weeks out.
    // A monthly is the third Friday (Thursday when that Friday is a holiday): day 15-21.
    const rows = await q(`SELECT act_symbol, min(n), max(n), max(dte) FILTER (WHERE NOT monthly)
      FROM (SELECT act_symbol, date, expiration, count(DISTINCT strike) AS n, (expiration - date)::INTEGER AS dte,
                   day(expiration) BETWEEN 15 AND 21 AND dayofweek(expiration) IN (4, 5) AS monthly
            FROM read_parquet(${files('options')}) GROUP BY act_symbol, date, expiration) GROUP BY act_symbol ORDER BY act_symbol`);
    const by = Object.fromEntries(rows.map((r) => [String(r[0]), r.slice(1).map(Number)]));
    expect(by['SPY']!.slice(0, 2)).toEqual([9, 9]);
    // (A strike at or below zero is not listed: a far-dated NVDA chain can lose its lowest one.)
    expect(by['NVDA']![1]).toBe(9);
    expect(by['KO']!.slice(0, 2)).toEqual([5, 5]);
    expect(by['SPY']![2]).toBeGreaterThan(28);
    expect(by['KO']![2]).toBeLessThanOrEqual(28);
  });

  it('labels are the realised log move of the stored spot, alpha in implied-move units', async () => {
    const rows = await q(`
      SELECT l.horizon, l.realized_move, l.alpha_multiplier, a.spot_price, e.spot_price, a.atm_iv, a.em_baseline,
             (e.quote_date - a.quote_date)::INTEGER
      FROM read_parquet(${files('em_labels')}) l
      JOIN read_parquet(${files('atm_features')}) a USING (underlying, quote_date, exp_date)
      JOIN (SELECT DISTINCT underlying, quote_date, spot_price FROM read_parquet(${files('atm_features')})) e
        ON e.underlying = l.underlying AND e.quote_date = CASE WHEN l.horizon = 'to_exp' THEN l.exp_date ELSE
          (SELECT min(quote_date) FROM read_parquet(${files('atm_features')}) x WHERE x.underlying = l.underlying
             AND x.quote_date > l.quote_date AND (SELECT count(DISTINCT quote_date) FROM read_parquet(${files('atm_features')}) y
             WHERE y.underlying = l.underlying AND y.quote_date > l.quote_date AND y.quote_date <= x.quote_date)
             = CASE WHEN l.horizon = '1d' THEN 1 ELSE 5 END) END`);
    expect(rows.length).toBeGreaterThan(500);
    const horizons = new Set<string>();
    for (const [h, rm, alpha, s0, s1, iv, em, days] of rows.map((r) => r.map((v) => (typeof v === 'string' ? v : Number(v))))) {
      horizons.add(h as string);
      expect(rm as number).toBeCloseTo(Math.abs(Math.log((s1 as number) / (s0 as number))), 12);
      const emFrac = h === 'to_exp' ? (em as number) / (s0 as number) : (iv as number) * Math.sqrt((days as number) / 365);
      expect(alpha as number).toBeCloseTo((rm as number) / emFrac, 9);
    }
    expect(horizons).toEqual(new Set(['to_exp', '1d', '5d']));
  });

  it('earnings: companies only, a price jump on the report and the IV run-up and crush around it in atm_features', async () => {
    const cal = await q(`SELECT symbol, strftime(earnings_date, '%Y-%m-%d'), session FROM read_parquet(${files('earnings')}) ORDER BY 1, 2`);
    expect(new Set(cal.map((r) => r[0]))).toEqual(new Set(['NVDA', 'KO']));
    const atm = `read_parquet(${files('atm_features')})`;
    let checked = 0;
    for (const [symbol, date, session] of cal.map((r) => r.map(String))) {
      const amc = session === 'amc';
      const [before, after] = (await q(`SELECT
          (SELECT max(quote_date) FROM ${atm} WHERE underlying = '${symbol}' AND quote_date ${amc ? '<=' : '<'} DATE '${date}'),
          (SELECT min(quote_date) FROM ${atm} WHERE underlying = '${symbol}' AND quote_date ${amc ? '>' : '>='} DATE '${date}')`))[0]!;
      if (before === null || after === null) continue;
      // The front expiry spanning the report: its ATM IV climbs as the report nears; the next day the
      // front expiry (the same one, or the next when it expired on the report) has lost the event.
      const rows = await q(`WITH front AS (
          SELECT exp_date FROM ${atm} WHERE underlying = '${symbol}' AND quote_date = '${String(before)}'
            AND exp_date ${amc ? '>' : '>='} DATE '${date}' ORDER BY exp_date LIMIT 1)
        SELECT quote_date, atm_iv FROM ${atm} JOIN front USING (exp_date) WHERE underlying = '${symbol}' ORDER BY quote_date`);
      const iv = new Map(rows.map(([d, v]) => [String(d), Number(v)]));
      const dates = [...iv.keys()];
      const i = dates.indexOf(String(before));
      const ivBefore = iv.get(String(before))!;
      const ivAfter = await one(`SELECT atm_iv FROM ${atm} WHERE underlying = '${symbol}' AND quote_date = '${String(after)}' ORDER BY exp_date LIMIT 1`);
      expect(ivAfter, `${symbol} ${date} crush`).toBeLessThan(0.8 * ivBefore);
      expect(i, `${symbol} ${date} run-up`).toBeGreaterThanOrEqual(3);
      expect(ivBefore, `${symbol} ${date} run-up`).toBeGreaterThan(iv.get(dates[i - 3]!)!);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(2);
  });

  it('volatility history is in range and the forecasts carry three models', async () => {
    expect(await one(`SELECT count(*) FROM read_parquet(${files('volatility')}) WHERE iv_rank NOT BETWEEN 0 AND 100
      OR iv_percentile NOT BETWEEN 0 AND 100 OR iv <= 0 OR hv <= 0 OR hv IS NULL`)).toBe(0);
    const cov = await q(`SELECT model_name, avg(coverage_68) FROM read_parquet(${files('model_performance')}) GROUP BY 1 ORDER BY 1`);
    expect(cov.map((r) => r[0])).toEqual(['baseline', 'gbm-v1', 'qrf-v2']);
    const c = Object.fromEntries(cov.map((r) => [r[0], Number(r[1])]));
    expect(c['gbm-v1']!).toBeLessThan(c['qrf-v2']!); // the over-confident one
    const meta = await q(`SELECT performance_metrics FROM read_parquet(${files('model_meta')})`);
    for (const [m] of meta) expect(JSON.parse(String(m)).coverage_95).toBeGreaterThan(0.5);
    expect(await one(`SELECT count(*) FROM read_parquet(${files('em_forecasts')}) WHERE NOT
      (band95_low <= band68_low AND band68_low <= em_hat AND em_hat <= band68_high AND band68_high <= band95_high)`)).toBe(0);
  });

  it('manifest rows, bytes, hashes and date ranges match the files', async () => {
    const { stat } = await import('node:fs/promises');
    const { sha256File } = await import('../lake-writer.ts');
    for (const f of manifest.files) {
      const p = join(lake.root, f.path);
      expect((await stat(p)).size).toBe(f.bytes);
      expect(await sha256File(p)).toBe(f.sha256);
      expect(await one(`SELECT count(*) FROM '${p}'`)).toBe(f.rows);
    }
    const opt = manifest.files.find((f) => f.path.includes('month=03'))!;
    expect([opt.minDate, opt.maxDate]).toEqual(['2024-03-01', '2024-03-28']);
    const fc = manifest.files.find((f) => f.table === 'em_forecasts')!;
    expect([fc.minDate, fc.maxDate]).toEqual(['2024-03-01', '2024-05-31']);
    expect(manifest.files.find((f) => f.table === 'symbols_metadata')!.minDate).toBeNull();
  });

  it('is deterministic, and a sub-range agrees with the full range', async () => {
    const again = await generate(opts(join(dir, 'b')));
    expect(again.datasetVersion).toBe(lake.datasetVersion);
    expect(again.files.map((f) => f.sha256)).toEqual(lake.files.map((f) => f.sha256));
    const april = await generate(opts(join(dir, 'c'), { from: '2024-04-01', to: '2024-04-30' }));
    const sha = (r: GenerateResult) => r.files.find((f) => f.path.includes('month=04'))!.sha256;
    expect(sha(april)).toBe(sha(lake));
    const other = await generate(opts(join(dir, 'd'), { seed: 12, from: '2024-04-01', to: '2024-04-30' }));
    expect(sha(other)).not.toBe(sha(lake));
  });
});

describe('generate flags', () => {
  it('parses defaults and symbol counts', () => {
    const d = parseGenerateArgs([]);
    expect(d).toMatchObject({ out: './data', from: '2024-01-02', to: '2025-08-29', seed: 42, strikes: 8 });
    // A universe worth screening: 30 names, ETFs and high-volatility growth names among them.
    const symbols = d !== 'help' ? d.symbols : [];
    expect(symbols).toHaveLength(30);
    expect(symbols.slice(0, 8)).toEqual(['SPY', 'QQQ', 'IWM', 'AAPL', 'MSFT', 'NVDA', 'TSLA', 'AMZN']);
    expect(symbols).toEqual(expect.arrayContaining(['XLF', 'XLE', 'SMH', 'GLD', 'TLT', 'HYG', 'AMD', 'TSLA']));
    expect(symbols.filter((s) => symbolSpec(s, 42).vol >= 0.45)).toEqual(['NVDA', 'TSLA', 'AMD']);
    const n = parseGenerateArgs(['--symbols', '12']);
    expect(n !== 'help' && n.symbols.length).toBe(12);
  });

  it('rejects bad flags with exit code 2', async () => {
    for (const argv of [
      ['generate', '--bogus'], ['generate', '--from', '2024-13-01'], ['generate', '--seed', '-1'],
      ['generate', '--from', '2025-01-01', '--to', '2024-01-01'], ['generate', '--symbols', 'SPY,,bad!'],
      ['generate', '--strikes', '0'], ['nope'],
    ]) {
      const err = console.error;
      console.error = () => {};
      try {
        expect(await main(argv), argv.join(' ')).toBe(2);
      } finally {
        console.error = err;
      }
    }
  });
});
