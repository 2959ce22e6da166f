// The bench-only page (bench.html, built only when QUANTIV_BENCH=1): the app's own EngineClient and
// worker, with window.quantivBench.query(sql) for bench/browser.ts to run arbitrary SQL in the page.
import { createEngine } from '../engine/client.ts';
import { resultDigest } from '../lake/result.ts';

export interface BenchReady {
  /** Page-side wall time of engine.init (wasm, manifest, views). */
  initMs: number;
  duckdbVersion: string;
  bundle: string;
  files: number;
}

export interface BenchAnswer {
  /** Page-side wall time of engine.query, worker round trip included. */
  ms: number;
  /** The worker's own timing and HTTP counts (workers/http-meter.ts). */
  workerMs: number;
  bytes: number;
  requests: number;
  cachedBytes: number;
  statuses: Record<string, number>;
  rows: number;
  /** Sum of the result's count column ('contracts' or 'n'), to compare engines' answers. */
  check: number | null;
  /** resultDigest of every value, to compare with native DuckDB. */
  digest: string;
}

export interface BenchApi {
  ready(): Promise<BenchReady>;
  query(sql: string): Promise<BenchAnswer>;
}

declare global {
  interface Window {
    quantivBench?: BenchApi;
  }
}

const engine = createEngine();
const manifestUrl = new URLSearchParams(location.search).get('data') ?? 'data/manifest.json';
const status = document.getElementById('status');
const started = performance.now();
const ready: Promise<BenchReady> = engine.init(manifestUrl).then((info) => {
  const r = { initMs: performance.now() - started, duckdbVersion: info.duckdbVersion, bundle: info.bundle, files: info.manifest.files.length };
  if (status) status.textContent = `ready: DuckDB ${r.duckdbVersion} (${r.bundle}), ${r.files} files, ${Math.round(r.initMs)} ms`;
  return r;
});
ready.catch((e: unknown) => {
  if (status) status.textContent = `failed: ${(e as Error).message}`;
});

window.quantivBench = {
  ready: () => ready,
  async query(sql: string): Promise<BenchAnswer> {
    await ready;
    const t = performance.now();
    // The client caches results by SQL text; callers make each run's text unique.
    const r = await engine.query(sql);
    const ms = performance.now() - t;
    const col = r.columns.find((c) => c.name === 'contracts' || c.name === 'n');
    let check: number | null = null;
    if (col && col.values instanceof Float64Array) check = col.values.reduce((s, v) => s + (Number.isNaN(v) ? 0 : v), 0);
    const s = r.stats;
    return { ms, workerMs: s.ms, bytes: s.bytes, requests: s.requests, cachedBytes: s.cachedBytes, statuses: s.statuses, rows: r.rows, check, digest: resultDigest(r) };
  },
};
