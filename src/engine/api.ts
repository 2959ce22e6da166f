// The typed contract between the UI and the DuckDB worker (over comlink). Node-side engines used
// by the tests implement the same Connector so the same queries run everywhere.
import type { Columns } from '../lake/result.ts';
import type { Manifest } from '../lake/manifest.ts';

export interface HttpStats {
  /** Requests that went to the network. */
  requests: number;
  /** Bytes received over the network, response headers included (Resource Timing transferSize). */
  bytes: number;
  /** Body bytes the browser's HTTP cache answered instead. */
  cachedBytes: number;
  /** Count of responses per HTTP status. */
  statuses: Record<string, number>;
  /** Range requests the server answered with a whole file (no range support). */
  rangeIgnored: number;
  /**
   * Reads DuckDB asked the worker for (its synchronous XHRs), whoever answered them: the network,
   * the range cache or a preload. A repeat that DuckDB's own file cache answers makes none.
   */
  reads: number;
}

/** What a query that touched no file (or a cached result) reports. */
export function noTraffic(): HttpStats {
  return { requests: 0, bytes: 0, cachedBytes: 0, statuses: {}, rangeIgnored: 0, reads: 0 };
}

export interface QueryStats extends HttpStats {
  ms: number;
}

export interface QueryResult extends Columns {
  stats: QueryStats;
}

export interface Progress {
  /**
   * 'started': the query's own execution begins (its turn came, the views it names exist). The
   * time budget counts from here, so waiting behind other queries or creating views is not
   * charged to it.
   */
  phase: 'wasm' | 'manifest' | 'views' | 'started' | 'query';
  /** Bytes received so far in this phase. */
  bytes: number;
  total?: number | undefined;
}

export interface InitInfo {
  manifestUrl: string;
  manifest: Manifest;
  duckdbVersion: string;
  bundle: string;
  ms: number;
  /** The worker's cold-start phases (src/engine/marks.ts), epoch milliseconds. */
  marks?: Record<string, number>;
}

/** Where the engine loads DuckDB's parquet extension from. */
export interface ExtensionSource {
  /** custom_extension_repository: DuckDB asks it for `<engine>/<platform>/parquet.duckdb_extension.wasm`. */
  repository: string;
  /** DuckDB's official signed extension: unsigned extensions then stay disabled. */
  signed: boolean;
}

export interface InitOptions {
  /**
   * URL of the folder the manifest's file paths are relative to; default the manifest's own folder.
   * A pinned manifest (<lake>/manifests/<version>.json) passes the lake root.
   */
  base?: string | undefined;
  /** Default: the self-built extension the site serves (src/engine/extension.ts). */
  extension?: ExtensionSource | undefined;
  /** Memory cap of the worker's cache of lake byte ranges (default 256 MiB). */
  cacheBytes?: number | undefined;
  /** DuckDB's memory_limit in MiB, set before the configuration is locked (budgets.ts). */
  memoryMiB?: number | undefined;
}

export interface RefreshInfo {
  /** True when the manifest now names another dataset version (views were re-created). */
  changed: boolean;
  manifest: Manifest;
}

export type ExportFormat = 'csv' | 'parquet';

/** What DuckDB's own tokenizer and parser make of some SQL (src/engine/statements.ts). */
export interface SqlVerdict {
  /** Exactly one SELECT: the only SQL a link may run without the reader pressing Run. */
  readOnly: boolean;
  statements: number;
  /** Why it is not run by itself; '' when readOnly. */
  reason: string;
}

export interface Connector {
  query(sql: string): Promise<QueryResult>;
}

export interface EngineApi extends Connector {
  init(manifestUrl: string, onProgress?: (p: Progress) => void, options?: InitOptions): Promise<InitInfo>;
  /**
   * Re-reads init()'s manifest (HTTP revalidation by ETag); on a new dataset version registers the
   * files not seen before and re-creates the views, without a reload. Queries already queued run
   * first, on the old views.
   */
  refresh(): Promise<RefreshInfo>;
  /** Runs sql and returns its result as a CSV (with header) or Parquet file's bytes. */
  exportQuery(sql: string, format: ExportFormat): Promise<Uint8Array>;
  /** Runs sql; `id` lets cancel() find it, `onProgress` gets bytes fetched while it runs. */
  run(sql: string, id: number, onProgress?: (p: Progress) => void): Promise<QueryResult>;
  cancel(id: number): Promise<boolean>;
  /**
   * Console SQL runs on a connection of its own: the pages' views are temporary views of the pages'
   * connection, so nothing the console creates, replaces, drops or sets reaches them.
   */
  runConsole(sql: string, id: number, onProgress?: (p: Progress) => void): Promise<QueryResult>;
  /** Decides, with DuckDB's parser, whether sql is one read-only SELECT; runs nothing. */
  classify(sql: string): Promise<SqlVerdict>;
}

/** Raised for a query stopped by cancel(); the UI treats it as silence, not as an error. */
export const CANCELLED = 'Query cancelled';
