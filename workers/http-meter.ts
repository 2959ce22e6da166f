// Counts the HTTP traffic DuckDB-WASM makes. Its file system reads Parquet with synchronous
// XMLHttpRequests inside this worker, so wrapping XMLHttpRequest sees every byte it fetches.
import type { HttpStats } from '../src/engine/api.ts';

export function emptyStats(): HttpStats {
  return { requests: 0, bytes: 0, cachedBytes: 0, statuses: {}, rangeIgnored: 0 };
}

let current = emptyStats();
/** Origins DuckDB may read from; empty = not yet restricted. */
let allowed = new Set<string>();

/**
 * Restricts every request DuckDB makes to these origins (the app's and the dataset's), so console
 * SQL cannot read from, or leak query text to, other sites even where no CSP is served.
 */
export function allowOrigins(origins: string[]): void {
  allowed = new Set(origins.map((o) => new URL(o).origin));
}

export class ForeignOriginError extends Error {
  override name = 'ForeignOriginError';
}
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
    override open(method: string, url: string | URL, async = true, user?: string | null, password?: string | null): void {
      const origin = new URL(url, self.location.href).origin;
      if (allowed.size > 0 && !allowed.has(origin)) {
        throw new ForeignOriginError(`Refused to read from ${origin}: Quantiv only reads from ${[...allowed].join(' and ')}`);
      }
      super.open(method, url, async, user, password);
    }
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
  const transfer = transferSize(xhr.responseURL);
  if (transfer === 0 && body > 0) {
    s.cachedBytes += body;
    listener?.(s);
    return;
  }
  s.requests += 1;
  const key = String(xhr.status);
  s.statuses[key] = (s.statuses[key] ?? 0) + 1;
  // What crossed the network. Chrome may answer part of a range from its cache and fetch only the
  // rest, so the body length can exceed the transfer; the transfer includes response headers.
  s.bytes += transfer ?? body;
  if (transfer !== null && body > transfer) s.cachedBytes += body - transfer;
  if (ranged && xhr.status === 200 && body > 1) s.rangeIgnored += 1;
  listener?.(s);
}

/**
 * Bytes the last request for this URL moved over the network (headers included) per Resource
 * Timing: 0 for an answer from the browser's HTTP cache; null where the browser does not say.
 */
function transferSize(url: string): number | null {
  if (typeof performance === 'undefined' || !url) return null;
  const entries = performance.getEntriesByName(url, 'resource') as PerformanceResourceTiming[];
  const last = entries[entries.length - 1];
  performance.clearResourceTimings();
  return last === undefined ? null : last.transferSize;
}
