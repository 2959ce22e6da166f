// Loads a lake into the legacy PostgreSQL schema, so PostgreSQL and the lake hold the same data (the
// tests' migration source). Native DuckDB reads each Parquet file and writes a CSV to a temp dir;
// the CSV streams into COPY ... FROM STDIN. Memory stays bounded by one file, never all rows.
// With quirks on, options rows get the legacy quirks injected (quirks.ts), seeded and counted.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { filesOf } from '../../lake/manifest.ts';
import { LEGACY_TABLE_NAMES, quoteString, TABLES, type TableName } from '../../lake/schema.ts';
import { openDuck } from '../duck.ts';
import { readLakeManifest } from '../lake-io.ts';
import { connectPg, copyInFromFile, type PgClient } from './client.ts';
import { injectOptionsSql, type InjectedCounts } from './quirks.ts';
import { PG_TABLE } from './tables.ts';

const FIXTURES = fileURLToPath(new URL('../../../tests/fixtures/', import.meta.url));
export const LEGACY_SCHEMA_SQL = join(FIXTURES, 'legacy-schema.sql');
export const LEGACY_VIEWS_SQL = join(FIXTURES, 'legacy-views.sql');

export interface LoadOptions {
  /** Inject the legacy quirks into options_chain (default false: a clean copy of the lake). */
  quirks?: boolean;
  /** Seed of the quirk injection (default 1). */
  seed?: number;
  /** Empty the legacy tables first; without it a non-empty target is an error. */
  replace?: boolean;
  log?: (line: string) => void;
}

export interface LoadResult {
  rows: Record<string, number>;
  injected: InjectedCounts;
  seconds: number;
}

/** Creates the legacy tables, partitions, indexes and views if missing. */
export async function applyLegacySchema(client: PgClient): Promise<void> {
  await client.query(await readFile(LEGACY_SCHEMA_SQL, 'utf8'));
  await client.query(await readFile(LEGACY_VIEWS_SQL, 'utf8'));
}

const lakeCols = (t: TableName): string[] => TABLES[t].columns.map((c) => c.name);

export async function loadIntoPg(lakeDir: string, pgUrl: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const root = resolve(lakeDir);
  const manifest = await readLakeManifest(root);
  const client = await connectPg(pgUrl);
  const work = await mkdtemp(join(tmpdir(), 'quantiv-pgload-'));
  const session = await openDuck(':memory:', { threads: '2', memory_limit: '1500MB', temp_directory: work });
  const duck = session.conn;
  const injected: InjectedCounts = {
    duplicate_key: 0, null_greeks: 0, vol_percent: 0, call_put_spelling: 0, weekend_date: 0, null_key: 0, unknown_call_put: 0,
  };
  const rows: Record<string, number> = {};
  try {
    await applyLegacySchema(client);
    const tables = LEGACY_TABLE_NAMES.map((t) => PG_TABLE[t]);
    if (opts.replace) {
      await client.query(`TRUNCATE ${tables.join(', ')} RESTART IDENTITY`);
    } else {
      for (const t of tables) {
        const { rows: r } = await client.query(`SELECT 1 FROM ${t} LIMIT 1`);
        if (r.length > 0) throw new Error(`${t} is not empty: load into an empty database, or pass --replace`);
      }
    }
    const csv = join(work, 'rows.csv');
    for (const table of LEGACY_TABLE_NAMES) {
      const cols = lakeCols(table);
      const files = filesOf(manifest, table).sort((a, b) => (a.path < b.path ? -1 : 1));
      for (const f of files) {
        const src = `read_parquet(${quoteString(join(root, f.path))})`;
        let select: string;
        if (table === 'options') {
          await duck.run(injectOptionsSql(src, opts.seed ?? 1, opts.quirks ?? false));
          const counts = (await duck.runAndReadAll('SELECT quirk, count(*) FROM inject WHERE quirk IS NOT NULL GROUP BY quirk')).getRows();
          for (const [q, n] of counts) injected[q as keyof InjectedCounts] += Number(n);
          select = `SELECT ${cols.join(', ')} FROM inject ORDER BY pass, act_symbol, date, expiration, strike, call_put`;
        } else {
          select = `SELECT ${cols.map((c) => `"${c}"`).join(', ')} FROM ${src}`;
        }
        await duck.run(`COPY (${select}) TO ${quoteString(csv)} (FORMAT csv, HEADER false)`);
        const n = await copyInFromFile(client, `${PG_TABLE[table]} (${cols.map((c) => `"${c}"`).join(', ')})`, csv);
        rows[PG_TABLE[table]] = (rows[PG_TABLE[table]] ?? 0) + n;
        log(`${f.path}  ${n.toLocaleString('en-US')} rows`);
      }
    }
    if (opts.quirks) await duck.run('DROP TABLE IF EXISTS inject');
    await client.query('ANALYZE');
    return { rows, injected, seconds: (performance.now() - started) / 1000 };
  } finally {
    session.close();
    await client.end();
    await rm(work, { recursive: true, force: true });
  }
}
