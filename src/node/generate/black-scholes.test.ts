import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { blackScholes, BS_SQL_MACROS, normCdf } from './black-scholes.ts';
import { optionsSql } from './tables.ts';
import { loadState } from './load.ts';
import { dayOf } from './calendar.ts';

describe('Black-Scholes reference', () => {
  it('matches textbook values (Hull: S=K=100, T=1, r=5%, sigma=20%)', () => {
    expect(blackScholes('C', 100, 100, 1, 0.2, 0.05).price).toBeCloseTo(10.4506, 4);
    expect(blackScholes('P', 100, 100, 1, 0.2, 0.05).price).toBeCloseTo(5.5735, 4);
    expect(blackScholes('C', 100, 100, 1, 0.2, 0.05).delta).toBeCloseTo(0.6368, 4);
    // Hull example 19.x: S=49, K=50, r=5%, sigma=20%, T=0.3846 -> call 2.40, delta 0.522
    const h = blackScholes('C', 49, 50, 0.3846, 0.2, 0.05);
    expect(h.price).toBeCloseTo(2.4, 2);
    expect(h.delta).toBeCloseTo(0.522, 3);
    expect(h.gamma).toBeCloseTo(0.066, 3);
    expect(h.vega * 100).toBeCloseTo(12.1, 1); // per 1.00 of vol
  });

  it('normCdf is accurate', () => {
    expect(normCdf(0)).toBe(0.5);
    expect(normCdf(1.959963984540054)).toBeCloseTo(0.975, 12);
    expect(normCdf(-1)).toBeCloseTo(0.15865525393145707, 12);
    expect(normCdf(-8)).toBeCloseTo(6.22096057427178e-16, 20);
  });

  it('put-call parity holds and greeks match finite differences in the stated units', () => {
    const r = 0.04;
    for (const S of [50, 100, 480]) {
      for (const m of [0.7, 1, 1.3]) {
        for (const T of [2 / 365, 0.25, 1.5]) {
          for (const sig of [0.1, 0.35, 1.2]) {
            const K = S * m;
            const c = blackScholes('C', S, K, T, sig, r), p = blackScholes('P', S, K, T, sig, r);
            expect(c.price - p.price).toBeCloseTo(S - K * Math.exp(-r * T), 8);
            expect(c.delta - p.delta).toBeCloseTo(1, 12);
            const h = S * 1e-4;
            const up = blackScholes('C', S + h, K, T, sig, r).price, dn = blackScholes('C', S - h, K, T, sig, r).price;
            expect((up - dn) / (2 * h)).toBeCloseTo(c.delta, 5);
            const dUp = blackScholes('C', S + h, K, T, sig, r).delta, dDn = blackScholes('C', S - h, K, T, sig, r).delta;
            if (c.gamma > 1e-8) expect(Math.abs((dUp - dDn) / (2 * h) / c.gamma - 1)).toBeLessThan(1e-4);
            // vega per vol point: price change for sigma + 0.01
            const v = (blackScholes('C', S, K, T, sig + 1e-4, r).price - blackScholes('C', S, K, T, sig - 1e-4, r).price) / 2e-4 / 100;
            expect(v).toBeCloseTo(c.vega, 6);
            // theta per calendar day: price change as one day passes
            const dt = 1e-5;
            const th = (blackScholes('P', S, K, T - dt, sig, r).price - blackScholes('P', S, K, T + dt, sig, r).price) / (2 * dt) / 365;
            expect(Math.abs(th - p.theta)).toBeLessThan(1e-6 * Math.max(1, Math.abs(p.theta)));
          }
        }
      }
    }
  });
});

describe('SQL Black-Scholes', () => {
  it('ncdf (A&S 26.2.17) is within 1e-7 of the reference', async () => {
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    for (const m of BS_SQL_MACROS) await conn.run(m);
    const rows = (await conn.runAndReadAll('SELECT x, ncdf(x) FROM (SELECT (i / 1000.0)::DOUBLE AS x FROM range(-9000, 9001) t(i))')).getRows();
    let worst = 0;
    for (const [x, y] of rows) worst = Math.max(worst, Math.abs(Number(y) - normCdf(Number(x))));
    expect(worst).toBeLessThan(1e-7);
    conn.closeSync();
    inst.closeSync();
  });

  it('option rows match the TS reference within the stored rounding', async () => {
    const inst = await DuckDBInstance.create(':memory:', { threads: '2' });
    const conn = await inst.connect();
    for (const m of BS_SQL_MACROS) await conn.run(m);
    await loadState(conn, { seed: 7, symbols: ['SPY', 'TSLA', 'KO'], strikes: 6, from: dayOf('2024-03-01'), to: dayOf('2024-03-08') });
    const sql = optionsSql({ from: '2024-03-01', to: '2024-03-08', seed: 7, strikes: 6 });
    const reader = await conn.runAndReadAll(
      `SELECT call_put, spot, strike::DOUBLE, dte, vol::DOUBLE, bid::DOUBLE, ask::DOUBLE, delta::DOUBLE, gamma::DOUBLE, theta::DOUBLE, vega::DOUBLE FROM (${sql})`,
    );
    const rows = reader.getRows();
    expect(rows.length).toBeGreaterThan(1000);
    for (const [cp, S, K, dte, vol, bid, ask, delta, gamma, theta, vega] of rows.map((r) => r.map((v) => (typeof v === 'string' ? v : Number(v))))) {
      const ref = blackScholes(cp as 'C' | 'P', S as number, K as number, (dte as number) / 365, vol as number);
      expect(Math.abs((delta as number) - ref.delta)).toBeLessThanOrEqual(0.5e-4 + 1e-7); // + A&S error
      expect(Math.abs((gamma as number) - Math.min(ref.gamma, 99.999999))).toBeLessThanOrEqual(0.5e-6 + 1e-8);
      expect(Math.abs((theta as number) - ref.theta)).toBeLessThanOrEqual(0.5e-6 + 1e-8);
      expect(Math.abs((vega as number) - ref.vega)).toBeLessThanOrEqual(0.5e-4 + 1e-8);
      // Quotes straddle the model price: symmetric spread around it, rounded to cents, bid floored at 0.
      expect(ask as number).toBeGreaterThan(bid as number);
      expect(bid as number).toBeGreaterThanOrEqual(0);
      if ((bid as number) > 0) expect(Math.abs(((bid as number) + (ask as number)) / 2 - ref.price)).toBeLessThanOrEqual(0.0101);
      else expect(ref.price).toBeLessThanOrEqual((ask as number) + 1e-9);
    }
    conn.closeSync();
    inst.closeSync();
  });
});
