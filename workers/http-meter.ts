// Counts the HTTP traffic DuckDB-WASM makes. Its file system reads Parquet with synchronous
// XMLHttpRequests inside this worker, so wrapping XMLHttpRequest sees every byte it fetches.
import type { HttpStats } from '../src/engine/api.ts';

export function emptyStats(): HttpStats {
  return { requests: 0, bytes: 0, cachedBytes: 0, statuses: {}, rangeIgnored: 0 };
}

let current = emptyStats();
let listener: ((s: HttpStats) => void) | null = null;

/** Starts a fresh count; returns a function that stops it and gives the totals. */
export function meter(onChange?: (s: HttpStats) => void): () => HttpStats {
  current = emptyStats();
  listener = onChange ?? null;
  return () => {
    const done = current;
    current = emptyStats();
    listener = null;
    return done;
  };
}

export function installHttpMeter(scope: { XMLHttpRequest: typeof XMLHttpRequest }): void {
  const Base = scope.XMLHttpRequest;
  class MeteredXHR extends Base {
    #ranged = false;
    override setRequestHeader(name: string, value: string): void {
      if (name.toLowerCase() === 'range') this.#ranged = true;
      super.setRequestHeader(name, value);
    }
    override send(body?: Document | XMLHttpRequestBodyInit | null): void {
      try {
        super.send(body);
      } finally {
        record(this, this.#ranged);
      }
    }
  }
  scope.XMLHttpRequest = MeteredXHR;
}

function record(xhr: XMLHttpRequest, ranged: boolean): void {
  // Only the synchronous requests are complete here; DuckDB makes no asynchronous ones.
  if (xhr.readyState !== XMLHttpRequest.DONE) return;
  const s = current;
  const body = xhr.responseType === 'arraybuffer' && xhr.response instanceof ArrayBuffer ? xhr.response.byteLength : 0;
  if (fromCache(xhr.responseURL)) {
    s.cachedBytes += body;
    listener?.(s);
    return;
  }
  s.requests += 1;
  const key = String(xhr.status);
  s.statuses[key] = (s.statuses[key] ?? 0) + 1;
  s.bytes += body;
  if (ranged && xhr.status === 200 && body > 1) s.rangeIgnored += 1;
  listener?.(s);
}

/**
 * The browser may answer a ranged request from its HTTP cache (immutable files). Resource Timing
 * reports those with transferSize 0; they cost no network and are counted apart.
 */
function fromCache(url: string): boolean {
  if (typeof performance === 'undefined' || !url) return false;
  const entries = performance.getEntriesByName(url, 'resource') as PerformanceResourceTiming[];
  const last = entries[entries.length - 1];
  performance.clearResourceTimings();
  return last !== undefined && last.transferSize === 0 && last.decodedBodySize > 0;
}
