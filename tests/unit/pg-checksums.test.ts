// The building blocks of validate and of the test cluster: key text and hashes formatted identically
// by PostgreSQL and DuckDB (the whole comparison rests on that), the rounding rule of R4 in both
// engines, value comparison, and a private cluster that starts twice and stops twice cleanly.
import { existsSync } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalSql, metricsSql, normalizeExact, sameValue } from '../../src/node/pg/checksums.ts';
import { differingRows, type Side } from '../../src/node/pg/row-diff.ts';
import { connectPg, type PgClient } from '../../src/node/pg/client.ts';
import { startPostgres, type PgCluster } from '../support/postgres.ts';

let cluster: PgCluster;
let client: PgClient;
let instance: DuckDBInstance;
let duck: DuckDBConnection;

// Awkward values on purpose: NULL key parts, negative and zero-padded decimals, quotes, non-ASCII,
// timestamps with microseconds, a year-end date.
const OPTION_ROWS = [
  ['2024-12-31', 'SPY', '2025-01-17', '450.00', 'C', '1.05', null, '0.2345', '-0.4512', '0.001234', '-0.012345', '0.1234', 10, null],
  ['2025-01-02', "O'NEIL", '2025-01-03', '0.50', 'P', null, '0.10', '1.0742', null, null, null, null, null, 0],
  ['2025-01-03', 'SPY', '2025-01-17', '455.00', 'P', '2.10', '2.20', '0.3000', '0.5000', '0.002000', '-0.010000', '0.2000', 5, 7],
  ['2025-01-02', 'ÄBC', '2025-03-21', '12345678.99', 'C', '999999.99', '0.01', '0.0001', '0.9999', '99.999999', '-99.999999', '99.9999', 2147483647, -1],
];
const FORECAST_ROWS = [
  ['SPY', '2025-01-02 16:00:00.123456+00', '2025-01-17', '1d', 'qrf-v2', 1.5, 2.25, 0.1, 3.3, 0.01, 4.4, '2025-01-02 16:30:00+00'],
  ['QQQ', '2024-06-30 23:59:59+00', '2024-07-05', 'to_exp', null, null, 1e-7, -0.5, 0.5, -1.25, 1.25, null],
  ['IWM', '2024-06-28 20:00:00+00', '2024-07-05', '5d', 'a|b', 123456789012345680, 0.1, 1e-300, 3e16, -0, 5e-324, '2024-06-28 21:00:00+00'],
  ['IWM', '2024-06-27 20:00:00+00', '2024-07-05', '5d', '\\N', 2.5, 0.3, 0.30000000000000004, 1, 2, 3, '2024-06-27 21:00:00+00'],
];

beforeAll(async () => {
  cluster = await startPostgres();
  client = await connectPg(cluster.url);
  instance = await DuckDBInstance.create(':memory:');
  duck = await instance.connect();
  await duck.run("SET TimeZone = 'UTC'");
  const optCols = `date DATE, act_symbol VARCHAR, expiration DATE, strike DECIMAL(10,2), call_put VARCHAR, bid DECIMAL(8,2), ask DECIMAL(8,2),
    vol DECIMAL(6,4), delta DECIMAL(6,4), gamma DECIMAL(8,6), theta DECIMAL(8,6), vega DECIMAL(6,4), open_interest INTEGER, volume INTEGER`;
  const fcCols = `underlying VARCHAR, quote_ts TIMESTAMPTZ, exp_date DATE, horizon VARCHAR, model_version VARCHAR, em_baseline DOUBLE, em_hat DOUBLE,
    band68_low DOUBLE, band68_high DOUBLE, band95_low DOUBLE, band95_high DOUBLE, created_at TIMESTAMPTZ`;
  const pgType = (cols: string) => cols.replace(/DECIMAL/g, 'numeric').replace(/DOUBLE/g, 'double precision');
  await client.query(`CREATE TABLE o (${pgType(optCols)}); CREATE TABLE f (${pgType(fcCols)})`);
  await duck.run(`CREATE TABLE o (${optCols}); CREATE TABLE f (${fcCols})`);
  const ins = async (table: string, rows: unknown[][]) => {
    for (const r of rows) {
      const params = r.map((_, i) => `$${i + 1}`).join(', ');
      await client.query(`INSERT INTO ${table} VALUES (${params})`, r);
      const lit = r.map((v) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v).replaceAll("'", "''")}'`)).join(', ');
      await duck.run(`INSERT INTO ${table} VALUES (${lit})`);
    }
  };
  await ins('o', OPTION_ROWS);
  await ins('f', FORECAST_ROWS);
});

afterAll(async () => {
  await client?.end();
  duck?.closeSync();
  instance?.closeSync();
  await cluster?.stop();
});

async function both(table: 'options' | 'em_forecasts', rel: string) {
  const p = metricsSql('pg', table, `SELECT * FROM ${rel}`);
  const d = metricsSql('duck', table, `SELECT * FROM ${rel}`);
  const pgRow = (await client.query({ text: p.sql, rowMode: 'array' })).rows[0] as (string | null)[];
  const duckRow = (await duck.runAndReadAll(d.sql)).getRows()[0]!.map((v) => (v === null ? null : String(v)));
  return { metrics: p.metrics, pgRow, duckRow };
}

