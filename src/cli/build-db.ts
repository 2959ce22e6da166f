// `quantiv build-db --data DIR [--out FILE]`: a native DuckDB database file holding the lake's tables
// as views over its Parquet (absolute paths) and the same derived views the browser runs
// (createViewsSql), for ML pipelines and notebooks: duckdb quantiv.duckdb -c 'FROM daily_iv_summary'.
// Views, not copies: the file is tiny and always reads the files the manifest listed at build time.
// Rebuild it after every export or ingest that republishes the manifest.
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parseFlags } from './flags.ts';
import { UsageError } from '../node/usage-error.ts';
import { createViewsSql, pathLocator, VIEW_NAMES } from '../lake/views.ts';
import { readLakeManifest } from '../node/lake-io.ts';

export const BUILD_DB_USAGE = `usage: quantiv build-db --data DIR [--out FILE]

  --data DIR    lake folder holding manifest.json
  --out FILE    database file to write (default ./quantiv.duckdb); replaced atomically
  -h, --help    this text`;

export interface BuildDbResult {
  path: string;
  views: string[];
  datasetVersion: string;
}

export async function buildDb(dataDir: string, out = 'quantiv.duckdb'): Promise<BuildDbResult> {
  const root = resolve(dataDir);
  const manifest = await readLakeManifest(root);
  const path = resolve(out);
  const tmp = `${path}.${process.pid}.tmp`;
  await rm(tmp, { force: true });
  await rm(`${tmp}.wal`, { force: true });
  const instance = await DuckDBInstance.create(tmp);
  try {
    const conn = await instance.connect();
    for (const stmt of createViewsSql(manifest, pathLocator(root))) await conn.run(stmt);
    await conn.run(`CREATE OR REPLACE VIEW quantiv_build AS SELECT '${manifest.datasetVersion}' AS dataset_version, '${new Date().toISOString()}' AS built_at, '${root.replaceAll("'", "''")}' AS lake`);
    await conn.run('CHECKPOINT');
    conn.closeSync();
  } finally {
    instance.closeSync();
  }
  if (existsSync(`${tmp}.wal`)) await rm(`${tmp}.wal`, { force: true });
  await rename(tmp, path);
  return { path, views: [...VIEW_NAMES, 'quantiv_build'], datasetVersion: manifest.datasetVersion };
}

export async function run(argv: string[]): Promise<number> {
  const values = parseFlags(
    argv,
    {
      data: { type: 'string' },
      out: { type: 'string' },
    },
    BUILD_DB_USAGE,
  );
  if (!values) return 0;
  if (!values.data) throw new UsageError('--data DIR is required');
  const r = await buildDb(values.data, values.out);
  console.log(`wrote ${r.path}: ${r.views.length} views over dataset ${r.datasetVersion}`);
  return 0;
}
