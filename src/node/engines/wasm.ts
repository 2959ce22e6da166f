// DuckDB-WASM's node build (the same engine and version the browser runs) over a local lake:
// lets tests run the browser's SQL without a browser.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Blocking from '@duckdb/duckdb-wasm/blocking';
import { tableFromIPC } from 'apache-arrow';
import type { Connector, QueryResult } from '../../engine/api.ts';
import { tableToColumns } from '../../lake/columns.ts';
import type { Manifest } from '../../lake/manifest.ts';
import { readLakeManifest } from '../lake-io.ts';
import { createViewsSql, pathLocator } from '../../lake/views.ts';

const require = createRequire(import.meta.url);

export interface LocalEngine extends Connector {
  manifest: Manifest;
  close(): Promise<void>;
}

/** A bare DuckDB-WASM session with no views, for engine-level tests. */
export async function openWasmSession(): Promise<Connector & { close(): Promise<void> }> {
  const duckdb = require('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs') as typeof Blocking;
  const dist = join(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm'), '..');
  const bundles = {
    mvp: { mainModule: join(dist, 'duckdb-mvp.wasm'), mainWorker: join(dist, 'duckdb-node-mvp.worker.cjs') },
    eh: { mainModule: join(dist, 'duckdb-eh.wasm'), mainWorker: join(dist, 'duckdb-node-eh.worker.cjs') },
  };
  const runtime = (duckdb as unknown as { NODE_RUNTIME: Blocking.DuckDBRuntime }).NODE_RUNTIME;
  const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), runtime);
  await db.instantiate(() => {});
  db.open({});
  const conn = db.connect();
  return {
    async query(sql: string): Promise<QueryResult> {
      const started = performance.now();
      const table = tableFromIPC(conn.useUnsafe((b, c) => b.runQuery(c, sql)));
      return { ...tableToColumns(table), stats: localStats(performance.now() - started) };
    },
    async close() {
      conn.close();
      db.reset();
    },
  };
}

export async function openWasm(lakeRoot: string): Promise<LocalEngine> {
  const session = await openWasmSession();
  const manifest = await readLakeManifest(lakeRoot);
  for (const stmt of createViewsSql(manifest, pathLocator(lakeRoot))) await session.query(stmt);
  return { ...session, manifest };
}

export function localStats(ms: number): QueryResult['stats'] {
  return { ms, requests: 0, bytes: 0, cachedBytes: 0, statuses: {}, rangeIgnored: 0 };
}