describe('checksums are computed identically by PostgreSQL and DuckDB', () => {
  it.each([['options', 'o'], ['em_forecasts', 'f']] as const)('%s', async (table, rel) => {
    const { metrics, pgRow, duckRow } = await both(table, rel);
    expect(metrics.map((m) => m.name)).toContain('key.hash');
    const diffs = metrics.filter((m, i) => !sameValue(m.kind, pgRow[i] ?? null, duckRow[i] ?? null))
      .map((m) => `${m.name}: pg ${pgRow[metrics.indexOf(m)]} duck ${duckRow[metrics.indexOf(m)]}`);
    expect(diffs).toEqual([]);
    // The key hash is a real number, not two NULLs agreeing.
    expect(pgRow[metrics.findIndex((m) => m.name === 'key.hash')]).toMatch(/^\d{10,}$/);
  });

  it('a one-character change in a key changes the key hash', async () => {
    await client.query("UPDATE o SET act_symbol = 'SPX' WHERE act_symbol = 'SPY'");
    const { metrics, pgRow, duckRow } = await both('options', 'o');
    const i = metrics.findIndex((m) => m.name === 'key.hash');
    expect(pgRow[i]).not.toBe(duckRow[i]);
    await client.query("UPDATE o SET act_symbol = 'SPY' WHERE act_symbol = 'SPX'");
  });

  it('R4 rounds percent IV half away from zero in both engines', async () => {
    const pg = (await client.query("SELECT round(23.4550::numeric(6,4) * 0.01, 4)::text AS a, round(23.4549::numeric(6,4) * 0.01, 4)::text AS b")).rows[0];
    const d = (await duck.runAndReadAll(`SELECT CAST(CAST(23.4550 AS DECIMAL(18,4)) * CAST(0.01 AS DECIMAL(3,2)) AS DECIMAL(6,4))::VARCHAR,
      CAST(CAST(23.4549 AS DECIMAL(18,4)) * CAST(0.01 AS DECIMAL(3,2)) AS DECIMAL(6,4))::VARCHAR`)).getRows()[0];
    expect([pg.a, pg.b]).toEqual(['0.2346', '0.2345']);
    expect(d).toEqual(['0.2346', '0.2345']);
  });
});

/** Metric names whose values differ between PostgreSQL and DuckDB over the same relation. */
async function differing(table: 'options' | 'em_forecasts', pgRel: string, duckRel: string): Promise<string[]> {
  const p = metricsSql('pg', table, pgRel);
  const d = metricsSql('duck', table, duckRel);
  const pgRow = (await client.query({ text: p.sql, rowMode: 'array' })).rows[0] as (string | null)[];
  const duckRow = (await duck.runAndReadAll(d.sql)).getRows()[0]!.map((v) => (v === null ? null : String(v)));
  return p.metrics.filter((m, i) => !sameValue(m.kind, pgRow[i] ?? null, duckRow[i] ?? null)).map((m) => m.name);
}

const sides = (pgRel: string, duckRel: string): [Side, Side] => [
  { engine: 'pg', relation: pgRel, run: async (sql) => (await client.query({ text: sql, rowMode: 'array' })).rows },
  { engine: 'duck', relation: duckRel, run: async (sql) => (await duck.runAndReadAll(sql)).getRows().map((r) => r.map((v) => (v === null ? null : String(v)))) },
];

describe('canonical text is the same in both engines, value for value', () => {
  it('20,000 doubles over 60 decades, and the edge cases, print identically at 17 digits', async () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const vals = Array.from({ length: 20000 }, () => String((rnd() - 0.5) * 10 ** (Math.floor(rnd() * 60) - 30)));
    vals.push('0', '-0', '1e-7', '1e15', '3.0286061806245112e+16', '0.1', '5e-324', '1.7976931348623157e308', '0.30000000000000004');
    await client.query('CREATE TEMP TABLE dbl AS SELECT ord::int AS i, v::float8 AS x FROM unnest($1::text[]) WITH ORDINALITY AS u(v, ord)', [vals]);
    await duck.run('CREATE TEMP TABLE dbl_s (i INTEGER, v VARCHAR)');
    const app = await duck.createAppender('dbl_s');
    vals.forEach((v, k) => { app.appendInteger(k + 1); app.appendVarchar(v); app.endRow(); });
    app.closeSync();
    const p = (await client.query({ text: `SELECT ${canonicalSql('pg', 'DOUBLE', 'x')} FROM dbl ORDER BY i`, rowMode: 'array' })).rows.map((r) => r[0]);
    const d = (await duck.runAndReadAll(`SELECT ${canonicalSql('duck', 'DOUBLE', 'CAST(v AS DOUBLE)')} FROM dbl_s ORDER BY i`)).getRows().map((r) => r[0]);
    expect(p.length).toBe(vals.length);
    expect(d).toEqual(p);
    // Unique per double: two doubles one ulp apart print differently.
    expect(p[vals.indexOf('0.30000000000000004')]).not.toBe(p[vals.indexOf('0.1')]);
    expect(p[vals.length - 1]).toBe('3.0000000000000004e-01');
  });

  it('a value that looks like a join or a NULL cannot fake one', async () => {
    const [a, b] = await Promise.all([
      client.query({ text: `SELECT ${canonicalSql('pg', 'VARCHAR', "'\\N'")}, ${canonicalSql('pg', 'VARCHAR', 'NULL::text')}, ${canonicalSql('pg', 'VARCHAR', "'Ä|b'")}`, rowMode: 'array' }),
      duck.runAndReadAll(`SELECT ${canonicalSql('duck', 'VARCHAR', "'\\N'")}, ${canonicalSql('duck', 'VARCHAR', 'CAST(NULL AS VARCHAR)')}, ${canonicalSql('duck', 'VARCHAR', "'Ä|b'")}`),
    ]);
    expect(a.rows[0]).toEqual(['2:\\N', '\\N', '4:Ä|b']);
    expect(b.getRows()[0]).toEqual(a.rows[0]);
  });
});

