// The typed contract between the UI and the DuckDB worker (over comlink). Node-side engines used
// by the tests implement the same Connector so the same queries run everywhere.
import type { Columns } from '../lake/result.ts';
import type { Manifest } from '../lake/manifest.ts';

export interface HttpStats {
  requests: number;
  /** Response body bytes received. */
  bytes: number;
  /** Count of responses per HTTP status. */
  statuses: Record<string, number>;
  /** Range requests the server answered with a whole file (no range support). */
  rangeIgnored: number;
}

export interface QueryStats extends HttpStats {
  ms: number;
}

export interface QueryResult extends Columns {
  stats: QueryStats;
}

export interface Progress {
  phase: 'wasm' | 'manifest' | 'views' | 'query';
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
}

export interface Connector {
  query(sql: string): Promise<QueryResult>;
}

export interface EngineApi extends Connector {
  init(manifestUrl: string, onProgress?: (p: Progress) => void): Promise<InitInfo>;
  /** Runs sql; `id` lets cancel() find it, `onProgress` gets bytes fetched while it runs. */
  run(sql: string, id: number, onProgress?: (p: Progress) => void): Promise<QueryResult>;
  cancel(id: number): Promise<boolean>;
}

/** Raised for a query stopped by cancel(); the UI treats it as silence, not as an error. */
export const CANCELLED = 'Query cancelled';
