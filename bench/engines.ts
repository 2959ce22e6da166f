// The bench's PostgreSQL and native DuckDB sessions. Each engine opens a "cold" session (what cold
// means is stated per engine in COLD) and runs timed queries in it; repeats in the same session are
// "warm". Timings are client-side wall clock: query sent -> all rows received.
import { spawnSync } from 'node:child_process';
import { totalmem, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openNative } from '../src/node/engines/native.ts';
import { pgBinDir, type PgCluster } from '../tests/support/postgres.ts';
import { LEGACY_TABLE_NAMES } from '../src/lake/schema.ts';
import { PG_TABLE } from '../src/node/pg/tables.ts';
import type { Manifest } from '../src/lake/manifest.ts';
import { resultDigest } from '../src/lake/result.ts';

export interface Timed {
  ms: number;
  rows: number;
  /** Sum of the count column ('contracts' or 'n'): the engines must agree on it. */
  check: number | null;
  /** resultDigest of the whole answer (DuckDB engines): native and WASM must agree on every value. */
  digest?: string;
  bytes?: number;
  requests?: number;
  /** DuckDB-WASM: body bytes the browser's HTTP cache answered instead of the network. */
  cachedBytes?: number;
  nginxBytes?: number;
  nginxRequests?: number;
}

export interface Session {
  query(sql: string): Promise<Timed>;
  close(): Promise<void>;
}

export const COLD = {
  pg: 'PostgreSQL restarted (shared_buffers empty), new connection; the OS page cache still holds the table files',
  native: 'new DuckDB instance (no buffer or metadata cache) over Parquet files this instance never read; OS page cache warm',
  wasm: 'new browser context with its HTTP cache cleared, bench page loaded and DuckDB-WASM initialised (views created), then the query; nginx serves from the OS page cache',
} as const;
export const WARM = {
  pg: 'the same query again in the same connection (shared_buffers hold what the cold run read)',
  native: 'the same query again on the same instance',
  wasm: 'the same query again in the same page (SQL text made unique so the client result cache never answers)',
} as const;

function checkOf(fields: string[], rows: Record<string, unknown>[]): number | null {
  const col = fields.find((f) => f === 'contracts' || f === 'n');
  if (!col) return null;
  return rows.reduce((s, r) => s + Number(r[col] ?? 0), 0);
}

// ---------------------------------------------------------------- PostgreSQL

export interface PgTuning {
  settings: Record<string, string>;
  note: string;
}

/** What a user tuning PostgreSQL 15 for analytics on this machine would set. */
export function pgTuning(): PgTuning {
  const ramMb = Math.floor(totalmem() / 1024 / 1024);
  const sharedMb = Math.min(Math.floor(ramMb / 4), 4096);
  return {
    settings: {
      shared_buffers: `${sharedMb}MB`,
      effective_cache_size: `${Math.floor(ramMb / 2)}MB`,
      work_mem: '64MB',
      maintenance_work_mem: '1GB',
      max_parallel_workers_per_gather: '2',
      max_parallel_workers: '4',
      max_worker_processes: '8',
      random_page_cost: '1.1',
      effective_io_concurrency: '200',
      // Load speed only (a throwaway bench cluster); they do not change how reads run.
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      max_wal_size: '4GB',
    },
    note: `shared_buffers = 25% of RAM capped at 4 GB; JIT left at the PostgreSQL 15 default (on); fsync/synchronous_commit/full_page_writes off only to speed the bulk load`,
  };
}

function runAsPostgres(bin: string, args: string[]): void {
  const root = userInfo().uid === 0;
  const r = spawnSync(root ? 'runuser' : bin, root ? ['-u', 'postgres', '--', bin, ...args] : args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
}

/**
 * Restarts the cluster from tests/support/postgres.ts with the bench's settings (the command line
 * replaces the helper's -c options; postgresql.auto.conf could not override them).
 */
export function restartPg(cluster: PgCluster, tuning: PgTuning): void {
  const opts = [`-p ${cluster.port}`, `-k ${cluster.dir}`, '-c listen_addresses=127.0.0.1',
    ...Object.entries(tuning.settings).map(([k, v]) => `-c ${k}=${v}`)].join(' ');
  runAsPostgres(join(pgBinDir(), 'pg_ctl'), ['-D', join(cluster.dir, 'data'), '-l', join(cluster.dir, 'server.log'), '-o', opts, '-m', 'fast', '-w', '-t', '120', 'restart']);
}

export async function pgConnect(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url, application_name: 'quantiv-bench' });
  await c.connect();
  // See bench/queries.ts: the join takes the UTC date of a timestamptz.
  await c.query("SET TimeZone = 'UTC'");
  return c;
}

export async function openPg(url: string): Promise<Session> {
  const c = await pgConnect(url);
  return {
    async query(sql) {
      const t = performance.now();
      const r = await c.query(sql);
      const ms = performance.now() - t;
      return { ms, rows: r.rowCount ?? r.rows.length, check: checkOf(r.fields.map((f) => f.name), r.rows as Record<string, unknown>[]) };
    },
    close: () => c.end(),
  };
}

export interface StorageRow {
  table: string;
  pgTable: number;
  pgIndexes: number;
  parquet: number;
  rows: number;
}

/**
 * Heap+TOAST and index bytes per legacy table vs the lake's Parquet bytes. A partitioned parent has
 * no storage of its own: its partitions are summed (pg_partition_tree lists nothing for a plain table).
 */
export async function storage(url: string, manifest: Manifest): Promise<StorageRow[]> {
  const c = await pgConnect(url);
  try {
    const out: StorageRow[] = [];
    for (const t of LEGACY_TABLE_NAMES) {
      const { rows } = await c.query<{ heap: string; idx: string }>(
        `SELECT coalesce(sum(pg_table_size(relid)), 0) AS heap, coalesce(sum(pg_indexes_size(relid)), 0) AS idx
         FROM (SELECT relid FROM pg_partition_tree($1::regclass) UNION SELECT $1::regclass) AS parts`, [PG_TABLE[t]]);
      const files = manifest.files.filter((f) => f.table === t);
      out.push({
        table: `${t} (${PG_TABLE[t]})`, pgTable: Number(rows[0]!.heap), pgIndexes: Number(rows[0]!.idx),
        parquet: files.reduce((s, f) => s + f.bytes, 0), rows: files.reduce((s, f) => s + f.rows, 0),
      });
    }
    return out;
  } finally {
    await c.end();
  }
}

// ---------------------------------------------------------------- native DuckDB

export async function openNativeSession(lake: string): Promise<Session> {
  const eng = await openNative(lake);
  return {
    async query(sql) {
      const t = performance.now();
      const r = await eng.query(sql);
      const ms = performance.now() - t;
      const col = r.columns.find((c) => c.name === 'contracts' || c.name === 'n');
      const check = col && col.values instanceof Float64Array ? col.values.reduce((s, v) => s + (Number.isNaN(v) ? 0 : v), 0) : null;
      return { ms, rows: r.rows, check, digest: resultDigest(r) };
    },
    close: () => eng.close(),
  };
}
