// The Parquet extension the engine loads: where the site serves it and what the file must carry.
// One definition for the build script, the worker, the node engine and the tests.
import pin from './parquet-extension.json' with { type: 'json' };
import { concatBytes } from './bytes.ts';

export interface ExtensionPin {
  engine: string;
  platform: string;
  duckdbPackage: string;
  duckdbIntegrity: string;
  sourceId: string;
  emscripten: string;
  sha256: string;
}

export const EXTENSION: ExtensionPin = pin;

/**
 * The repository folder, relative to the site root. The file's hash is in the path, so the server
 * can mark it immutable and a rebuilt extension never meets a stale cached copy.
 */
export function extensionRepositoryPath(p: ExtensionPin = EXTENSION): string {
  return `duckdb-extensions/${p.sha256.slice(0, 12)}`;
}

/** Where DuckDB asks for the file inside a repository: `<repo>/<engine>/<platform>/<name>`. */
export function extensionFilePath(p: ExtensionPin = EXTENSION): string {
  return `${extensionRepositoryPath(p)}/${p.engine}/${p.platform}/parquet.duckdb_extension.wasm`;
}

/** The URL DuckDB's `LOAD parquet` fetches from a repository (ours or DuckDB's signed one). */
export function extensionUrl(repository: string, p: ExtensionPin = EXTENSION): string {
  return `${repository.replace(/\/+$/, '')}/${p.engine}/${p.platform}/parquet.duckdb_extension.wasm`;
}

/**
 * DuckDB refuses an extension without its metadata trailer: a custom wasm section
 * `duckdb_signature` with eight 32-byte fields (stored last-first: magic "4", platform, engine
 * version, extension version, ABI type, three unused) and a 256-byte signature, empty here because
 * the file is ours and unsigned.
 */
export function withSignatureTrailer(module: Uint8Array, p: ExtensionPin = EXTENSION): Uint8Array {
  const fields = ['4', p.platform, p.engine, `${p.engine}-quantiv`, 'CPP', '', '', ''];
  const field = (text: string): Uint8Array => {
    const out = new Uint8Array(32);
    out.set(new TextEncoder().encode(text));
    return out;
  };
  const name = new TextEncoder().encode('duckdb_signature');
  const body = concatBytes([Uint8Array.of(name.length), name, ...fields.reverse().map(field), new Uint8Array(256)]);
  // Section id 0 (custom), then the body's length as unsigned LEB128.
  return concatBytes([module, Uint8Array.of(0), leb128(body.length), body]);
}

function leb128(n: number): Uint8Array {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return Uint8Array.from(out);
}

