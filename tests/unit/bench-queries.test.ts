// Smoke test of the bench's one definition of the four query classes (bench/queries.ts): on a small
// lake loaded into a real PostgreSQL, the same SQL gives the same answers in PostgreSQL (legacy
// schema), native DuckDB and DuckDB-WASM 1.28's node build (DuckDB 0.9.1, the browser's engine).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_REFERENCE, appSqlFor, QUERIES, sqlFor, type QueryParams } from '../../bench/queries.ts';
import { resultDigest } from '../../src/lake/result.ts';
import { pathLocator } from '../../src/lake/views.ts';
import type { LocalEngine } from '../../src/node/engines/wasm.ts';
import { openNativeSession, openPg, type Session, type Timed } from '../../bench/engines.ts';
import { loadIntoPg } from '../../src/node/pg/load.ts';
import { openWasm } from '../../src/node/engines/wasm.ts';
import { readLakeManifest } from '../../src/node/lake-io.ts';
import { startPostgres, type PgCluster } from '../support/postgres.ts';
import { smallLake } from '../support/small-lake.ts';

let cluster: PgCluster;
let pg: Session;
let native: Session;
let wasm: Session;
let params: QueryParams;
let engine: LocalEngine;
let lake: string;

beforeAll(async () => {
  lake = smallLake();
  cluster = await startPostgres();
  await loadIntoPg(lake, cluster.url, { quirks: false });
  pg = await openPg(cluster.url);
  native = await openNativeSession(lake);
  const w = await openWasm(lake);
  engine = w;
  wasm = {
    async query(sql): Promise<Timed> {
      const r = await w.query(sql);
      const col = r.columns.find((c) => c.name === 'contracts' || c.name === 'n');
      const check = col && col.values instanceof Float64Array ? col.values.reduce((s, v) => s + v, 0) : null;
      return { ms: r.stats.ms, rows: r.rows, check };
    },
    close: () => w.close(),
  };
  const months = (await readLakeManifest(lake)).files.filter((f) => f.table === 'options').map((f) => f.minDate!.slice(0, 7)).sort();
  params = { symbol: 'SPY', from: `${months[1]}-01`, to: `${months[1]}-28` };
});

afterAll(async () => {
  await pg?.close();
  await native?.close();
  await wasm?.close();
  await cluster?.stop();
});

describe('bench queries', () => {
  it('differ between engines only in table names', () => {
    for (const q of QUERIES) {
      const duck = sqlFor(q, { symbol: 'SPY', from: '2025-06-01', to: '2025-06-30' }, 'duckdb');
      const pgSql = sqlFor(q, { symbol: 'SPY', from: '2025-06-01', to: '2025-06-30' }, 'pg');
      expect(pgSql.replace(/options_chain/g, 'options')).toBe(duck);
    }
    expect(() => sqlFor(QUERIES[0]!, { symbol: "x'; drop", from: '2025-01-01', to: '2025-01-31' }, 'pg')).toThrow(/bad query parameters/);
  });

  for (const q of QUERIES) {
    it(`${q.id}: PostgreSQL, native DuckDB and DuckDB-WASM agree`, async () => {
      const [a, b, c] = [await pg.query(sqlFor(q, params, 'pg')), await native.query(sqlFor(q, params, 'duckdb')), await wasm.query(sqlFor(q, params, 'duckdb'))];
      expect(a.rows).toBeGreaterThan(0);
      expect(b.rows).toBe(a.rows);
      expect(c.rows).toBe(a.rows);
      expect(a.check).not.toBeNull();
      expect(b.check).toBe(a.check);
      expect(c.check).toBe(a.check);
    });
  }

  for (const q of QUERIES) {
    it(`${q.id}: the app's answer (rollups) equals the raw tables' answer, value for value`, async () => {
      const appLake = { manifest: engine.manifest, locate: pathLocator(lake) };
      const app = appSqlFor(q.id, params, appLake);
      expect(app).toContain(q.id === 'join' ? 'forecast_monthly' : 'options_daily');
      const reference = APP_REFERENCE[q.id]?.(params, appLake) ?? sqlFor(q, params, 'duckdb');
      const [raw, fast] = [await engine.query(reference), await engine.query(app)];
      expect(raw.rows).toBeGreaterThan(0);
      expect(resultDigest(fast)).toBe(resultDigest(raw));
    });
  }
});
