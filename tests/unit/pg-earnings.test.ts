// The earnings calendar through the migration, against a real PostgreSQL (started here, on
// 127.0.0.1): exported with the catalog-typed mapping, checked by validate like every other table
// (per-column checks and the content fingerprint), and optional: a legacy database without an
// earnings_calendar table exports a lake without earnings, not an error.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLakeManifest } from '../../src/node/lake-io.ts';
import { generate } from '../../src/node/generate/index.ts';
import { exportPg, type ExportReport } from '../../src/node/pg/export.ts';
import { loadIntoPg } from '../../src/node/pg/load.ts';
import { validatePg } from '../../src/node/pg/validate.ts';
import { startPostgres, type PgCluster } from '../support/postgres.ts';

let cluster: PgCluster;
let dir: string;
let lake: string;
let out: string;
let report: ExportReport;

async function sql(url: string, text: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}

async function cloneDb(name: string): Promise<string> {
  await sql(cluster.url.replace(/\/postgres$/, '/template1'), `CREATE DATABASE ${name} TEMPLATE postgres`);
  return cluster.url.replace(/\/postgres$/, `/${name}`);
}

async function lakeRows(root: string, select: string): Promise<unknown[][]> {
  const m = await readLakeManifest(root);
  const files = m.files.filter((f) => f.table === 'earnings').map((f) => `'${join(root, f.path)}'`);
  if (files.length === 0) return [];
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    return (await c.runAndReadAll(`${select} FROM read_parquet([${files.join(', ')}])`)).getRows();
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

beforeAll(async () => {
  [cluster, dir] = await Promise.all([startPostgres(), mkdtemp(join(tmpdir(), 'quantiv-pg-earnings-'))]);
  const gen = await generate({ out: join(dir, 'lake'), symbols: ['SPY', 'AAPL', 'NVDA'], from: '2025-06-02', to: '2025-08-29', seed: 3, strikes: 3, quiet: true });
  lake = gen.root;
  await loadIntoPg(lake, cluster.url);
  out = join(dir, 'out');
  report = await exportPg(cluster.url, { out });
});

afterAll(async () => {
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const CALENDAR = 'SELECT symbol, earnings_date::VARCHAR, session, fiscal_quarter';
const ORDER = ' ORDER BY symbol, earnings_date';

describe('earnings calendar -> lake', () => {
  it('exports every report as it is in PostgreSQL', async () => {
    const pgRows = (await sql(cluster.url, `SELECT symbol, earnings_date::text AS d, session, fiscal_quarter FROM earnings_calendar${ORDER}`)).rows
      .map((r) => [r.symbol, r.d, r.session, r.fiscal_quarter]);
    expect(pgRows.length).toBeGreaterThanOrEqual(4);
    expect(new Set(pgRows.map((r) => r[0]))).toEqual(new Set(['AAPL', 'NVDA']));
    expect(await lakeRows(out, `${CALENDAR}`).then((r) => r.sort((a, b) => String(a).localeCompare(String(b))))).toEqual(pgRows);
    expect(await lakeRows(out, CALENDAR)).toEqual(await lakeRows(lake, CALENDAR));
    expect(report.rows.earnings).toEqual({ source: pgRows.length, lake: pgRows.length, rejects: 0 });
  });

  it('validate compares it like any table, and catches a changed session and a moved date', async () => {
    const v = await validatePg(cluster.url, out);
    expect(v.diffs).toEqual([]);
    expect(v.partitions.find((p) => p.key === 'earnings')?.rows).toEqual({ postgres: report.rows.earnings!.source, lake: report.rows.earnings!.lake });

    const url = await cloneDb('earnings_changed');
    await sql(url, `UPDATE earnings_calendar SET session = CASE session WHEN 'amc' THEN 'bmo' ELSE 'amc' END
      WHERE (symbol, earnings_date) = (SELECT symbol, earnings_date FROM earnings_calendar ORDER BY symbol, earnings_date LIMIT 1)`);
    await sql(url, `UPDATE earnings_calendar SET earnings_date = earnings_date + 1
      WHERE (symbol, earnings_date) = (SELECT symbol, earnings_date FROM earnings_calendar ORDER BY symbol DESC, earnings_date DESC LIMIT 1)`);
    const bad = await validatePg(url, out);
    expect(bad.ok).toBe(false);
    expect(bad.diffs.every((d) => d.startsWith('earnings: ')), bad.diffs.join('\n')).toBe(true);
    expect(bad.diffs.some((d) => d.startsWith('earnings: column earnings_date'))).toBe(true);
    expect(bad.diffs.some((d) => d.startsWith('earnings: natural key hash'))).toBe(true);
    expect(bad.diffs.some((d) => d.startsWith('earnings: content fingerprint'))).toBe(true);
  });

  it('refuses a calendar column with no exact lake type, naming it', async () => {
    const url = await cloneDb('earnings_text_date');
    await sql(url, 'ALTER TABLE earnings_calendar ALTER COLUMN earnings_date TYPE text');
    await expect(exportPg(url, { out: join(dir, 'refused') })).rejects.toThrow(/earnings_calendar\.earnings_date: text has no known mapping to the lake's DATE/);
  });
});

describe('a legacy database without an earnings calendar', () => {
  it('exports a lake without earnings, and validate says which side lacks it', async () => {
    const url = await cloneDb('no_earnings');
    await sql(url, 'DROP TABLE earnings_calendar');
    const plain = join(dir, 'plain');
    const r = await exportPg(url, { out: plain });
    expect(r.rows.earnings).toBeUndefined();
    expect(r.partitions.some((p) => p.table === 'earnings')).toBe(false);
    expect((await readLakeManifest(plain)).files.some((f) => f.table === 'earnings')).toBe(false);
    expect(existsSync(join(plain, 'metadata/earnings.parquet'))).toBe(false);
    expect((await validatePg(url, plain)).diffs).toEqual([]);
    // The lake exported with the calendar, against the database without it: one readable difference.
    const v = await validatePg(url, out);
    expect(v.diffs).toEqual([`earnings: the lake has ${report.rows.earnings!.lake} rows, PostgreSQL has no earnings_calendar table`]);
  });
});
