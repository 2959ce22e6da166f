// The same data in PostgreSQL (a clean load of a generated lake) and in the lake: the legacy views
// give the same answers in PostgreSQL and in DuckDB-WASM (the browser's engine), validate agrees
// with the generated lake itself, and build-db's quantiv.duckdb serves the same views natively.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDb } from '../../src/cli/build-db.ts';
import { columnsToRows } from '../../src/lake/result.ts';
import { LEGACY_VIEWS } from '../../src/lake/views.ts';
import { tableTotals } from '../../src/lake/manifest.ts';
import { openWasm, type LocalEngine } from '../../src/node/engines/wasm.ts';
import { generate } from '../../src/node/generate/index.ts';
import { connectPg } from '../../src/node/pg/client.ts';
import { loadIntoPg } from '../../src/node/pg/load.ts';
import { validatePg } from '../../src/node/pg/validate.ts';
import { startPostgres, type PgCluster } from '../support/postgres.ts';

let cluster: PgCluster;
let dir: string;
let lake: string;
let wasm: LocalEngine;
let client: pg.Client;

const KEY_ORDER = 'date, act_symbol, expiration, strike, call_put';
const ORDER: Record<string, string> = {
  daily_iv_summary: 'date, act_symbol',
  symbol_summary: 'act_symbol',
  atm_options: KEY_ORDER,
  recent_options: KEY_ORDER,
};

beforeAll(async () => {
  [cluster, dir] = await Promise.all([startPostgres(), mkdtemp(join(tmpdir(), 'quantiv-pg-equiv-'))]);
  const gen = await generate({ out: join(dir, 'lake'), symbols: ['SPY', 'QQQ', 'AAPL'], from: '2025-02-03', to: '2025-04-30', seed: 11, strikes: 8, quiet: true });
  lake = gen.root;
  await loadIntoPg(lake, cluster.url, { quirks: false });
  [wasm, client] = await Promise.all([openWasm(lake), connectPg(cluster.url)]);
});

afterAll(async () => {
  await wasm?.close();
  await client?.end();
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** PostgreSQL rows with every value as PostgreSQL's text (ISO dates, exact numerics). */
async function pgRows(sql: string): Promise<{ names: string[]; rows: (string | null)[][] }> {
  const res = await client.query({ text: sql, rowMode: 'array', types: { getTypeParser: () => (v: string) => v } });
  return { names: res.fields.map((f) => f.name), rows: res.rows as (string | null)[][] };
}

function same(pgText: string | null, duck: unknown): boolean {
  if (pgText === null || duck === null || duck === undefined) return pgText === null && (duck === null || duck === undefined);
  if (typeof duck === 'number') {
    const x = Number(pgText);
    return x === duck || Math.abs(x - duck) <= 1e-12 * Math.max(1, Math.abs(x), Math.abs(duck));
  }
  return pgText === String(duck);
}

describe('legacy views: PostgreSQL equals DuckDB-WASM on the same data', () => {
  it.each(Object.keys(LEGACY_VIEWS))('%s', async (view) => {
    const sql = `SELECT * FROM ${view} ORDER BY ${ORDER[view]}`;
    const [p, w] = await Promise.all([pgRows(sql), wasm.query(sql)]);
    expect(p.names).toEqual(w.columns.map((c) => c.name));
    expect(p.rows.length).toBe(w.rows);
    expect(w.rows).toBeGreaterThan(view === 'symbol_summary' ? 2 : 100);
    const rows = columnsToRows(w);
    let compared = 0;
    for (let i = 0; i < rows.length; i++) {
      for (let j = 0; j < p.names.length; j++) {
        const name = p.names[j]!;
        const a = p.rows[i]![j]!, b = rows[i]![name];
        if (!same(a, b)) throw new Error(`${view} row ${i} column ${name}: postgres ${a} vs duckdb-wasm ${String(b)}`);
        compared++;
      }
    }
    expect(compared).toBe(p.rows.length * p.names.length);
  });

  it('recent_options covers the last 30 days of the data, not of the wall clock', async () => {
    const p = await pgRows('SELECT min(date), max(date) FROM recent_options');
    expect(p.rows[0]).toEqual(['2025-03-31', '2025-04-30']);
  });
});

describe('validate on a clean load', () => {
  it('PostgreSQL and the generated lake agree on every checksum but jsonb text', async () => {
    const v = await validatePg(cluster.url, lake);
    expect(v.partitions.map((p) => p.key)).toContain('options/2025-04');
    // jsonb stores a canonical form (keys reordered, ', ' and ': '), so its text differs from the
    // generator's compact JSON; an export from PostgreSQL carries the jsonb text and then agrees.
    // The content fingerprint sees the same and names each row with only that column differing.
    expect(v.diffs.map((d) => d.split(/:? postgres /)[0])).toEqual([
      "model_meta: content fingerprint (some row's values differ)",
      'model_meta: column performance_metrics min',
      'model_meta: column performance_metrics max',
      'model_meta: column performance_metrics hash',
      ...['baseline', 'gbm-v1', 'qrf-v2'].map((m) => `model_meta: row model_name = ${m}: performance_metrics`),
    ]);
    const pgJson = (await pgRows('SELECT model_name, performance_metrics::text FROM model_meta ORDER BY model_name')).rows;
    const lakeJson = columnsToRows(await wasm.query('SELECT model_name, performance_metrics FROM model_meta ORDER BY model_name'));
    expect(pgJson.map(([n, j]) => [n, JSON.parse(j!)])).toEqual(lakeJson.map((r) => [r.model_name, JSON.parse(r.performance_metrics as string)]));
  });
});

describe('build-db', () => {
  it('writes a native DuckDB file whose views query the lake from a fresh fresh session', async () => {
    const path = join(dir, 'quantiv.duckdb');
    const built = await buildDb(lake, path);
    expect(built.path).toBe(path);
    const db = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
    const c = await db.connect();
    const one = async (sql: string) => (await c.runAndReadAll(sql)).getRows()[0]!;
    try {
      const totals = tableTotals(wasm.manifest);
      expect(Number((await one('SELECT count(*) FROM options'))[0])).toBe(totals.options!.rows);
      expect(Number((await one('SELECT count(*) FROM volatility'))[0])).toBe(totals.volatility!.rows);
      const names = (await c.runAndReadAll("SELECT view_name FROM duckdb_views() WHERE NOT internal")).getRows().map((r) => String(r[0]));
      for (const v of [...Object.keys(LEGACY_VIEWS), 'options', 'expected_move', 'quantiv_build']) expect(names).toContain(v);
      const [n] = await one('SELECT count(*) FROM daily_iv_summary');
      const w = await wasm.query('SELECT count(*) AS n FROM daily_iv_summary');
      expect(Number(n)).toBe((w.columns[0]!.values as Float64Array)[0]);
      const [sym, days] = await one("SELECT act_symbol, trading_days FROM symbol_summary WHERE act_symbol = 'SPY'");
      expect(sym).toBe('SPY');
      expect(Number(days)).toBeGreaterThan(50);
      expect(String((await one('SELECT dataset_version FROM quantiv_build'))[0])).toBe(wasm.manifest.datasetVersion);
    } finally {
      c.closeSync();
      db.closeSync();
    }
  });
});
