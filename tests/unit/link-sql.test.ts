// Link SQL is judged by DuckDB's own tokenizer and parser (src/engine/statements.ts), and the
// pages' connection cannot be reached from the console's: both checked on the engine the browser
// runs (DuckDB-WASM 1.32, node build), locked by the same fences as the worker.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Blocking from '@duckdb/duckdb-wasm/blocking';
import { lockdownSql, PAGES_SEARCH_PATH } from '../../src/engine/fences.ts';
import { probeSql, splitStatements, verdict } from '../../src/engine/statements.ts';

const require = createRequire(import.meta.url);
let db: Blocking.DuckDBBindings;
let pages: Blocking.DuckDBConnection;
let console_: Blocking.DuckDBConnection;

beforeAll(async () => {
  const duckdb = require('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs') as typeof Blocking;
  const dist = join(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm'), '..');
  const eh = { mainModule: join(dist, 'duckdb-eh.wasm'), mainWorker: join(dist, 'duckdb-node-eh.worker.cjs') };
  db = await duckdb.createDuckDB({ mvp: eh, eh }, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
  await db.instantiate(() => undefined);
  db.open({});
  pages = db.connect();
  for (const stmt of lockdownSql([])) pages.query(stmt);
  pages.query(PAGES_SEARCH_PATH);
  console_ = db.connect();
});
afterAll(() => {
  pages?.close();
  console_?.close();
  db?.reset();
});

/** What the worker's classify() does, on the console's connection. */
function classify(sql: string) {
  const tokens = db.tokenize(sql);
  const statements = splitStatements(sql, tokens);
  let probeError: string | null = null;
  if (statements.length === 1) {
    const handle = console_.useUnsafe((_b, c) => c);
    try {
      db.closePrepared(handle, db.createPrepared(handle, probeSql(sql.slice(statements[0]!.start, statements[0]!.end))));
    } catch (e) {
      probeError = (e as Error).message;
    }
  }
  return verdict(sql, tokens, probeError);
}

function fails(conn: Blocking.DuckDBConnection, sql: string): string {
  try {
    conn.query(sql);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`expected to fail: ${sql}`);
}

describe('link SQL, judged by DuckDB', () => {
  it('lets every form of a single query through', () => {
    for (const sql of [
      'SELECT 1',
      'select 1;',
      '  -- a comment first\nSELECT 1 -- and one after',
      'FROM duckdb_settings() LIMIT 1',
      'WITH q AS (SELECT 1 AS x) SELECT * FROM q',
      '(SELECT 1) UNION ALL (SELECT 2)',
      'VALUES (1), (2)',
      "SELECT ';' AS semicolon, $$ ; $$ AS dollar /* ; */",
      'SELECT * FROM no_such_table', // a query; running it says what is wrong
    ]) {
      expect(classify(sql), sql).toEqual({ readOnly: true, statements: 1, reason: '' });
    }
  });

  it('refuses anything else with the statement it is', () => {
    const cases: [string, RegExp][] = [
      ['SET enable_external_access=false', /^This is a SET statement, not a read-only SELECT/],
      ['CREATE OR REPLACE VIEW atm_features AS SELECT 1 AS spot_price', /CREATE statement/],
      ["COPY (SELECT 1) TO 'http://127.0.0.1:9/x.csv'", /COPY statement/],
      ["ATTACH 'http://127.0.0.1:9/x.duckdb' AS x", /ATTACH statement/],
      ['DROP VIEW options', /DROP statement/],
      ['PRAGMA version', /PRAGMA statement/],
      ['LOAD httpfs', /LOAD statement/],
      ['USE memory', /USE statement/],
      ['DESCRIBE SELECT 1', /DESCRIBE statement/],
      ['INSERT INTO t VALUES (1)', /INSERT statement/],
      ['CALL pragma_version()', /CALL statement/],
    ];
    for (const [sql, reason] of cases) {
      const v = classify(sql);
      expect(v.readOnly, sql).toBe(false);
      expect(v.reason, sql).toMatch(reason);
    }
  });

  it('counts statements as DuckDB does, strings and comments included', () => {
    expect(classify('SELECT 1; SELECT 2')).toMatchObject({ readOnly: false, statements: 2, reason: expect.stringMatching(/holds 2 statements/) });
    expect(classify("SELECT ';'; DROP VIEW x -- ;")).toMatchObject({ readOnly: false, statements: 2 });
    expect(classify('SELECT 1;;; ')).toMatchObject({ readOnly: true, statements: 1 });
    expect(classify('  -- only a comment')).toMatchObject({ readOnly: false, statements: 0 });
    // A statement hidden after a `--` inside the probe would be a second one: refused either way.
    expect(classify('SELECT 1 --\n; SET x = 1')).toMatchObject({ readOnly: false, statements: 2 });
  });

  it('lets a SELECT that builds a URL at run time through, and the fences still refuse the read', () => {
    const sql = "SELECT * FROM read_csv('http:' || '//127.0.0.1:9/x.csv')";
    expect(classify(sql).readOnly).toBe(true);
    expect(fails(console_, sql)).toMatch(/disabled by configuration/);
    expect(fails(pages, sql)).toMatch(/disabled by configuration/);
  });
});

describe("the pages' connection", () => {
  it('keeps its temp views and the built-ins whatever the console creates, replaces, drops or sets', () => {
    pages.query('CREATE TEMP VIEW atm_features AS SELECT 500.0::DOUBLE AS spot_price');
    pages.query('CREATE TEMP VIEW expected_move AS SELECT round(spot_price, 0) AS spot, ln(1)::DOUBLE AS zero FROM atm_features');
    const read = () => pages.query('SELECT spot, zero FROM expected_move').toArray().map((r) => r.toJSON());
    const before = read();
    expect(before).toEqual([{ spot: 500, zero: 0 }]);
    for (const sql of [
      'CREATE OR REPLACE VIEW atm_features AS SELECT 5000.0::DOUBLE AS spot_price',
      'CREATE OR REPLACE VIEW memory.main.expected_move AS SELECT 1 AS spot, 1 AS zero',
      'CREATE OR REPLACE MACRO round(x, n) AS 0',
      'CREATE OR REPLACE MACRO ln(x) AS 42',
    ]) console_.query(sql);
    // The attacks took effect where they ran...
    expect(console_.query('SELECT spot_price, round(1.5::DOUBLE, 0) AS r FROM atm_features').toArray().map((r) => r.toJSON())).toEqual([{ spot_price: 5000, r: 0 }]);
    // ...and cannot reach the other connection's temp views or its settings.
    expect(fails(console_, 'DROP VIEW temp.main.atm_features')).toMatch(/does not exist/);
    expect(fails(console_, 'CREATE OR REPLACE VIEW temp.main.atm_features AS SELECT 1')).toMatch(/TEMPORARY/);
    expect(fails(console_, 'SET enable_external_access = false')).toMatch(/locked/);
    console_.query("SET search_path = 'memory.main'");
    expect(read()).toEqual(before);
  });
});
