// PostgreSQL access for the migration tools: a session with fixed output formats, and COPY streamed
// between PostgreSQL and files on disk (bounded memory: bytes flow through, no rows are collected).
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';

export type PgClient = pg.Client;

/**
 * Connects and pins every setting that changes how values print, so text from PostgreSQL compares
 * byte for byte with DuckDB's: ISO dates, UTC timestamps, shortest exact floats.
 */
export async function connectPg(url: string): Promise<PgClient> {
  const client = new pg.Client({ connectionString: url, application_name: 'quantiv-migration', connectionTimeoutMillis: 10_000 });
  // A connection dropped while idle is reported here; without a listener it would crash the
  // process. The next query fails instead, and the caller's reconnect logic (export.ts) sees it.
  client.on('error', () => {});
  await client.connect();
  await client.query("SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; SET IntervalStyle = 'iso_8601'; SET extra_float_digits = 1");
  return client;
}

/** Runs `COPY (query) TO STDOUT (FORMAT csv)` into a file; returns bytes written. */
export async function copyOutToFile(client: PgClient, query: string, file: string): Promise<number> {
  const src = client.query(copyTo(`COPY (${query}) TO STDOUT (FORMAT csv)`));
  const out = createWriteStream(file);
  await pipeline(src, out);
  return out.bytesWritten;
}

/** Streams a CSV file into `COPY target FROM STDIN (FORMAT csv)`; returns the rows PostgreSQL took. */
export async function copyInFromFile(client: PgClient, target: string, file: string): Promise<number> {
  const sink = client.query(copyFrom(`COPY ${target} FROM STDIN (FORMAT csv)`));
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), sink);
  return Number(sink.rowCount ?? 0);
}

/** The URL without its password, for reports and state files. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable url)';
  }
}

export async function queryRows<T extends Record<string, unknown>>(client: PgClient, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await client.query<T>(sql, params)).rows;
}
