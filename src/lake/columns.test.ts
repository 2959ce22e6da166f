// Arrow-to-columns conversion, checked on real DuckDB-WASM output (its node build).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWasmSession } from '../node/engines/wasm.ts';
import { columnsToRows } from './result.ts';

let session: Awaited<ReturnType<typeof openWasmSession>>;
beforeAll(async () => {
  session = await openWasmSession();
});
afterAll(async () => session?.close());

describe('tableToColumns', () => {
  it('decodes decimals of every size and sign exactly enough to plot', async () => {
    const r = await session.query(`SELECT * FROM (VALUES
      (12.34::DECIMAL(10,2), -0.2512::DECIMAL(6,4), 123456789012345.678::DECIMAL(18,3), -98765432109876543210.5::DECIMAL(38,1)),
      (NULL, 0.0001::DECIMAL(6,4), -1.001::DECIMAL(18,3), 1::DECIMAL(38,1))) t(a, b, c, d)`);
    expect(r.columns.map((c) => c.kind)).toEqual(['number', 'number', 'number', 'number']);
    const rows = columnsToRows(r);
    expect(rows[0]).toEqual({ a: 12.34, b: -0.2512, c: 123456789012345.678, d: -98765432109876543210.5 });
    expect(rows[1]).toEqual({ a: null, b: 0.0001, c: -1.001, d: 1 });
  });

  it('gives dates as ISO days, timestamps as ISO instants, integers as numbers', async () => {
    const r = await session.query(`SELECT DATE '2025-07-03' AS d, TIMESTAMP '2025-07-03 14:30:00' AS ts,
      42::BIGINT AS big, 7::INTEGER AS i, 'SPY' AS s, true AS b, NULL::DATE AS nd`);
    expect(columnsToRows(r)[0]).toEqual({
      d: '2025-07-03', ts: '2025-07-03T14:30:00.000Z', big: 42, i: 7, s: 'SPY', b: true, nd: null,
    });
    expect(r.columns.find((c) => c.name === 'big')!.values).toBeInstanceOf(Float64Array);
  });

  it('keeps NULL numbers as NaN in the flat arrays', async () => {
    const r = await session.query('SELECT NULL::DOUBLE AS x UNION ALL SELECT 1.5');
    const values = r.columns[0]!.values as Float64Array;
    expect(Number.isNaN(values[0]!)).toBe(true);
    expect(values[1]).toBe(1.5);
  });
});
