// export reads each legacy column's type from PostgreSQL's catalog (src/node/pg/catalog.ts), against
// a real PostgreSQL whose schema differs from the one this project wrote: numeric columns where the
// lake schema has DOUBLE, and a `timestamp without time zone` created_at holding New York wall time.
// The lake is then checked row by row against the source, and validate checks the same mapping.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/lake/manifest.ts';
import { generate } from '../../src/node/generate/index.ts';
import { mapColumn } from '../../src/node/pg/catalog.ts';
import { EXIT } from '../../src/node/exit-codes.ts';
import { exportPg } from '../../src/node/pg/export.ts';
import { loadIntoPg } from '../../src/node/pg/load.ts';
import { validatePg } from '../../src/node/pg/validate.ts';
import { startPostgres, type PgCluster } from '../support/postgres.ts';
import * as q from '../../src/lake/queries/index.ts';
import { columnsToRows } from '../../src/lake/result.ts';
import { openWasm } from '../../src/node/engines/wasm.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'bin/quantiv.mjs');
const NY = 'America/New_York';

let cluster: PgCluster;
let dir: string;
let url: string;
let instance: DuckDBInstance;
let duck: DuckDBConnection;

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('error', rej);
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

async function sql(db: string, text: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: db });
  await c.connect();
  try {
    await c.query("SET TimeZone = 'UTC'");
    return await c.query(text);
  } finally {
    await c.end();
  }
}

async function clone(name: string): Promise<string> {
  await sql(cluster.url.replace(/\/postgres$/, '/template1'), `CREATE DATABASE ${name} TEMPLATE legacy`);
  return cluster.url.replace(/\/postgres$/, `/${name}`);
}

const lakeRows = async (q: string): Promise<string[][]> =>
  (await duck.runAndReadAll(q)).getRows().map((r) => r.map((v) => (v === null ? 'NULL' : String(v))));
const pgRows = async (db: string, q: string): Promise<string[][]> =>
  (await sql(db, q)).rows.map((r) => Object.values(r).map((v) => (v === null ? 'NULL' : String(v))));