describe('the content fingerprint sees what per-column aggregates cannot', () => {
  // Each change below leaves count, NULLs, sum, min and max of every column and the key set equal.
  const cases: [string, 'options' | 'em_forecasts', string, string][] = [
    ['two rows swap their bid values', 'options',
      `SELECT date, act_symbol, expiration, strike, call_put,
              CASE WHEN act_symbol = 'SPY' AND call_put = 'C' THEN (SELECT bid FROM o WHERE act_symbol = 'ÄBC')
                   WHEN act_symbol = 'ÄBC' THEN (SELECT bid FROM o WHERE act_symbol = 'SPY' AND call_put = 'C') ELSE bid END AS bid,
              ask, vol, delta, gamma, theta, vega, open_interest, volume FROM o`,
      "date|act_symbol|expiration|strike|call_put = 2024-12-31|SPY|2025-01-17|450.00|C: bid postgres 999999.99, lake 1.05"],
    ['one row +0.0001 and another -0.0001 in vol, neither a min or max', 'options',
      `SELECT date, act_symbol, expiration, strike, call_put, bid, ask,
              CASE WHEN call_put = 'P' AND act_symbol = 'SPY' THEN vol - 0.0001 WHEN act_symbol = 'SPY' THEN vol + 0.0001 ELSE vol END AS vol,
              delta, gamma, theta, vega, open_interest, volume FROM o`,
      'date|act_symbol|expiration|strike|call_put = 2025-01-03|SPY|2025-01-17|455.00|P: vol postgres 0.2999, lake 0.3000'],
    ['one created_at moved by an hour', 'em_forecasts',
      `SELECT underlying, quote_ts, exp_date, horizon, model_version, em_baseline, em_hat, band68_low, band68_high, band95_low, band95_high,
              CASE WHEN created_at = '2024-06-28 21:00:00+00' THEN created_at + interval '1 hour' ELSE created_at END AS created_at FROM f`,
      'underlying|quote_ts|exp_date|horizon = IWM|1719604800000000|2024-07-05|5d: created_at postgres 1719612000000000, lake 1719608400000000'],
  ];

  it.each(cases)('%s', async (_name, table, changed, line) => {
    const rel = table === 'options' ? 'o' : 'f';
    expect(await differing(table, changed, `SELECT * FROM ${rel}`)).toEqual(['row.hash']);
    const [pg, lake] = sides(changed, `SELECT * FROM ${rel}`);
    const named = await differingRows(table, pg, lake, 4);
    expect(named.lines).toContain(`row ${line}`);
  });
});

describe('value comparison', () => {
  it('exact decimals ignore trailing zeros only', () => {
    expect(normalizeExact('1.5000')).toBe('1.5');
    expect(normalizeExact('10.00')).toBe('10');
    expect(normalizeExact('100')).toBe('100');
    expect(sameValue('exact', '1.50', '1.5')).toBe(true);
    expect(sameValue('exact', '1.51', '1.5')).toBe(false);
    expect(sameValue('exact', null, '0')).toBe(false);
    expect(sameValue('exact', null, null)).toBe(true);
  });

  it('float sums allow rounding noise, float min/max do not', () => {
    expect(sameValue('float-sum', '0.30000000000000004', '0.3')).toBe(true);
    expect(sameValue('float-sum', '0.3001', '0.3')).toBe(false);
    expect(sameValue('float', '0.30000000000000004', '0.3')).toBe(false);
  });
});

describe('test cluster', () => {
  it('starts twice side by side and stops twice without error', async () => {
    const [a, b] = await Promise.all([startPostgres(), startPostgres()]);
    expect(a.port).not.toBe(b.port);
    const c = await connectPg(b.url);
    expect((await c.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    await c.end();
    await a.stop();
    await a.stop();
    await b.stop();
    expect(existsSync(a.dir) || existsSync(b.dir)).toBe(false);
  });
});
