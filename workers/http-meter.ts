// Counts and guards the HTTP traffic DuckDB-WASM makes. Its file system reads Parquet with
// synchronous XMLHttpRequests inside this worker, so wrapping XMLHttpRequest sees every request:
// the wrapper refuses foreign origins, counts statuses and the bytes DuckDB receives (live
// progress), and at the end of a query Resource Timing tells what crossed the network.
import type { HttpStats } from '../src/engine/api.ts';
import { RangeCache } from './range-cache.ts';
import { rangeFault } from './server-faults.ts';
import { preloaded } from './preloads.ts';

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

interface Count {
  requests: number;
  /** Body bytes DuckDB received, from the network or the browser's cache. */
  received: number;
  statuses: Record<string, number>;
  rangeIgnored: number;
  reads: number;
}

const newCount = (): Count => ({ requests: 0, received: 0, statuses: {}, rangeIgnored: 0, reads: 0 });

let current = newCount();
let listener: ((received: number) => void) | null = null;

/**
 * Starts a count for one query; the returned function ends it. Queries run one at a time, so
 * every request in [start, end] belongs to this query.
 */
export function meter(onReceived?: (received: number) => void): () => Promise<HttpStats> {
  current = newCount();
  listener = onReceived ?? null;
  lakeCache?.beginQuery();
  const started = performance.now();
  return async () => {
    const count = current;
    listener = null;
    // Resource Timing entries arrive after the request completes; let them land.
    await new Promise((r) => setTimeout(r, 0));
    return settle(count, started);
  };
}

function settle(count: Count, since: number): HttpStats {
  const stats: HttpStats = {
    requests: count.requests,
    bytes: count.received,
    cachedBytes: 0,
    statuses: count.statuses,
    rangeIgnored: count.rangeIgnored,
    reads: count.reads,
  };
  const entries = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter(
    (e) => e.initiatorType === 'xmlhttprequest' && e.startTime >= since,
  );
  performance.clearResourceTimings();
  // Trust Resource Timing only when it saw every request; otherwise report what DuckDB received.
  if (entries.length !== count.requests) return stats;
  let network = 0;
  let networkRequests = 0;
  for (const e of entries) {
    network += e.transferSize;
    if (e.transferSize > 0) networkRequests += 1;
  }
  // transferSize counts response headers and only the part a partial cache hit had to fetch.
  return { ...stats, bytes: network, requests: networkRequests, cachedBytes: Math.max(0, count.received - network) };
}

/**
 * The last lake read this worker refused, with its message. DuckDB's file system may swallow the
 * error a read throws; the worker then still fails the query with this instead of returning rows.
 */
let fault: Error | null = null;

export function takeFault(): Error | null {
  const f = fault;
  fault = null;
  return f;
}

/** Lake reads go through this cache; null until installHttpMeter. */
export let lakeCache: RangeCache | null = null;

/** A lake read that failed with no answer at all (unreachable, or hidden for lack of CORS). */
export class NoAnswerError extends Error {
  override name = 'NoAnswerError';
  constructor(readonly url: string) {
    super(`No answer for ${url} (NetworkError)`);
  }
}

/**
 * Fetches the footers of these lake files in parallel, ahead of DuckDB's synchronous reads of them
 * (one round trip after another). Best effort: a file whose answer is not the exact range asked
 * for is left to DuckDB's own read, which then reports what is wrong with the server.
 */
export async function prefetchTails(urls: string[]): Promise<void> {
  await Promise.all(urls.map(async (url) => {
    const range = lakeCache?.tailRange(url);
    if (!range) return;
    const [from, to] = range;
    try {
      const r = await fetch(url, { headers: { Range: `bytes=${from}-${to}` } });
      if (r.status !== 206 || !(r.headers.get('Content-Range') ?? '').startsWith(`bytes ${from}-${to}/`)) {
        // Unread, the answer would hold its connection: the browser has six per server.
        await r.body?.cancel();
        return;
      }
      const body = new Uint8Array(await r.arrayBuffer());
      if (body.byteLength === to - from + 1) lakeCache?.prime(url, from, body);
    } catch {
      // DuckDB's read of the same bytes meets the failure and reports it.
    }
  }));
}

/** Serves a synchronous XHR's answer from the cache: status, headers and body set on the instance. */
function answer(xhr: XMLHttpRequest, status: number, body: ArrayBuffer | null, headers: Record<string, string>): void {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  Object.defineProperties(xhr, {
    readyState: { value: 4, configurable: true },
    status: { value: status, configurable: true },
    statusText: { value: status === 206 ? 'Partial Content' : 'OK', configurable: true },
    response: { value: body, configurable: true },
    getResponseHeader: { value: (name: string) => lower[name.toLowerCase()] ?? null, configurable: true },
  });
}

