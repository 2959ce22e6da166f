// Imported first by the worker, so its top level runs before DuckDB's 1 MB of bindings evaluate:
// the engine's 34 MB wasm is fetched and compiled (streaming, while it downloads) from the moment
// the worker starts, not after the page has asked for init().
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import type { Progress } from '../src/engine/api.ts';
import { markOnce } from '../src/engine/marks.ts';

markOnce('worker-started');

let report: ((p: Progress) => void) | undefined;
let latest: Progress | undefined;

/** Where init()'s caller hears about the download; it may arrive mid-way, so it gets the latest. */
export function onWasmProgress(fn: ((p: Progress) => void) | undefined): void {
  report = fn;
  if (fn && latest) fn(latest);
}

async function compile(url: string): Promise<WebAssembly.Module> {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`The engine ${url} answered HTTP ${response.status}`);
  // A gzipped answer's Content-Length counts compressed bytes; the stream yields decompressed ones.
  const total = response.headers.get('Content-Encoding') ? undefined : Number(response.headers.get('Content-Length')) || undefined;
  let bytes = 0;
  let reported = 0;
  const counted = response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, out) {
      bytes += chunk.byteLength;
      latest = { phase: 'wasm', bytes, total };
      // Each report is a message to the page; a few per second are plenty for a progress line.
      const now = performance.now();
      if (now - reported > 100) {
        reported = now;
        report?.(latest);
      }
      out.enqueue(chunk);
    },
    flush() {
      markOnce('wasm-fetched');
    },
  }));
  // The content type must stay application/wasm for streaming compilation.
  const module = await WebAssembly.compileStreaming(new Response(counted, { headers: { 'Content-Type': 'application/wasm' } }));
  markOnce('wasm-compiled');
  return module;
}

export const ENGINE_WASM_URL = new URL(ehWasm, self.location.href).href;

let compiled: Promise<WebAssembly.Module> | null = null;

/** The compiled engine; after a failure the next call fetches again. */
export function engineModule(): Promise<WebAssembly.Module> {
  compiled ??= compile(ENGINE_WASM_URL);
  compiled.catch(() => {
    compiled = null;
  });
  return compiled;
}

// Started now; whoever awaits it later reports a failure.
engineModule().catch(() => undefined);
