// The view SQL gives the same answers in DuckDB-WASM (the browser's engine, node build) and in
// native DuckDB, over the same generated lake.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryResult } from '../../src/engine/api.ts';
import { columnsToRows } from '../../src/lake/result.ts';
import { atmIvHistorySql } from '../../src/lake/queries/index.ts';
import { VIEW_NAMES, pathLocator, type Locate } from '../../src/lake/views.ts';
import { openNative } from '../../src/node/engines/native.ts';
import { openWasm, type LocalEngine } from '../../src/node/engines/wasm.ts';
import { smallLake } from '../support/small-lake.ts';

let lake: string;
let wasm: LocalEngine;
let native: LocalEngine;

beforeAll(async () => {
  lake = smallLake();
  [wasm, native] = await Promise.all([openWasm(lake), openNative(lake)]);
});

afterAll(async () => {
  await Promise.all([wasm?.close(), native?.close()]);
});

function close(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    return a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  }
  return a === b;
}

function expectSameRows(a: QueryResult, b: QueryResult): void {
  expect(a.rows).toBe(b.rows);
  expect(a.columns.map((c) => [c.name, c.kind])).toEqual(b.columns.map((c) => [c.name, c.kind]));
  const ra = columnsToRows(a);
  const rb = columnsToRows(b);
  for (let i = 0; i < ra.length; i++) {
    for (const key of Object.keys(ra[i]!)) {
      if (!close(ra[i]![key], rb[i]![key])) {
        throw new Error(`row ${i} column ${key}: wasm ${String(ra[i]![key])} vs native ${String(rb[i]![key])}`);
      }
    }
  }
}

describe('views: DuckDB-WASM equals native DuckDB', () => {
  it.each(VIEW_NAMES)('%s', async (view) => {
    const count = `SELECT count(*) AS n FROM ${view}`;
    const [cw, cn] = await Promise.all([wasm.query(count), native.query(count)]);
    expectSameRows(cw, cn);
    expect(Number((cw.columns[0]!.values as Float64Array)[0])).toBeGreaterThan(0);
    const sample = `SELECT * FROM ${view} ORDER BY ALL LIMIT 300`;
    expectSameRows(await wasm.query(sample), await native.query(sample));
  });

  it('the ATM IV history query agrees and is plausible', async () => {
    const sql = atmIvHistorySql(wasm.manifest, pathLocator(lake), { symbol: 'SPY', from: '2025-07-01', to: '2025-07-31' });
    const [w, n] = await Promise.all([wasm.query(sql), native.query(sql)]);
    expectSameRows(w, n);
    expect(w.rows).toBeGreaterThanOrEqual(20);
    for (const row of columnsToRows(w)) {
      expect(row.date as string).toMatch(/^2025-07-/);
      expect(row.atm_iv as number).toBeGreaterThan(0.03);
      expect(row.atm_iv as number).toBeLessThan(2);
    }
  });
});

describe('partition pruning from the manifest', () => {
  // The raw-table path, as for a lake published before rollups existed.
  const rawOnly = () => ({ ...wasm.manifest, files: wasm.manifest.files.filter((f) => f.table !== 'options_daily') });

  it('a one-month query names only that month’s options file', () => {
    const seen: string[] = [];
    const locate: Locate = (f) => {
      seen.push(f.path);
      return f.path;
    };
    atmIvHistorySql(rawOnly(), locate, { symbol: 'SPY', from: '2025-07-01', to: '2025-07-31' });
    expect(seen).toEqual(['options/year=2025/month=07/options_2025_07.parquet']);
  });

  it('a range across months names each month once, in range only', () => {
    const seen: string[] = [];
    atmIvHistorySql(rawOnly(), (f) => (seen.push(f.path), f.path), { symbol: 'SPY', from: '2025-06-15', to: '2025-07-10' });
    expect(seen.sort()).toEqual([
      'options/year=2025/month=06/options_2025_06.parquet',
      'options/year=2025/month=07/options_2025_07.parquet',
    ]);
  });

  it('with a current rollup the history reads only the year\'s options_daily file', () => {
    const seen: string[] = [];
    atmIvHistorySql(wasm.manifest, (f) => (seen.push(f.path), f.path), { symbol: 'SPY', from: '2025-06-15', to: '2025-07-10' });
    expect(seen).toEqual(['rollups/year=2025/options_daily_2025.parquet']);
  });

  it('refuses values that would break out of the SQL string', () => {
    expect(() => atmIvHistorySql(wasm.manifest, pathLocator(lake), { symbol: "SPY'--", from: '2025-07-01', to: '2025-07-31' })).toThrow(/symbol/);
  });
});