export function installHttpMeter(scope: { XMLHttpRequest: typeof XMLHttpRequest }): void {
  performance.setResourceTimingBufferSize?.(100_000);
  const Base = scope.XMLHttpRequest;
  // The cache's own requests: real XHRs, counted like any other.
  lakeCache = new RangeCache((url, start, end) => {
    const inner = new Base();
    inner.open('GET', url, false);
    inner.responseType = 'arraybuffer';
    inner.setRequestHeader('Range', `bytes=${start}-${end}`);
    try {
      inner.send(null);
    } catch {
      throw new NoAnswerError(url);
    } finally {
      record(inner, true);
    }
    const body = inner.response instanceof ArrayBuffer ? inner.response : new ArrayBuffer(0);
    const path = lakeCache?.pathOf(url) ?? url;
    const fault = rangeFault(
      { status: inner.status, header: (n) => inner.getResponseHeader(n), bodyBytes: body.byteLength },
      { path, size: lakeCache?.size(url) ?? 0, start, end },
    );
    if (fault) throw new Error(fault);
    return new Uint8Array(body);
  });
  class MeteredXHR extends Base {
    #ranged = false;
    #method = 'GET';
    #url = '';
    #range: [number, number] | null = null;
    override open(method: string, url: string | URL, async = true, user?: string | null, password?: string | null): void {
      this.#method = method.toUpperCase();
      this.#url = new URL(url, self.location.href).href;
      const origin = new URL(url, self.location.href).origin;
      if (allowed.size > 0 && !allowed.has(origin)) {
        throw new ForeignOriginError(`Refused to read from ${origin}: Quantiv only reads from ${[...allowed].join(' and ')}`);
      }
      // DuckDB writes over HTTP too (COPY TO a URL sends PUT/POST); this app only ever reads.
      if (!/^(GET|HEAD)$/i.test(method)) {
        throw new ForeignOriginError(`Refused to ${method.toUpperCase()} ${origin}: Quantiv only reads from ${[...allowed].join(' and ')}, it never writes`);
      }
      super.open(method, url, async, user, password);
    }
    override setRequestHeader(name: string, value: string): void {
      if (name.toLowerCase() === 'range') {
        this.#ranged = true;
        const m = /^bytes=(\d+)-(\d+)?$/.exec(value.trim());
        this.#range = m ? [Number(m[1]), m[2] === undefined ? Infinity : Number(m[2])] : null;
      }
      super.setRequestHeader(name, value);
    }
    override send(body?: Document | XMLHttpRequestBodyInit | null): void {
      current.reads += 1;
      if (this.#fromCache() || this.#fromPreload()) return;
      try {
        super.send(body);
      } finally {
        record(this, this.#ranged);
      }
    }
    /** A file preloads.ts fetched ahead (the extension): answered from memory, whole or a range. */
    #fromPreload(): boolean {
      const body = preloaded(this.#url);
      if (!body || !/^(GET|HEAD)$/.test(this.#method)) return false;
      const size = String(body.byteLength);
      if (this.#method === 'HEAD') {
        answer(this, 200, null, { 'Content-Length': size, 'Accept-Ranges': 'bytes' });
      } else if (this.#range) {
        const [start, end] = this.#range;
        const part = body.slice(start, Math.min(end, body.byteLength - 1) + 1);
        answer(this, 206, part, { 'Content-Length': String(part.byteLength), 'Content-Range': `bytes ${start}-${start + part.byteLength - 1}/${size}` });
      } else {
        answer(this, 200, body, { 'Content-Length': size });
      }
      return true;
    }
    /** A lake file's HEAD (its size is in the manifest) or range read; false: go to the network. */
    #fromCache(): boolean {
      const size = lakeCache?.size(this.#url);
      if (size === undefined || !lakeCache) return false;
      if (this.#method === 'HEAD') {
        // The URL carries the content hash, so one fixed date is a true "never modified".
        answer(this, 206, null, { 'Content-Length': String(size), 'Accept-Ranges': 'bytes', 'Last-Modified': 'Thu, 01 Jan 2026 00:00:00 GMT' });
        return true;
      }
      if (this.#method !== 'GET' || !this.#range) return false;
      const [start, end] = this.#range;
      // A bad answer throws with what is wrong with the server; DuckDB never sees its bytes.
      let bytes: Uint8Array;
      try {
        bytes = lakeCache.read(this.#url, start, end);
      } catch (e) {
        fault ??= e as Error;
        throw e;
      }
      answer(this, 206, bytes.buffer as ArrayBuffer, { 'Content-Length': String(bytes.byteLength), 'Content-Range': `bytes ${start}-${start + bytes.byteLength - 1}/${size}` });
      return true;
    }
  }
  scope.XMLHttpRequest = MeteredXHR;
}

function record(xhr: XMLHttpRequest, ranged: boolean): void {
  // Only the synchronous requests are complete here; DuckDB makes no asynchronous ones.
  if (xhr.readyState !== XMLHttpRequest.DONE) return;
  const c = current;
  const body = xhr.responseType === 'arraybuffer' && xhr.response instanceof ArrayBuffer ? xhr.response.byteLength : 0;
  c.requests += 1;
  c.received += body;
  const key = String(xhr.status);
  c.statuses[key] = (c.statuses[key] ?? 0) + 1;
  if (ranged && xhr.status === 200 && body > 1) c.rangeIgnored += 1;
  listener?.(c.received);
}
