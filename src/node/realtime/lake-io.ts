// Small lake helpers the realtime tools share: reading the current manifest and opening the native
// DuckDB they write with.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { parseManifest, type Manifest } from '../../lake/manifest.ts';

export async function readLakeManifest(root: string): Promise<Manifest> {
  return parseManifest(JSON.parse(await readFile(join(root, 'manifest.json'), 'utf8')));
}

export async function openWriterDb(): Promise<{ conn: DuckDBConnection; close(): void }> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
  return {
    conn,
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

/** Lake paths of a partition's options files in a manifest. */
export function monthKey(year: number, month: number): string {
  return `${year}-${String(month).padStart(2, '0')}`;
}
