// The engine's own walls, raised once at start-up and then locked: after these statements no SQL
// (console or link) can load code, reach a path or origin outside the allowed ones, or change a
// setting. Shared by the browser worker and the node engine, so tests exercise the same SQL.
import { quoteString } from '../lake/schema.ts';
import { LAKE_PREFIX } from '../lake/views.ts';
import type { ExtensionSource } from './api.ts';

/** In-memory files the worker writes for exports; nothing else may be written. */
export const EXPORT_PREFIX = 'quantiv-export/';

/** Loads the parquet extension from the given repository; run before lockdownSql. */
export function loadParquetSql(source: Pick<ExtensionSource, 'repository'>): string[] {
  return [
    // Nothing arrives implicitly: a function that needs an extension fails instead of fetching one.
    'SET autoinstall_known_extensions = false',
    'SET autoload_known_extensions = false',
    `SET custom_extension_repository = ${quoteString(source.repository.replace(/\/+$/, ''))}`,
    'LOAD parquet',
    // Lake files are immutable (their URL carries the content hash): parse each footer once, not
    // on every query. Measured in DuckDB-WASM here: a one-symbol rollup read 26 -> 14 ms warm.
    'SET parquet_metadata_cache = true',
  ];
}

/**
 * Closes external access except for the listed prefixes, then locks the configuration so that SET,
 * RESET and PRAGMA cannot reopen it. `origins` are URL prefixes (the app's and the dataset's).
 */
export function lockdownSql(origins: string[], extraPrefixes: string[] = []): string[] {
  const prefixes = [...new Set([LAKE_PREFIX, EXPORT_PREFIX, ...origins.map(originPrefix), ...extraPrefixes])];
  const list = `[${prefixes.map(quoteString).join(', ')}]`;
  return [
    `SET allowed_directories = ${list}`,
    'SET enable_external_access = false',
    'SET lock_configuration = true',
  ];
}

/**
 * Run on the pages' connection, whose views are temporary views of that connection: unqualified
 * names then resolve in its temp catalog and the built-ins only, so a view, table or macro created
 * in the shared catalog by SQL on another connection (the console's) can never shadow them.
 */
export const PAGES_SEARCH_PATH = "SET search_path = 'temp.main'";

/** `https://host:port/` for any URL on that origin; a prefix match can then not reach another host. */
export function originPrefix(url: string): string {
  return `${new URL(url).origin}/`;
}