const describe_ = async (file: string): Promise<Record<string, string>> =>
  Object.fromEntries((await lakeRows(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).map((r) => [r[0], r[1]]));

beforeAll(async () => {
  [cluster, dir] = await Promise.all([startPostgres(), mkdtemp(join(tmpdir(), 'quantiv-pg-types-'))]);
  const gen = await generate({ out: join(dir, 'lake'), symbols: ['SPY', 'QQQ'], from: '2025-03-03', to: '2025-04-30', seed: 3, strikes: 4, quiet: true });
  await sql(cluster.url, 'CREATE DATABASE legacy');
  url = cluster.url.replace(/\/postgres$/, '/legacy');
  await loadIntoPg(gen.root, url);
  // The independently written legacy schema: numeric where this project's has double precision,
  // and created_at as New York wall time without a zone.
  await sql(url, `
    ALTER TABLE atm_features ALTER spot_price TYPE numeric(12,4) USING round(spot_price::numeric, 4),
                             ALTER atm_iv TYPE numeric(10,6) USING round(atm_iv::numeric, 6);
    ALTER TABLE em_labels ALTER realized_move TYPE numeric(12,8) USING round(realized_move::numeric, 8);
    ALTER TABLE em_forecasts ALTER em_hat TYPE numeric(14,8) USING round(em_hat::numeric, 8),
                             ALTER created_at TYPE timestamp USING (created_at AT TIME ZONE '${NY}');
    ALTER TABLE model_performance ALTER mae_em TYPE numeric(10,6) USING round(mae_em::numeric, 6);
    ALTER TABLE symbols_metadata ALTER avg_iv TYPE numeric(8,6) USING round(avg_iv::numeric, 6);`);
  instance = await DuckDBInstance.create(':memory:');
  duck = await instance.connect();
  await duck.run("SET TimeZone = 'UTC'");
}, 240_000);

afterAll(async () => {
  duck?.closeSync();
  instance?.closeSync();
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the type mapping', () => {
  it('maps knowingly and refuses what it does not know', () => {
    expect(mapColumn('atm_features', 'spot_price', 'numeric(12,4)')).toMatchObject({ lakeType: 'DECIMAL(12,4)' });
    expect(mapColumn('atm_features', 'spot_price', 'real')).toMatchObject({ lakeType: 'DOUBLE' });
    expect(mapColumn('atm_features', 'spot_price', 'numeric')).toMatch(/no declared precision and scale/);
    expect(mapColumn('atm_features', 'spot_price', 'money')).toBe("money has no known mapping to the lake's DOUBLE");
    expect(mapColumn('options', 'bid', 'numeric(8,2)')).toMatchObject({ lakeType: 'DECIMAL(8,2)' });
    expect(mapColumn('options', 'bid', 'numeric(6,2)')).toMatchObject({ lakeType: 'DECIMAL(8,2)' });
    expect(mapColumn('options', 'bid', 'numeric(8,3)')).toMatch(/no known mapping/);
    expect(mapColumn('options', 'bid', 'double precision')).toMatch(/no known mapping/);
    expect(mapColumn('em_forecasts', 'created_at', 'timestamp without time zone')).toMatchObject({ lakeType: 'TIMESTAMP' });
    expect(mapColumn('em_forecasts', 'created_at', 'timestamp without time zone', { sourceTimeZone: NY }))
      .toMatchObject({ lakeType: 'TIMESTAMPTZ', pgExpr: `("created_at" AT TIME ZONE '${NY}')` });
    expect(mapColumn('model_meta', 'performance_metrics', 'jsonb')).toMatchObject({ lakeType: 'VARCHAR', pgExpr: '"performance_metrics"::text' });
  });
});

describe('export of a legacy schema with other types', () => {
  it('keeps numeric exact as DECIMAL(p,s) and a zoneless timestamp as TIMESTAMP; validate agrees', async () => {
    const out = join(dir, 'plain');
    const report = await exportPg(url, { out });
    const manifest = parseManifest(JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')));
    const file = (t: string) => manifest.files.find((f) => f.table === t)!;
    expect(file('atm_features').columnTypes).toEqual({ spot_price: 'DECIMAL(12,4)', atm_iv: 'DECIMAL(10,6)' });
    expect(file('em_forecasts').columnTypes).toEqual({ em_hat: 'DECIMAL(14,8)', created_at: 'TIMESTAMP' });
    expect(file('symbols_metadata').columnTypes).toEqual({ avg_iv: 'DECIMAL(8,6)' });
    expect(file('options').columnTypes).toBeUndefined();
    const atm = join(out, file('atm_features').path);
    expect(await describe_(atm)).toMatchObject({ spot_price: 'DECIMAL(12,4)', atm_iv: 'DECIMAL(10,6)', straddle_price: 'DOUBLE' });
    expect((await describe_(join(out, file('em_forecasts').path))).created_at).toBe('TIMESTAMP');

    // Row by row: every numeric as the same exact text, every created_at the same wall time.
    expect(await lakeRows(`SELECT underlying, quote_date::VARCHAR, exp_date::VARCHAR, spot_price::VARCHAR, atm_iv::VARCHAR FROM read_parquet('${atm}') ORDER BY 1, 2, 3`))
      .toEqual(await pgRows(url, 'SELECT underlying, quote_date::text, exp_date::text, spot_price::text, atm_iv::text FROM atm_features ORDER BY 1, 2, 3'));
    const sum = await pgRows(url, 'SELECT sum(spot_price)::text FROM atm_features');
    expect(await lakeRows(`SELECT sum(spot_price)::VARCHAR FROM read_parquet('${atm}')`)).toEqual(sum);
    expect(sum[0]![0]).toMatch(/^\d+\.\d{4}$/);
    const fc = join(out, file('em_forecasts').path);
    const order = 'underlying, quote_ts, exp_date, horizon, model_version';
    expect(await lakeRows(`SELECT epoch_us(quote_ts)::VARCHAR, em_hat::VARCHAR, strftime(created_at, '%Y-%m-%d %H:%M:%S') FROM read_parquet('${fc}') ORDER BY ${order}`))
      .toEqual(await pgRows(url, `SELECT (extract(epoch FROM quote_ts) * 1000000)::bigint::text, em_hat::text, to_char(created_at, 'YYYY-MM-DD HH24:MI:SS') FROM em_forecasts ORDER BY ${order}`));
    expect(report.rows.atm_features!.lake).toBeGreaterThan(0);

    const v = await validatePg(url, out);
    expect(v.diffs).toEqual([]);
  }, 240_000);

  it("the browser's engine reads that lake: forecast queries answer as on the original lake", async () => {
    const exported = parseManifest(JSON.parse(await readFile(join(dir, 'plain', 'manifest.json'), 'utf8')));
    const original = parseManifest(JSON.parse(await readFile(join(dir, 'lake', 'manifest.json'), 'utf8')));
    const sqls = (m: typeof exported) => [
      q.forecastSeriesSql({ symbol: 'SPY', model: 'qrf-v2', horizon: '5d', from: '2025-03-01', to: '2025-04-30' }),
      q.accuracySql(m, '2025-03-01', '2025-04-30'),
      q.MODELS_SQL,
      'SELECT * FROM atm_features ORDER BY underlying, quote_date, exp_date',
      'SELECT * FROM em_forecasts ORDER BY underlying, quote_ts, exp_date, horizon, model_version',
    ];
    // One engine at a time, as a browser tab has one.
    const answers = async (lakeDir: string, m: typeof exported) => {
      const e = await openWasm(lakeDir);
      try {
        const out: Record<string, unknown>[][] = [];
        for (const x of sqls(m)) out.push(columnsToRows(await e.query(x)));
        return out;
      } finally {
        await e.close();
      }
    };
    const got = await answers(join(dir, 'plain'), exported);
    const want = await answers(join(dir, 'lake'), original);
    got.forEach((rx, n) => {
      const ry = want[n]!;
      expect(rx.length).toBeGreaterThan(0);
      expect(rx.length).toBe(ry.length);
      rx.forEach((row, i) => {
        for (const [k, v] of Object.entries(row)) {
          const o = ry[i]![k];
          // The ALTERs rounded spot_price, atm_iv and em_hat to 4-8 decimals; created_at is wall time.
          if (k === 'created_at') continue;
          if (typeof v === 'number' && typeof o === 'number') expect(v, k).toBeCloseTo(o, 3);
          else expect(v, k).toEqual(o);
        }
      });
    });
  }, 240_000);

  it('--source-time-zone stores the instant: created_at equals the original timestamptz row by row', async () => {
    const out = join(dir, 'zoned');
    const r = await cli(['export', '--pg', url, '--out', out, '--quiet', '--source-time-zone', NY]);
    expect(r.code, r.stderr).toBe(0);
    const manifest = parseManifest(JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')));
    const f = manifest.files.find((x) => x.table === 'em_forecasts')!;
    expect(f.columnTypes).toEqual({ em_hat: 'DECIMAL(14,8)' });
    const path = join(out, f.path);
    expect((await describe_(path)).created_at).toBe('TIMESTAMP WITH TIME ZONE');
    const order = 'underlying, quote_ts, exp_date, horizon, model_version';
    const lake = await lakeRows(`SELECT epoch_us(created_at)::VARCHAR FROM read_parquet('${path}') ORDER BY ${order}`);
    // The generated instants (20:30 UTC), which the ALTER turned into New York wall time.
    const original = await lakeRows(`SELECT epoch_us(created_at)::VARCHAR FROM read_parquet('${join(dir, 'lake', 'forecasts', 'em_forecasts.parquet')}') ORDER BY ${order}`);
    expect(lake.length).toBeGreaterThan(10);
    expect(lake).toEqual(original);

    const zoned = await cli(['validate', '--pg', url, '--data', out, '--quiet', '--source-time-zone', NY]);
    expect(zoned.code, zoned.stdout + zoned.stderr).toBe(0);
    // Without the zone, the same source maps created_at to TIMESTAMP, and the lake does not match it.
    const plain = await cli(['validate', '--pg', url, '--data', out, '--quiet']);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toContain(`em_forecasts: column created_at type: ${f.path} has TIMESTAMPTZ, the source's timestamp without time zone maps to TIMESTAMP`);
  }, 240_000);

  it('an unknown type or zone is refused with a clear message, before any file is written', async () => {
    const db = await clone('unknown_type');
    await sql(db, `ALTER TABLE model_performance ALTER coverage_68 TYPE money USING coverage_68::numeric::money;
                   ALTER TABLE atm_features ALTER rr_25delta TYPE numeric USING rr_25delta::numeric`);
    const out = join(dir, 'refused');
    const r = await cli(['export', '--pg', db, '--out', out]);
    expect(r.code).toBe(EXIT.REJECTED);
    expect(r.stderr).toContain('quantiv export: the legacy schema cannot be exported as it is:');
    expect(r.stderr).toContain("model_performance.coverage_68: money has no known mapping to the lake's DOUBLE");
    expect(r.stderr).toContain('atm_features.rr_25delta: numeric has no declared precision and scale');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(out, 'manifest.json'))).toBe(false);
    const files = existsSync(out) ? await readdir(out, { recursive: true }) : [];
    expect(files.filter((f) => String(f).endsWith('.parquet'))).toEqual([]);

    const zone = await cli(['export', '--pg', url, '--out', out, '--source-time-zone', 'Mars/Olympus']);
    expect(zone.code).toBe(EXIT.REJECTED);
    expect(zone.stderr).toContain('--source-time-zone Mars/Olympus: PostgreSQL knows no such time zone');
    expect(zone.stderr).not.toMatch(/\n\s+at /);
  }, 240_000);

  it("the report's total counts rows without a date (rejected into their own file)", async () => {
    const db = await clone('undated');
    await sql(db, "INSERT INTO options_chain (date, act_symbol, expiration, strike, call_put) VALUES (NULL, 'SPY', '2025-04-17', 500.00, 'C')");
    const report = await exportPg(db, { out: join(dir, 'undated') });
    const partitions = report.partitions.reduce((n, p) => n + p.sourceRows, 0);
    expect(report.exported.sourceRows).toBe(partitions + 1);
    expect(report.rows.options!.rejects).toBe(1);
    const rejects = await readFile(join(dir, 'undated', '_migration', 'rejects', 'options_undated_rejects.csv'), 'utf8');
    expect(rejects.trim().split('\n')).toHaveLength(2);
  }, 240_000);
});
