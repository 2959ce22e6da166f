// Earnings moves (src/lake/earnings.ts) on a generated lake: DuckDB-WASM equals native DuckDB, the
// implied move is the straddle of the first expiry spanning the report over spot on the day before,
// the realised move the close-to-close change across it, and a snapshot never sees the future.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryResult } from '../../src/engine/api.ts';
import * as q from '../../src/lake/queries/index.ts';
import { columnsToRows } from '../../src/lake/result.ts';
import { openNative } from '../../src/node/engines/native.ts';
import { openWasm, type LocalEngine } from '../../src/node/engines/wasm.ts';
import { smallLake } from '../support/small-lake.ts';

let wasm: LocalEngine;
let native: LocalEngine;

beforeAll(async () => {
  const lake = smallLake();
  [wasm, native] = await Promise.all([openWasm(lake), openNative(lake)]);
});
afterAll(async () => Promise.all([wasm?.close(), native?.close()]));

const rows = (r: QueryResult) => columnsToRows(r);

async function both(sql: string): Promise<Record<string, unknown>[]> {
  const [w, n] = await Promise.all([wasm.query(sql), native.query(sql)]);
  const rw = rows(w), rn = rows(n);
  expect(rw.length).toBe(rn.length);
  rw.forEach((row, i) => {
    for (const [k, v] of Object.entries(row)) {
      const o = rn[i]![k];
      if (typeof v === 'number' && typeof o === 'number') expect(v, k).toBeCloseTo(o, 9);
      else expect(v, k).toEqual(o);
    }
  });
  return rw;
}

const one = async (sql: string): Promise<Record<string, unknown>> => rows(await native.query(sql))[0]!;

describe('earnings moves', () => {
  it('a fund has no earnings rows', async () => {
    expect(await both(q.earningsSql({ symbol: 'SPY', date: '2025-08-29' }))).toEqual([]);
  });

  it('after a report: its implied move from the day before, its realised close-to-close move, and the next report', async () => {
    const cal = rows(await native.query(`SELECT * FROM earnings WHERE symbol = 'AAPL' ORDER BY earnings_date`));
    expect(cal.length).toBeGreaterThanOrEqual(2);
    const report = cal[0]!;
    expect(['bmo', 'amc']).toContain(report.session);
    const list = await both(q.earningsSql({ symbol: 'AAPL', date: '2025-08-29' }));
    expect(list.map((r) => r.status)).toEqual(['done', 'next']);
    const [done, next] = list as [Record<string, unknown>, Record<string, unknown>];
    expect(done.earnings_date).toBe(report.earnings_date);
    expect(next.earnings_date).toBe(cal[1]!.earnings_date);

    // The closes around it, independently: the last one the report did not move and the first it did.
    const amc = report.session === 'amc';
    const d = `DATE '${String(report.earnings_date)}'`;
    const before = await one(`SELECT max(quote_date) AS d FROM atm_features WHERE underlying = 'AAPL' AND quote_date ${amc ? '<=' : '<'} ${d}`);
    const after = await one(`SELECT min(quote_date) AS d FROM atm_features WHERE underlying = 'AAPL' AND quote_date ${amc ? '>' : '>='} ${d}`);
    expect(done.quote_date).toBe(before.d);
    expect(done.after_date).toBe(after.d);
    const front = await one(`SELECT exp_date, straddle_price, spot_price FROM atm_features WHERE underlying = 'AAPL'
      AND quote_date = DATE '${String(before.d)}' AND exp_date ${amc ? '>' : '>='} ${d} ORDER BY exp_date LIMIT 1`);
    expect(done.exp_date).toBe(front.exp_date);
    expect(done.implied_move as number).toBeCloseTo((front.straddle_price as number) / (front.spot_price as number), 12);
    const spotAfter = await one(`SELECT any_value(spot_price) AS s FROM atm_features WHERE underlying = 'AAPL' AND quote_date = DATE '${String(after.d)}'`);
    expect(done.realised_move as number).toBeCloseTo((spotAfter.s as number) / (front.spot_price as number) - 1, 12);
    // A report is priced as a lump of variance: the straddle spanning it is worth a few percent of spot.
    expect(done.implied_move as number).toBeGreaterThan(0.02);
    expect(done.implied_move as number).toBeLessThan(0.2);

    // The next report is priced off the snapshot day's options, and has no realised move yet.
    expect(next.quote_date).toBe('2025-08-29');
    expect(next.realised_move).toBeNull();
    expect(String(next.exp_date) > String(next.earnings_date)).toBe(true);
    expect(next.implied_move as number).toBeGreaterThan(0);
  });

  it('before a report the snapshot shows it as next, with no realised move from the future', async () => {
    const report = await one(`SELECT earnings_date FROM earnings WHERE symbol = 'AAPL' ORDER BY earnings_date LIMIT 1`);
    const day = await one(`SELECT max(quote_date) AS d FROM atm_features WHERE underlying = 'AAPL' AND quote_date < DATE '${String(report.earnings_date)}' - 3`);
    const list = await both(q.earningsSql({ symbol: 'AAPL', date: String(day.d) }));
    expect(list).toHaveLength(1);
    expect(list[0]!.status).toBe('next');
    expect(list[0]!.earnings_date).toBe(report.earnings_date);
    expect(list[0]!.after_date).toBeNull();
    expect(list[0]!.quote_date).toBe(day.d);
  });

  it('the earnings_moves view lists every report of the lake', async () => {
    const view = await both('SELECT symbol, earnings_date, status FROM earnings_moves ORDER BY symbol, earnings_date');
    const cal = await both('SELECT symbol, earnings_date FROM earnings ORDER BY symbol, earnings_date');
    expect(view.map((r) => [r.symbol, r.earnings_date])).toEqual(cal.map((r) => [r.symbol, r.earnings_date]));
  });

  it('refuses a symbol or date that would change the query', () => {
    expect(() => q.earningsSql({ symbol: "AAPL' OR 1=1 --", date: '2025-08-29' })).toThrow(/symbol/);
    expect(() => q.earningsSql({ symbol: 'AAPL', date: '2025-08-29; DROP' })).toThrow(/date/);
  });
});
