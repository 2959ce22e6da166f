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

/** DuckDBDataProtocol.HTTP and .S3: files that live on a server. */
const REMOTE_PROTOCOLS = new Set([4, 5]);

export function guardRemoteWrites(runtime: DuckDBRuntime, onRefused: (e: RemoteWriteError) => void): void {
  const write = runtime.writeFile.bind(runtime);
  const infoOf = (runtime as unknown as { getFileInfo?: (mod: unknown, id: number) => { dataProtocol?: number } | null }).getFileInfo?.bind(runtime);
  const open = runtime.openFile.bind(runtime);
  const isRemote = (mod: unknown, fileId: number) => REMOTE_PROTOCOLS.has(infoOf?.(mod, fileId)?.dataProtocol ?? -1);
  const refuse = () => {
    const e = new RemoteWriteError(REMOTE_WRITE_REFUSED);
    onRefused(e);
    return e;
  };
  runtime.openFile = (mod, fileId, flags) => {
    // Opening for writing (DuckDB's FILE_FLAGS_WRITE = 2) a file on a server: refused before the
    // runtime probes the URL, which can take seconds.
    if ((Number(flags) & 2) !== 0 && isRemote(mod, fileId)) throw refuse();
    return open(mod, fileId, flags);
  };
  runtime.writeFile = (mod, fileId, buffer, bytes, location) => {
    // Checked before the runtime's own write: that one fails through an engine exception which
    // DuckDB may swallow.
    // Unwinds DuckDB's write loop at once rather than letting it retry a write that never lands.
    if (isRemote(mod, fileId)) throw refuse();
    return write(mod, fileId, buffer, bytes, location);
  };
}
