// Native DuckDB (@duckdb/node-api) over the same lake and the same view SQL as the browser, so its
// answers can be compared with DuckDB-WASM's and used by node-side tools.
import { DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';
import type { QueryResult } from '../../engine/api.ts';
import { isoDay, isoTimestamp } from '../../lake/columns.ts';
import type { ColumnKind, ResultColumn } from '../../lake/result.ts';
import { createViewsSql, pathLocator } from '../../lake/views.ts';
import { openDuck } from '../duck.ts';
import { readLakeManifest } from '../lake-io.ts';
import { localStats, type LocalEngine } from './wasm.ts';

export async function openNative(lakeRoot: string, dbPath = ':memory:'): Promise<LocalEngine> {
  const { conn, close } = await openDuck(dbPath);
  const manifest = await readLakeManifest(lakeRoot);
  for (const stmt of createViewsSql(manifest, pathLocator(lakeRoot))) await conn.run(stmt);
  return {
    manifest,
    async query(sql: string): Promise<QueryResult> {
      const started = performance.now();
      const reader = await conn.runAndReadAll(sql);
      const names = reader.columnNames();
      const types = reader.columnTypes();
      const data = reader.getColumnsJS();
      const columns = names.map((name, i) => toColumn(name, types[i]!, data[i] ?? []));
      return { columns, rows: reader.currentRowCount, stats: localStats(performance.now() - started) };
    },
    async close() {
      close();
    },
  };
}

function kindOf(type: DuckDBType): ColumnKind {
  switch (type.typeId) {
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.DECIMAL:
      return 'number';
    case DuckDBTypeId.DATE:
      return 'date';
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_NS:
      return 'timestamp';
    case DuckDBTypeId.BOOLEAN:
      return 'boolean';
    default:
      return 'string';
  }
}

function toColumn(name: string, type: DuckDBType, values: unknown[]): ResultColumn {
  const kind = kindOf(type);
  const sqlType = type.toString();
  if (kind === 'number') {
    return { name, kind, sqlType, values: Float64Array.from(values, (v) => (v === null ? NaN : Number(v))) };
  }
  if (kind === 'boolean') return { name, kind, sqlType, values: values.map((v) => (v === null ? null : Boolean(v))) };
  const text = (v: unknown): string | null => {
    if (v === null || v === undefined) return null;
    if (v instanceof Date) return kind === 'date' ? isoDay(Math.floor(v.getTime() / 86_400_000)) : isoTimestamp(v.getTime());
    return typeof v === 'string' ? v : JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  };
  return { name, kind, sqlType, values: values.map(text) };
}
