// DuckDB-WASM cannot write to an HTTP file: its runtime logs "Cannot write to HTTP file" and
// reports zero bytes written, which DuckDB may either ignore (COPY "succeeds" and loses the data)
// or retry forever (the engine hangs). Guarding the runtime's write makes it a clear, immediate
// error instead; the worker afterwards treats the engine as needing a restart (client.ts).
import type { BROWSER_RUNTIME } from '@duckdb/duckdb-wasm/dist/duckdb-browser-blocking.mjs';

type DuckDBRuntime = typeof BROWSER_RUNTIME;

export const REMOTE_WRITE_REFUSED =
  'Quantiv never writes to a server: COPY ... TO or ATTACH of an http(s) URL is refused. Export a result with the console\'s CSV or Parquet buttons instead.';

export class RemoteWriteError extends Error {
  override name = 'RemoteWriteError';
}

export function guardRemoteWrites(runtime: DuckDBRuntime, onRefused: (e: RemoteWriteError) => void): void {
  const write = runtime.writeFile.bind(runtime);
  runtime.writeFile = (mod, fileId, buffer, bytes, location) => {
    const written = write(mod, fileId, buffer, bytes, location);
    if (written === 0 && bytes > 0) {
      const e = new RemoteWriteError(REMOTE_WRITE_REFUSED);
      onRefused(e);
      // Unwinds DuckDB's write loop at once rather than letting it retry a write that never lands.
      throw e;
    }
    return written;
  };
}
