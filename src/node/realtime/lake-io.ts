// Small helpers the realtime tools share.
import { openDuck, type DuckSession } from '../duck.ts';

/** The native DuckDB the ingest and compaction write with. */
export function openWriterDb(): Promise<DuckSession> {
  return openDuck(':memory:', { threads: '2' });
}

/** A year-month partition's key, YYYY-MM. */
export function monthKey(year: number, month: number): string {
  return `${year}-${String(month).padStart(2, '0')}`;
}
