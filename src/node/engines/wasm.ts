// DuckDB-WASM's node build (the same engine and version the browser runs) over a local lake:
// lets tests run the browser's SQL without a browser. It loads the same self-built parquet
// extension and raises the same fences as the worker.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Blocking from '@duckdb/duckdb-wasm/blocking';
import { tableFromIPC } from 'apache-arrow';
import { noTraffic, type Connector, type QueryResult } from '../../engine/api.ts';
import { EXTENSION, extensionFilePath, extensionRepositoryPath } from '../../engine/extension.ts';
import { loadParquetSql, lockdownSql } from '../../engine/fences.ts';
import { tableToColumns } from '../../lake/columns.ts';
import type { Manifest } from '../../lake/manifest.ts';
import { readLakeManifest } from '../lake-io.ts';
import { createViewsSql, pathLocator } from '../../lake/views.ts';

const require = createRequire(import.meta.url);
const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where `npm run build:engine` puts the extension the site serves. */
export const BUILT_EXTENSION = join(projectRoot, 'public', extensionFilePath());

export interface LocalEngine extends Connector {
  manifest: Manifest;
  close(): Promise<void>;
}

export interface WasmSessionOptions {
  /** The parquet extension file; default the one the site serves. */
  extensionFile?: string;
  /** Local folders (absolute, with trailing slash) the locked engine may still read. */
  allowedDirectories?: string[];
  /** Skip the fences, for tests of what they prevent. */
  unlocked?: boolean;
}

export class ExtensionError extends Error {
  override name = 'ExtensionError';
}

/**
 * The node build reads an extension from ~/.duckdb/extensions/<last repo segment>/<engine>/<platform>/
 * and otherwise fetches it with a blocking wait that never ends when the fetch fails. So the file is
 * checked and put there first, and the repository URL names no server that could be reached.
 */
function stageExtension(file: string): string {
  if (!existsSync(file)) {
    throw new ExtensionError(`The DuckDB parquet extension is missing (${file}). Build it with: npm run build:engine (needs Debian's emscripten)`);
  }
  const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
  if (sha !== EXTENSION.sha256) {
    throw new ExtensionError(`${file} has sha256 ${sha}, not the pinned ${EXTENSION.sha256}. Rebuild it with: npm run build:engine`);
  }
  const repo = extensionRepositoryPath();
  const dir = join(homedir(), '.duckdb', 'extensions', repo.split('/').pop()!, EXTENSION.engine, EXTENSION.platform);
  const staged = join(dir, 'parquet.duckdb_extension.wasm');
  if (!existsSync(staged) || createHash('sha256').update(readFileSync(staged)).digest('hex') !== sha) {
    mkdirSync(dir, { recursive: true });
    copyFileSync(file, staged);
  }
  return `http://quantiv-extension.invalid/${repo}`;
}

/** A bare DuckDB-WASM session with no views, for engine-level tests. */
export async function openWasmSession(options: WasmSessionOptions = {}): Promise<Connector & { close(): Promise<void> }> {
  const repository = stageExtension(options.extensionFile ?? BUILT_EXTENSION);
  const duckdb = require('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs') as typeof Blocking;
  const dist = join(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm'), '..');
  // The extension is built with wasm exceptions: only the eh engine can load it.
  const eh = { mainModule: join(dist, 'duckdb-eh.wasm'), mainWorker: join(dist, 'duckdb-node-eh.worker.cjs') };
  const db = await duckdb.createDuckDB({ mvp: eh, eh }, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
  await db.instantiate(() => {});
  db.open({ allowUnsignedExtensions: true });
  const conn = db.connect();
  const run = (sql: string) => tableFromIPC(conn.useUnsafe((b, c) => b.runQuery(c, sql)));
  try {
    for (const stmt of loadParquetSql({ repository })) run(stmt);
    if (!options.unlocked) for (const stmt of lockdownSql([], options.allowedDirectories)) run(stmt);
  } catch (e) {
    conn.close();
    db.reset();
    throw new ExtensionError(`DuckDB-WASM could not load the parquet extension: ${(e as Error).message}`);
  }
  return {
    async query(sql: string): Promise<QueryResult> {
      const started = performance.now();
      const table = run(sql);
      return { ...tableToColumns(table), stats: localStats(performance.now() - started) };
    },
    async close() {
      conn.close();
      db.reset();
    },
  };
}

export async function openWasm(lakeRoot: string): Promise<LocalEngine> {
  const root = `${resolve(lakeRoot)}/`;
  const session = await openWasmSession({ allowedDirectories: [root] });
  const manifest = await readLakeManifest(lakeRoot);
  for (const stmt of createViewsSql(manifest, pathLocator(root))) await session.query(stmt);
  return { ...session, manifest };
}

export function localStats(ms: number): QueryResult['stats'] {
  return { ms, ...noTraffic() };
}
