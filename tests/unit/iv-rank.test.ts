// IV rank and IV percentile, the Symbol page's headline: the worker's SQL (ivRankHeadlineSql) on
// both engines equals a direct computation over the raw volatility rows, and the values the
// generator stored in the table where the data holds a whole 252-day window.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IV_WINDOW_DAYS, ivRankHeadlineSql } from '../../src/lake/queries/index.ts';
import { columnsToRows } from '../../src/lake/result.ts';
import { pathLocator } from '../../src/lake/views.ts';
import { openNative } from '../../src/node/engines/native.ts';
import { openWasm, type LocalEngine } from '../../src/node/engines/wasm.ts';
import { generate } from '../../src/node/generate/index.ts';

let dir: string;
let lake: string;
let wasm: LocalEngine;
let native: LocalEngine;
/** The raw table: every (date, iv, iv_rank, iv_percentile) of a symbol, in date order. */
let raw: { date: string; iv: number; rank: number; pct: number }[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'quantiv-iv-rank-'));
  lake = join(dir, 'lake');
  // More than a year, so late dates have a whole window inside the data and early ones do not.
  await generate({ out: lake, symbols: ['TSLA', 'KO'], from: '2024-01-02', to: '2025-03-31', seed: 9, strikes: 1, quiet: true });
  [wasm, native] = await Promise.all([openWasm(lake), openNative(lake)]);
  const files = wasm.manifest.files.filter((f) => f.table === 'volatility').map((f) => `'${join(lake, f.path)}'`);
  raw = columnsToRows(await native.query(`SELECT strftime(date, '%Y-%m-%d') AS date, iv::DOUBLE AS iv, iv_rank::DOUBLE AS rank,
    iv_percentile::DOUBLE AS pct FROM read_parquet([${files.join(', ')}]) WHERE symbol = 'TSLA' ORDER BY date`)) as typeof raw;
}, 120_000);
afterAll(async () => {
  await Promise.all([wasm?.close(), native?.close()]);
  await rm(dir, { recursive: true, force: true });
});

/** The definitions, over the raw rows: rank over today and the 251 days before, percentile over the 252 before. */
function reference(i: number): { rank: number; pct: number | null; days: number; low: number; high: number } {
  const win = raw.slice(Math.max(0, i - IV_WINDOW_DAYS + 1), i + 1).map((r) => r.iv);
  const prior = raw.slice(Math.max(0, i - IV_WINDOW_DAYS), i).map((r) => r.iv);
  const low = Math.min(...win), high = Math.max(...win), now = raw[i]!.iv;
  return {
    rank: (100 * (now - low)) / (high - low),
    pct: prior.length ? (100 * prior.filter((v) => v < now).length) / prior.length : null,
    days: win.length,
    low,
    high,
  };
}

async function headline(engine: LocalEngine, date: string): Promise<Record<string, unknown>[]> {
  return columnsToRows(await engine.query(ivRankHeadlineSql(engine.manifest, pathLocator(lake), { symbol: 'TSLA', date })));
}

describe('IV rank and IV percentile headline', () => {
  it('equals the definitions over the raw rows, on both engines, with the window as the sparkline', async () => {
    expect(raw.length).toBeGreaterThan(IV_WINDOW_DAYS + 20);
    for (const i of [5, 100, IV_WINDOW_DAYS, raw.length - 30, raw.length - 1]) {
      const date = raw[i]!.date;
      const ref = reference(i);
      for (const engine of [wasm, native]) {
        const rows = await headline(engine, date);
        expect(rows.length, date).toBe(ref.days);
        expect(rows.map((r) => r.iv)).toEqual(raw.slice(i + 1 - ref.days, i + 1).map((r) => r.iv));
        const h = rows[0]!;
        expect(String(h.as_of).slice(0, 10)).toBe(date);
        expect(h.days).toBe(ref.days);
        expect(h.low).toBe(ref.low);
        expect(h.high).toBe(ref.high);
        expect(h.iv_rank as number).toBeCloseTo(ref.rank, 9);
        if (ref.pct === null) expect(h.iv_percentile).toBeNull();
        else expect(h.iv_percentile as number).toBeCloseTo(ref.pct, 9);
      }
    }
  });

  it('matches the generator stored rank and percentile once a whole window is in the data', async () => {
    let compared = 0;
    for (let i = IV_WINDOW_DAYS; i < raw.length; i += 7) {
      const h = (await headline(wasm, raw[i]!.date))[0]!;
      expect(h.days).toBe(IV_WINDOW_DAYS);
      // The table holds them rounded to 2 decimals (NUMERIC(5,2) in the legacy schema).
      expect(Math.abs((h.iv_rank as number) - raw[i]!.rank)).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(Math.abs((h.iv_percentile as number) - raw[i]!.pct)).toBeLessThanOrEqual(0.005 + 1e-9);
      compared++;
    }
    expect(compared).toBeGreaterThan(5);
  });

  it('a date before any data gives no rows; a bad symbol is refused before SQL', async () => {
    expect(await headline(wasm, '2023-06-01')).toEqual([]);
    expect(() => ivRankHeadlineSql(wasm.manifest, pathLocator(lake), { symbol: "X'; DROP", date: '2025-01-02' })).toThrow();
  });
});
