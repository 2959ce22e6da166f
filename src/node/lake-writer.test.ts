import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuck, type DuckSession } from './duck.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../lake/manifest.ts';
import { footerProofOf, removeStaleTmp, sha256File, writeLakeFile, writeManifest } from './lake-writer.ts';
import { publishManifest } from './rollups.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
let dir: string;
let db: DuckSession;
let conn: DuckDBConnection;

// Columns deliberately out of schema order and typed loosely: the writer casts and reorders.
const OPTIONS_SELECT = `SELECT i % 7 AS volume, 'S' || (i % 50)::VARCHAR AS act_symbol, DATE '2024-02-01' + (i % 20)::INTEGER AS date,
  DATE '2024-03-15' AS expiration, 100 + (i // 1000) AS strike, CASE WHEN i % 2 = 0 THEN 'C' ELSE 'P' END AS call_put,
  1.234 AS bid, 1.3 AS ask, 0.25 AS vol, 0.5 AS delta, 0.01 AS gamma, -0.02 AS theta, 0.1 AS vega, 10 AS open_interest
  FROM range(200000) t(i)`;

const allFiles = async (root: string): Promise<string[]> =>
  (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'quantiv-writer-test-'));
  db = await openDuck();
  conn = db.conn;
});

afterAll(async () => {
  db?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('writeLakeFile', () => {
  it('writes a sorted, typed, small-row-group options file and describes it exactly', async () => {
    const root = join(dir, 'lake1');
    const f = await writeLakeFile({ conn, select: OPTIONS_SELECT, table: 'options', partition: { year: 2024, month: 2 }, root });
    expect(f.path).toBe('options/year=2024/month=02/options_2024_02.parquet');
    expect(f.partition).toEqual({ year: '2024', month: '02' });
    expect([f.rows, f.minDate, f.maxDate]).toEqual([200000, '2024-02-01', '2024-02-20']);
    const p = join(root, f.path);
    expect(f.bytes).toBe((await stat(p)).size);
    expect(f.sha256).toBe(await sha256File(p));
    const schema = (await conn.runAndReadAll(`SELECT name, type FROM parquet_schema('${p}') WHERE name <> 'duckdb_schema'`)).getRows();
    expect(schema.map((r) => r[0])).toEqual(['date', 'act_symbol', 'expiration', 'strike', 'call_put', 'bid', 'ask', 'vol',
      'delta', 'gamma', 'theta', 'vega', 'open_interest', 'volume']);
    const groups = (await conn.runAndReadAll(`SELECT max(row_group_num_rows), count(DISTINCT row_group_id) FROM parquet_metadata('${p}')`)).getRows()[0]!;
    expect(Number(groups[0])).toBeLessThanOrEqual(10240);
    expect(Number(groups[1])).toBeGreaterThanOrEqual(20);
    const first = (await conn.runAndReadAll(`SELECT act_symbol, strftime(date, '%Y-%m-%d'), bid::VARCHAR FROM '${p}' LIMIT 1`)).getRows()[0];
    expect(first).toEqual(['S0', '2024-02-01', '1.23']);
    expect((await allFiles(root)).filter((x) => x.endsWith('.tmp'))).toEqual([]);
  });

  it('never replaces a published file with other bytes; identical bytes keep their name', async () => {
    const root = join(dir, 'immutable');
    const write = (n: number) =>
      writeLakeFile({ conn, select: `SELECT * FROM (${OPTIONS_SELECT}) WHERE volume < ${n}`, table: 'options', partition: { year: 2024, month: 2 }, root });
    const first = await write(7);
    expect(first.path).toBe('options/year=2024/month=02/options_2024_02.parquet');
    const again = await write(7);
    expect(again).toEqual(first);
    const other = await write(3);
    expect(other.path).toBe(`options/year=2024/month=02/options_2024_02_v${other.sha256.slice(0, 12)}.parquet`);
    expect(other.sha256).not.toBe(first.sha256);
    // The first file is untouched, so a reader of the old manifest still gets what it listed.
    expect(await sha256File(join(root, first.path))).toBe(first.sha256);
    expect(other.partition).toEqual({ year: '2024', month: '02' });
    expect((await allFiles(root)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('reports TIMESTAMPTZ ranges as UTC dates', async () => {
    const root = join(dir, 'lake2');
    const f = await writeLakeFile({
      conn, root, table: 'em_forecasts',
      select: `SELECT 'SPY' AS underlying, TIMESTAMPTZ '2024-03-01 23:30:00+00' + to_days(i::INTEGER) AS quote_ts, DATE '2024-04-19' AS exp_date,
        'to_exp' AS horizon, 'baseline' AS model_version, 1.0 AS em_baseline, 1.0 AS em_hat, 0.2 AS band68_low, 1.4 AS band68_high,
        0.03 AS band95_low, 2.2 AS band95_high, NULL AS created_at FROM range(3) t(i)`,
    });
    expect([f.minDate, f.maxDate, f.rows]).toEqual(['2024-03-01', '2024-03-03', 3]);
  });

  it('leaves no file behind when the query fails mid-write', async () => {
    const root = join(dir, 'lake3');
    await expect(
      writeLakeFile({ conn, root, table: 'options', partition: { year: 2024, month: 3 },
        select: `SELECT * REPLACE (CASE WHEN strike > 150 THEN error('boom') ELSE strike END AS strike) FROM (${OPTIONS_SELECT})` }),
    ).rejects.toThrow(/boom/);
    expect(await allFiles(root)).toEqual([]);
  });

  it('a kill -9 mid-write leaves only a .tmp, which the next run removes', async () => {
    const root = join(dir, 'lake4');
    const script = join(dir, 'slow-writer.mts');
    await writeFile(script, `
      import { DuckDBInstance } from ${JSON.stringify(import.meta.resolve('@duckdb/node-api'))};
      import { writeLakeFile } from ${JSON.stringify(resolve(here, 'lake-writer.ts'))};
      const conn = await (await DuckDBInstance.create(':memory:')).connect();
      await writeLakeFile({ conn, root: ${JSON.stringify(root)}, table: 'options', partition: { year: 2024, month: 4 },
        select: \`SELECT DATE '2024-04-01' + (i % 20)::INTEGER AS date, md5(i::VARCHAR) AS act_symbol, DATE '2024-06-21' AS expiration,
          i AS strike, 'C' AS call_put, 1 AS bid, 2 AS ask, 0.2 AS vol, 0.5 AS delta, 0 AS gamma, 0 AS theta, 0 AS vega,
          i % 1000 AS open_interest, i % 77 AS volume FROM range(100000000) t(i)\` });
    `);
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: resolve(here, '../..'), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise((r) => child.once('exit', r));
    const final = join(root, 'options/year=2024/month=04/options_2024_04.parquet');
    const deadline = Date.now() + 60_000;
    let tmp: string[] = [];
    while (Date.now() < deadline) {
      tmp = existsSync(root) ? (await allFiles(root)).filter((x) => x.endsWith('.tmp')) : [];
      if (tmp.length > 0 || child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await exited;
    expect(stderr).toBe('');
    expect(tmp.length).toBe(1);
    expect(existsSync(final)).toBe(false);
    expect(await allFiles(root)).toEqual(tmp);
    expect(await removeStaleTmp(root)).toEqual(tmp);
    expect(await allFiles(root)).toEqual([]);
  });
});

describe('writeManifest', () => {
  it('publishes a manifest that parses and pins the files', async () => {
    const root = join(dir, 'lake5');
    const a = await writeLakeFile({ conn, select: OPTIONS_SELECT, table: 'options', partition: { year: 2024, month: 2 }, root });
    const b = await writeLakeFile({ conn, root, table: 'model_meta',
      select: `SELECT 'm' AS model_name, NULL AS trained_at, '1' AS version, 'n' AS notes, '{}' AS performance_metrics` });
    await expect(writeManifest(root, [a, b])).rejects.toThrow(/out-of-date rollups: options_daily 2024: missing/);
    const m = await publishManifest(conn, root, [a, b]);
    expect(m.files.map((f) => f.table)).toEqual(['options', 'model_meta', 'options_daily']);
    const onDisk = parseManifest(JSON.parse(await readFile(join(root, 'manifest.json'), 'utf8')));
    expect(onDisk).toEqual(m);
    expect(m.datasetVersion).toMatch(/^[0-9a-f]{16}$/);
    expect(m.files[1]!.minDate).toBeNull();
    expect(m.files[2]!.sources).toEqual([a.sha256]);
    // Every listed file carries the footer proof the browser checks, computed from the bytes on disk.
    for (const f of m.files) expect(f.footer).toEqual(await footerProofOf(join(root, f.path)));
    expect(m.files[0]!.footer!.bytes).toBeGreaterThan(8);
    expect((await allFiles(root)).filter((x) => x.endsWith('.tmp'))).toEqual([]);
    await expect(writeManifest(root, [{ ...a, sha256: 'nope' }])).rejects.toThrow(/sha256/);
  });
});
