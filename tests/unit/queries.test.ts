// The app's queries on a generated lake: DuckDB-WASM (the browser's engine) equals native DuckDB,
// and the answers make financial sense.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryResult } from '../../src/engine/api.ts';
import { accuracy, type ForecastOutcome } from '../../src/lake/metrics.ts';
import { outcomesSql } from '../../src/lake/metrics.ts';
import * as q from '../../src/lake/queries/index.ts';
import { columnsToRows } from '../../src/lake/result.ts';
import { pathLocator } from '../../src/lake/views.ts';
import { openNative } from '../../src/node/engines/native.ts';
import { openWasm, type LocalEngine } from '../../src/node/engines/wasm.ts';
import { smallLake } from '../support/small-lake.ts';

let lake: string;
let wasm: LocalEngine;
let native: LocalEngine;
const DATE = '2025-07-15';
const EXPIRY_PICK = 30;

beforeAll(async () => {
  lake = smallLake();
  [wasm, native] = await Promise.all([openWasm(lake), openNative(lake)]);
});
afterAll(async () => Promise.all([wasm?.close(), native?.close()]));

async function both(sql: string): Promise<Record<string, unknown>[]> {
  const [w, n]: [QueryResult, QueryResult] = await Promise.all([wasm.query(sql), native.query(sql)]);
  const rw = columnsToRows(w);
  const rn = columnsToRows(n);
  expect(rw.length).toBe(rn.length);
  rw.forEach((row, i) => {
    for (const [k, v] of Object.entries(row)) {
      const o = rn[i]![k];
      if (typeof v === 'number' && typeof o === 'number') expect(v).toBeCloseTo(o, 9);
      else expect(v).toEqual(o);
    }
  });
  return rw;
}

const loc = () => pathLocator(lake);
const snap = { symbol: 'SPY', date: DATE };

describe('symbol page queries', () => {
  it('expected move grows with the horizon, both methods agree in size', async () => {
    const rows = await both(q.expectedMoveSql(snap));
    expect(rows.map((r) => r.horizon)).toEqual(['1D', '1W', '1M']);
    const iv = rows.map((r) => r.em_iv as number);
    expect(iv[0]!).toBeLessThan(iv[1]!);
    expect(iv[1]!).toBeLessThan(iv[2]!);
    for (const r of rows) {
      const ratio = (r.em_straddle as number) / (r.em_iv as number);
      expect(ratio).toBeGreaterThan(0.5);
      expect(ratio).toBeLessThan(1.5);
    }
  });

  it('chain: strikes around the spot, calls and puts side by side', async () => {
    const exps = await both(q.expirationsSql(wasm.manifest, loc(), snap));
    expect(exps.length).toBeGreaterThan(5);
    const expiry = exps.reduce((a, b) => (Math.abs((b.dte as number) - EXPIRY_PICK) < Math.abs((a.dte as number) - EXPIRY_PICK) ? b : a));
    const chain = await both(q.chainSql(wasm.manifest, loc(), { ...snap, expiry: expiry.expiration as string }, 5));
    expect(chain).toHaveLength(10);
    const strikes = chain.map((r) => r.strike as number);
    expect([...strikes].sort((a, b) => a - b)).toEqual(strikes);
    // Call deltas fall and put deltas fall (more negative... toward -1) as strike rises.
    expect(chain[0]!.call_delta as number).toBeGreaterThan(chain[9]!.call_delta as number);
    expect(chain[0]!.put_delta as number).toBeGreaterThan(chain[9]!.put_delta as number);
    for (const r of chain) {
      expect(r.call_bid as number).toBeLessThanOrEqual(r.call_ask as number);
      for (const side of ['call', 'put']) {
        const [bid, ask, mid] = ['bid', 'ask', 'mid'].map((c) => r[`${side}_${c}`] as number) as [number, number, number];
        expect(mid).toBeCloseTo((bid + ask) / 2, 9);
        expect(r[`${side}_spread`] as number).toBeCloseTo(ask - bid, 9);
        expect(r[`${side}_gamma`] as number).toBeGreaterThan(0);
        expect(r[`${side}_theta`] as number).toBeLessThan(0);
        expect(r[`${side}_vega`] as number).toBeGreaterThan(0);
      }
      expect(r.call_breakeven as number).toBeCloseTo((r.strike as number) + (r.call_mid as number), 9);
      expect(r.put_breakeven as number).toBeCloseTo((r.strike as number) - (r.put_mid as number), 9);
    }
  });

  it('term structure, skew, surface and volume/OI are consistent', async () => {
    const term = await both(q.termStructureSql(wasm.manifest, loc(), snap));
    expect(term.length).toBeGreaterThan(5);
    const expiry = term[Math.min(3, term.length - 1)]!.expiration as string;
    const skew = await both(q.skewSql(wasm.manifest, loc(), { ...snap, expiry }));
    const puts = skew.filter((r) => r.call_put === 'P');
    // Equity skew: the lowest-strike put is richer than the ATM one.
    const atm = puts.reduce((a, b) => (Math.abs(b.log_moneyness as number) < Math.abs(a.log_moneyness as number) ? b : a));
    expect(puts[0]!.iv as number).toBeGreaterThan(atm.iv as number);
    const surface = await both(q.surfaceSql(wasm.manifest, loc(), snap));
    expect(new Set(surface.map((r) => r.dte)).size).toBe(term.length);
    const vo = await both(q.volumeOiSql(wasm.manifest, loc(), { ...snap, expiry }));
    expect(vo.length).toBe(new Set(skew.map((r) => r.strike)).size);
  });

  it('history: IV rank in 0-100 and put/call ratios positive', async () => {
    const range = { symbol: 'QQQ', from: '2025-06-01', to: '2025-07-31' };
    const rank = await both(q.ivRankSql(wasm.manifest, loc(), range));
    expect(rank.length).toBeGreaterThan(30);
    for (const r of rank) {
      expect(r.iv_rank as number).toBeGreaterThanOrEqual(0);
      expect(r.iv_rank as number).toBeLessThanOrEqual(100);
    }
    const hist = await both(q.atmIvHistorySql(wasm.manifest, loc(), range));
    for (const r of hist) expect(r.put_call_oi as number).toBeGreaterThan(0);
  });
});

