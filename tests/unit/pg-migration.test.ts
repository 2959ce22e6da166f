// The migration end to end against a real PostgreSQL (started here, on 127.0.0.1): a quirky legacy
// database -> export -> validate, the quirk counts, idempotent re-runs, validate catching a dropped
// row, a changed value and a truncated file, and an export killed with SIGKILL then resumed.
import { isRollup } from '../../src/lake/schema.ts';
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/lake/manifest.ts';
import { generate } from '../../src/node/generate/index.ts';
import { exportPg, MIGRATION_DIR, PAUSE_ENV, type ExportReport } from '../../src/node/pg/export.ts';
import { loadIntoPg, type LoadResult } from '../../src/node/pg/load.ts';
import { QUIRK_RULES, REJECT_REASONS } from '../../src/node/pg/quirks.ts';
import { validatePg } from '../../src/node/pg/validate.ts';
import { startPostgres, type PgCluster } from '../support/postgres.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'bin/quantiv.mjs');

let cluster: PgCluster;
let dir: string;
let lake: string;
let out: string;
let loaded: LoadResult;
let report: ExportReport;

interface Run { code: number | null; stdout: string; stderr: string }

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

/** A copy of the loaded database, so a test can damage it without touching the others. */
async function cloneDb(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: cluster.url.replace(/\/postgres$/, '/template1') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE postgres`);
  } finally {
    await admin.end();
  }
  return cluster.url.replace(/\/postgres$/, `/${name}`);
}

async function sql(url: string, text: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}

/** One kept row of a month: valid, and the only row with its natural key. */
const uniqueRowIn = (from: string, to: string): string => `
  SELECT id FROM options_chain o
  WHERE date >= DATE '${from}' AND date < DATE '${to}' AND call_put IN ('C', 'P') AND strike IS NOT NULL
    AND extract(isodow FROM date) < 6 AND bid IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM options_chain d WHERE d.date = o.date AND d.act_symbol = o.act_symbol
                    AND d.expiration = o.expiration AND d.strike = o.strike AND upper(d.call_put) LIKE o.call_put || '%'
                    AND d.id <> o.id)
  ORDER BY id LIMIT 1`;

async function walk(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(relative(root, join(e.parentPath, e.name)));
  }
  return out.sort();
}

beforeAll(async () => {
  [cluster, dir] = await Promise.all([startPostgres(), mkdtemp(join(tmpdir(), 'quantiv-pg-migration-'))]);
  const gen = await generate({ out: join(dir, 'lake'), symbols: ['SPY', 'QQQ', 'IWM'], from: '2025-03-03', to: '2025-05-30', seed: 5, strikes: 8, quiet: true });
  lake = gen.root;
  loaded = await loadIntoPg(lake, cluster.url, { quirks: true, seed: 9 });
  out = join(dir, 'out');
  report = await exportPg(cluster.url, { out });
});

afterAll(async () => {
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('quirky legacy database -> export', () => {
  it('counts every quirk rule exactly as injected', () => {
    const inj = loaded.injected;
    for (const k of ['duplicate_key', 'null_greeks', 'vol_percent', 'call_put_spelling', 'weekend_date', 'null_key', 'unknown_call_put'] as const) {
      expect(inj[k], k).toBeGreaterThan(0);
      expect(report.counts[k], k).toBe(inj[k]);
    }
    expect(report.counts.non_positive_strike).toBe(0);
    const o = report.rows.options!;
    expect(o.source).toBe(loaded.rows.options_chain);
    // Every source row is accounted for: in the lake, a rejected row, or a dropped duplicate.
    expect(o.lake + o.rejects + report.counts.duplicate_key).toBe(o.source);
    expect(o.rejects).toBe(REJECT_REASONS.reduce((s, r) => s + report.counts[r], 0));
    expect(report.rowsPerSecond).toBeGreaterThan(0);
  });

  it('keeps rejects with their reason in CSV files', async () => {
    const files = report.partitions.map((p) => p.rejectsFile).filter((f): f is string => !!f);
    expect(files.length).toBeGreaterThan(0);
    let lines = 0;
    const reasons = new Set<string>();
    for (const f of files) {
      const rows = (await readFile(join(out, MIGRATION_DIR, f), 'utf8')).trim().split('\n').slice(1);
      lines += rows.length;
      for (const r of rows) reasons.add(r.split(',')[0]!);
    }
    expect(lines).toBe(report.rows.options!.rejects);
    expect([...reasons].sort()).toEqual(['null_key', 'unknown_call_put', 'weekend_date']);
  });

  it('the rules restore the original rows: the lake differs from the generated lake only by NULL greeks and rejects', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const n = async (q: string) => Number((await c.runAndReadAll(q)).getRows()[0]![0]);
    const orig = `read_parquet('${lake}/options/*/*/*.parquet')`;
    const exp = `read_parquet('${out}/options/*/*/*.parquet')`;
    const cols = 'date, act_symbol, expiration, strike, call_put, bid, ask, vol, delta, gamma, theta, vega, open_interest, volume';
    expect(await n(`SELECT count(*) FROM ${exp} WHERE call_put NOT IN ('C', 'P') OR vol > 3 OR dayofweek(date) IN (0, 6)`)).toBe(0);
    expect(await n(`SELECT count(*) FROM (SELECT ${cols} FROM ${exp} EXCEPT ALL SELECT ${cols} FROM ${orig})`)).toBe(report.counts.null_greeks);
    const rejected = report.counts.weekend_date + report.counts.null_key + report.counts.unknown_call_put;
    expect(await n(`SELECT count(*) FROM (SELECT ${cols} FROM ${orig} EXCEPT ALL SELECT ${cols} FROM ${exp})`)).toBe(report.counts.null_greeks + rejected);
    c.closeSync();
    db.closeSync();
  });

  it('validate agrees (exit 0), and a re-run is idempotent', async () => {
    const v = await validatePg(cluster.url, out);
    expect(v.diffs).toEqual([]);
    // Every exported partition, and the rollups checked against the lake's raw rows.
    expect(v.partitions.filter((p) => !isRollup(p.table)).length).toBe(report.partitions.length);
    expect(v.partitions.filter((p) => p.table === 'options_daily' || p.table.startsWith('forecast_')).map((p) => p.key)).toEqual(['options_daily/2025', 'forecast_daily', 'forecast_monthly']);
    expect(v.metricsCompared).toBeGreaterThan(300);
    const r = await cli(['validate', '--pg', cluster.url, '--data', out, '--quiet']);
    expect(r.stdout).toContain('OK: PostgreSQL and the lake agree.');
    expect(r.code).toBe(0);
    const again = await exportPg(cluster.url, { out });
    expect(again.skipped).toBe(report.partitions.length);
    expect(again.exported.partitions).toBe(0);
    expect(again.datasetVersion).toBe(report.datasetVersion);
    expect(again.counts).toEqual(report.counts);
  });
});

describe('validate catches differences', () => {
  it('a row deleted from PostgreSQL after the export: fails naming the partition (exit 1)', async () => {
    const url = await cloneDb('dropped_row');
    const del = await sql(url, `DELETE FROM options_chain WHERE id = (${uniqueRowIn('2025-04-01', '2025-05-01')}) RETURNING date::text AS date`);
    expect(del.rowCount).toBe(1);
    const r = await cli(['validate', '--pg', url, '--data', out, '--quiet']);
    expect(r.code).toBe(1);
    const lakeRows = report.partitions.find((p) => p.key === 'options/2025-04')!.lakeRows;
    expect(r.stdout).toContain(`options/2025-04: row count: postgres ${lakeRows - 1}, lake ${lakeRows}`);
    expect(r.stdout).toContain('options/2025-04: natural key hash');
    expect(r.stdout).toContain(`options/2025-04: row date|act_symbol|expiration|strike|call_put = ${del.rows[0].date}|`);
    expect(r.stdout).toMatch(/options\/2025-04: row [^\n]*: only in the lake\n/);
    expect(r.stdout).not.toMatch(/options\/2025-0[35]:/);
  });

  it('a changed value: fails naming the partition and the column, row counts equal', async () => {
    const url = await cloneDb('changed_value');
    await sql(url, `UPDATE options_chain SET bid = bid + 0.05 WHERE id = (${uniqueRowIn('2025-03-01', '2025-04-01')})`);
    await sql(url, `UPDATE volatility_history SET iv_rank = iv_rank + 1 WHERE (date, symbol) = (SELECT date, symbol FROM volatility_history WHERE iv_rank < 90 ORDER BY date, symbol LIMIT 1)`);
    const v = await validatePg(url, out);
    expect(v.ok).toBe(false);
    expect(v.diffs.some((d) => d.startsWith('options/2025-03: column bid sum: postgres'))).toBe(true);
    expect(v.diffs.some((d) => d.startsWith('volatility/2025: column iv_rank sum'))).toBe(true);
    expect(v.diffs.some((d) => d.includes('row count'))).toBe(false);
    expect(v.diffs.every((d) => /^(options\/2025-03: (column bid|content fingerprint|row .*: bid postgres))|^(volatility\/2025: (column iv_rank|content fingerprint|row .*: iv_rank postgres))/.test(d)), v.diffs.join('\n')).toBe(true);
    expect(v.diffs.filter((d) => d.includes(': row ')).length).toBe(2);
  });

  it('a swap, an offsetting pair and a moved timestamp: every aggregate agrees, the fingerprint does not', async () => {
    const url = await cloneDb('content_only');
    const two = (await sql(url, `SELECT o.id, o.date::text AS date, o.act_symbol, o.expiration::text AS expiration, o.strike::text AS strike, o.call_put, o.bid::text AS bid
      FROM options_chain o WHERE o.id IN (${uniqueRowIn('2025-03-01', '2025-04-01').replace('LIMIT 1', 'LIMIT 400')})
        AND o.bid BETWEEN 1 AND 2 ORDER BY o.id`)).rows;
    // Swap in one month: two rows with different bids trade them.
    const [a, b] = [two[0], two.find((r) => r.bid !== two[0].bid)];
    await sql(url, `UPDATE options_chain SET bid = CASE id WHEN ${a.id} THEN ${b.bid} ELSE ${a.bid} END WHERE id IN (${a.id}, ${b.id})`);
    // Offsetting pair in the next month: +0.01 and -0.01 on two mid-range bids.
    const pair = (await sql(url, `SELECT id, date::text AS date, act_symbol, expiration::text AS expiration, strike::text AS strike, call_put, bid::text AS bid
      FROM options_chain WHERE id IN (${uniqueRowIn('2025-04-01', '2025-05-01').replace('LIMIT 1', 'LIMIT 400')}) AND bid BETWEEN 1 AND 2 ORDER BY id LIMIT 2`)).rows;
    await sql(url, `UPDATE options_chain SET bid = bid + CASE id WHEN ${pair[0].id} THEN 0.01 ELSE -0.01 END WHERE id IN (${pair[0].id}, ${pair[1].id})`);
    // One forecast's created_at, from the middle of the range, an hour later.
    const fc = (await sql(url, `SELECT underlying, (extract(epoch FROM quote_ts) * 1000000)::bigint::text AS ts, exp_date::text AS exp, horizon,
        (extract(epoch FROM created_at) * 1000000)::bigint::text AS created FROM em_forecasts WHERE created_at IS NOT NULL
      ORDER BY created_at, underlying, quote_ts, exp_date, horizon OFFSET (SELECT count(*) / 2 FROM em_forecasts) LIMIT 1`)).rows[0];
    await sql(url, `UPDATE em_forecasts SET created_at = created_at + interval '1 hour'
      WHERE underlying = '${fc.underlying}' AND quote_ts = to_timestamp(${fc.ts} / 1000000.0) AND exp_date = '${fc.exp}' AND horizon = '${fc.horizon}'`);

    const r = await cli(['validate', '--pg', url, '--data', out, '--quiet']);
    expect(r.code).toBe(1);
    const diffs = r.stdout.split('\n').map((l) => l.trim()).filter((l) => /^[a-z_]+(\/\d{4}(-\d\d)?)?: /.test(l));
    const key = (x: Record<string, string>) => `${x.date}|${x.act_symbol}|${x.expiration}|${x.strike}|${x.call_put}`;
    expect(diffs.sort()).toEqual([
      'em_forecasts: content fingerprint (some row\'s values differ): postgres ' + diffs.find((d) => d.startsWith('em_forecasts: content'))!.split('postgres ')[1],
      `em_forecasts: row underlying|quote_ts|exp_date|horizon = ${fc.underlying}|${fc.ts}|${fc.exp}|${fc.horizon}: created_at postgres ${BigInt(fc.created) + 3600000000n}, lake ${fc.created}`,
      'options/2025-03: content fingerprint (some row\'s values differ): postgres ' + diffs.find((d) => d.startsWith('options/2025-03: content'))!.split('postgres ')[1],
      ...[[a, b], [b, a]].map(([x, y]) => `options/2025-03: row date|act_symbol|expiration|strike|call_put = ${key(x!)}: bid postgres ${y!.bid}, lake ${x!.bid}`).sort(),
      'options/2025-04: content fingerprint (some row\'s values differ): postgres ' + diffs.find((d) => d.startsWith('options/2025-04: content'))!.split('postgres ')[1],
      ...pair.map((x, i) => `options/2025-04: row date|act_symbol|expiration|strike|call_put = ${key(x)}: bid postgres ${(Number(x.bid) + (i === 0 ? 0.01 : -0.01)).toFixed(2)}, lake ${x.bid}`).sort(),
    ].sort());
  });

  it('a truncated Parquet file: fails with a readable message, no crash', async () => {
    const copy = join(dir, 'out-truncated');
    await cp(out, copy, { recursive: true });
    const f = report.partitions.find((p) => p.key === 'options/2025-05')!.file;
    const path = join(copy, f.path);
    await truncate(path, Math.floor((await stat(path)).size / 2));
    const r = await cli(['validate', '--pg', cluster.url, '--data', copy, '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`options/2025-05: file ${f.path} is ${Math.floor(f.bytes / 2)} bytes, the manifest says ${f.bytes} (truncated: no Parquet footer at its end)`);
    expect(r.stdout).toContain(`options/2025-05: cannot read ${f.path}`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('an export killed with SIGKILL, then re-run', () => {
  it('ends complete: no *.tmp, no duplicate or partial file, same bytes, validate passes', async () => {
    const killed = join(dir, 'out-killed');
    const child = spawn(process.execPath, [CLI, 'export', '--pg', cluster.url, '--out', killed, '--quiet'], {
      cwd: ROOT, env: { ...process.env, [PAUSE_ENV]: '2' },
    });
    let stderr = '';
    await new Promise<void>((res, rej) => {
      child.stderr.on('data', (d) => {
        stderr += String(d);
        // Paused after 2 published partitions; the third one's COPY may be mid-stream.
        if (stderr.includes('paused after 2 partitions')) res();
      });
      child.on('close', (code) => rej(new Error(`export ended (${code}) before the hook: ${stderr}`)));
    });
    const closed = new Promise((res) => child.on('close', res));
    child.kill('SIGKILL');
    await closed;
    const partial = parseManifest(JSON.parse(await readFile(join(killed, 'manifest.json'), 'utf8')));
    // The two finished months, and the year's rollup published with them.
    expect(partial.files.filter((f) => f.table === 'options').map((f) => f.path)).toEqual([
      'options/year=2025/month=03/options_2025_03.parquet',
      'options/year=2025/month=04/options_2025_04.parquet',
    ]);
    expect(partial.files.filter((f) => f.table === 'options_daily').map((f) => f.sources)).toEqual([
      partial.files.filter((f) => f.table === 'options').map((f) => f.sha256).sort(),
    ]);
    expect(partial.files.length).toBe(3);
    // What a kill inside writeLakeFile leaves behind.
    const stale = join(killed, 'options/year=2025/month=05/options_2025_05.parquet.99999.tmp');
    await cp(join(killed, partial.files[0]!.path), stale);

    const r = await cli(['export', '--pg', cluster.url, '--out', killed]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('resuming: 2 partitions already exported and unchanged');
    expect(r.stdout).toMatch(/1 stale tmp files removed/);

    const files = await walk(killed);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(files.filter((f) => f.startsWith(`${MIGRATION_DIR}/work`))).toEqual([]);
    const manifest = parseManifest(JSON.parse(await readFile(join(killed, 'manifest.json'), 'utf8')));
    const listed = manifest.files.map((f) => f.path).sort();
    // Every publish carries its rollup; the ones superseded mid-export stay for readers of the
    // older manifests until gc, so only rollups may be on disk unlisted.
    const parquet = files.filter((f) => f.endsWith('.parquet'));
    expect(parquet.filter((f) => !f.startsWith('rollups/'))).toEqual(listed.filter((f) => !f.startsWith('rollups/')));
    for (const f of listed) expect(parquet).toContain(f);
    // The exported partitions plus the rollups: one options_daily (one year) and both forecast levels.
    expect(new Set(listed).size).toBe(report.partitions.length + 3);
    expect(manifest.files.filter((f) => isRollup(f.table)).map((f) => f.table).sort()).toEqual(['forecast_daily', 'forecast_monthly', 'options_daily']);
    // Deterministic files: the resumed lake is byte-identical to the uninterrupted export.
    expect(manifest.datasetVersion).toBe(report.datasetVersion);
    expect((await validatePg(cluster.url, killed)).diffs).toEqual([]);
  });
});

describe('export report', () => {
  it('lists every rule and reason', () => {
    for (const k of [...QUIRK_RULES, ...REJECT_REASONS]) expect(report.counts).toHaveProperty(k);
  });

  it('writes the JSON report beside the state', async () => {
    const json = JSON.parse(await readFile(join(out, MIGRATION_DIR, 'export-report.json'), 'utf8')) as ExportReport;
    expect(json.datasetVersion).toBe(report.datasetVersion);
  });
});

describe('a re-run after the source changed (runs last: it writes to the shared database)', () => {
  it('redoes only the month whose source row count changed, and validate agrees again', async () => {
    await sql(cluster.url, `INSERT INTO options_chain (date, act_symbol, expiration, strike, call_put, bid, ask, vol)
                            VALUES ('2025-05-14', 'ZZZ', '2025-06-20', 10.00, 'C', 1.00, 1.10, 0.2500)`);
    expect((await validatePg(cluster.url, out)).diffs[0]).toMatch(/^options\/2025-05: row count/);
    const again = await exportPg(cluster.url, { out });
    expect(again.partitions.filter((p) => !p.skipped).map((p) => p.key)).toEqual(['options/2025-05']);
    expect(again.rows.options!.lake).toBe(report.rows.options!.lake + 1);
    expect((await validatePg(cluster.url, out)).diffs).toEqual([]);
  });
});