describe('forecast and screener queries', () => {
  it('accuracy in SQL equals the TypeScript reference on the same outcomes', async () => {
    const from = '2025-05-01';
    const to = '2025-08-29';
    const sqlRows = await both(q.accuracySql(wasm.manifest, from, to, 'AAPL'));
    expect(sqlRows.length).toBeGreaterThan(0);
    const outcomes = columnsToRows(await native.query(`${outcomesSql(`l.quote_date BETWEEN DATE '${from}' AND DATE '${to}' AND f.underlying = 'AAPL'`)}`));
    for (const row of sqlRows) {
      const mine = outcomes.filter((o) => o.model === row.model && o.horizon === row.horizon) as unknown as ForecastOutcome[];
      const ref = accuracy(mine);
      expect(row.n).toBe(ref.n);
      for (const k of ['coverage_68', 'coverage_95', 'mae', 'mape', 'pinball_68', 'pinball_95'] as const) {
        expect(row[k] as number).toBeCloseTo(ref[k], 10);
      }
    }
  });

  it('the over-confident model covers less than the calibrated ones', async () => {
    const rows = await both(q.calibrationSql(wasm.manifest, '2025-05-01', '2025-08-29'));
    const cov = (m: string) => rows.filter((r) => r.model === m).map((r) => r.coverage_68 as number);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(cov('gbm-v1'))).toBeLessThan(mean(cov('baseline')));
  });

  it('forecast series has one point per date with ordered bands', async () => {
    const rows = await both(q.forecastSeriesSql({ symbol: 'SPY', model: 'qrf-v2', horizon: '5d', from: '2025-06-01', to: '2025-07-31' }));
    expect(new Set(rows.map((r) => r.date)).size).toBe(rows.length);
    for (const r of rows) {
      expect(r.band95_low as number).toBeLessThanOrEqual(r.band68_low as number);
      expect(r.band68_high as number).toBeLessThanOrEqual(r.band95_high as number);
    }
  });

  it('forecast series reaches the newest forecasts, whose outcome is still open', async () => {
    const rows = await both(q.forecastSeriesSql({ symbol: 'SPY', model: 'qrf-v2', horizon: '5d', from: '2025-08-01', to: '2025-08-29' }));
    const last = rows[rows.length - 1]!;
    expect(last.date).toBe('2025-08-29');
    expect(last.realized).toBeNull();
    expect(last.em_hat as number).toBeGreaterThan(0);
    expect(last.spot as number).toBeGreaterThan(0);
    // Early August's 5-day forecasts have their outcome: the LEFT JOIN keeps the labels it has.
    expect(rows.filter((r) => r.realized !== null).length).toBeGreaterThan(10);
  });

  it('skew metrics: one row per trading day at the expiry nearest 30 days, equity skew negative', async () => {
    const rows = await both(q.skewMetricsSql({ symbol: 'SPY', from: '2025-07-01', to: '2025-07-31' }));
    expect(rows.length).toBeGreaterThan(18);
    expect(new Set(rows.map((r) => r.date)).size).toBe(rows.length);
    for (const r of rows) {
      expect(Math.abs((r.dte as number) - 30)).toBeLessThan(15);
      expect(r.fly25 as number).toBeGreaterThan(0);
    }
    expect(rows.reduce((s, r) => s + (r.rr25 as number), 0)).toBeLessThan(0);
  });

  it('screener: one row per symbol with the volatility state', async () => {
    const rows = await both(q.screenerSql(wasm.manifest, loc(), '2025-07-01', '2025-07-31'));
    expect(rows.map((r) => r.symbol)).toEqual(['AAPL', 'QQQ', 'SPY']);
    for (const r of rows) {
      expect(r.as_of).toBe('2025-07-31');
      expect(r.iv_hv_spread as number).toBeCloseTo((r.iv as number) - (r.hv as number), 12);
      expect(r.avg_daily_volume as number).toBeGreaterThan(0);
    }
  });

  it('rejects values that would change a query', () => {
    expect(() => q.forecastSeriesSql({ symbol: 'SPY', model: "x' OR 1=1--", horizon: '1d', from: '2025-01-01', to: '2025-02-01' })).toThrow(/model/);
    expect(() => q.chainSql(wasm.manifest, loc(), { ...snap, expiry: '2025-13-01;' })).toThrow(/date/);
  });
});
