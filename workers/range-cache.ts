// An in-worker cache of the byte ranges DuckDB reads from lake files. DuckDB-WASM sends one
// synchronous request per read, one after another, so the number of requests is what a reader
// waits for (a round trip each); and it keeps nothing between queries. This layer answers reads
// from memory, turns runs of reads into few large requests, and knows each file's size from the
// manifest so a file's HEAD needs no request at all.
//
// Keys are the file's URL, which carries its content hash (?v=...): a republished file is another
// key, so stale bytes are never served.
import { ReplacedFileError, verifyFooter, type FooterProof } from '../src/lake/footer.ts';

/** Cache granularity: small enough that a point read fetches little, large enough to coalesce. */
export const BLOCK = 64 * 1024;
/** A scan's read-ahead grows from one block up to this many bytes per request. */
export const MAX_READ_AHEAD = 8 * 1024 * 1024;
/** A read this far past the previous one's end still counts as the same forward run. */
export const MAX_SKIP = 256 * 1024;
export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;

export type FetchRange = (url: string, start: number, endInclusive: number) => Uint8Array;

/** What the first read of a file must prove (src/lake/footer.ts); path names it in messages. */
export interface FileCheck {
  path: string;
  proof?: FooterProof | undefined;
}

interface FileState {
  size: number;
  check: FileCheck | undefined;
  /** Set once the footer matched; a failed check is kept and thrown on every later read. */
  verified: boolean;
  failure: Error | null;
  /** Where the previous read ended, the bytes read back to back up to it, and the read-ahead earned. */
  lastEnd: number;
  runBytes: number;
  readAhead: number;
}

export class RangeCache {
  #files = new Map<string, FileState>();
  /** `${url}#${block}` -> bytes, in least-recently-used order (Map iteration order). */
  #blocks = new Map<string, Uint8Array>();
  #bytes = 0;

  constructor(
    private readonly fetchRange: FetchRange,
    private capBytes = DEFAULT_CACHE_BYTES,
  ) {}

  setCap(bytes: number): void {
    // One read plus its read-ahead must fit, or a read could evict its own blocks.
    this.capBytes = Math.max(bytes, 4 * MAX_READ_AHEAD);
    this.#evict();
  }

  get cachedBytes(): number {
    return this.#bytes;
  }

  /** A lake file whose reads may be cached; size (and the footer proof) from the manifest. */
  register(url: string, size: number, check?: FileCheck): void {
    if (!this.#files.has(url)) this.#files.set(url, { size, check, verified: !check?.proof, failure: null, lastEnd: -1, runBytes: 0, readAhead: 0 });
  }

  /** Registered files read since the last call, most recent last: what an engine error is about. */
  takeTouched(): string[] {
    const out = [...this.#touched];
    this.#touched.clear();
    return out;
  }
  #touched = new Set<string>();

  /** The manifest's path of a registered file, for messages. */
  pathOf(url: string): string | undefined {
    return this.#files.get(url)?.check?.path;
  }

  size(url: string): number | undefined {
    return this.#files.get(url)?.size;
  }

  /** Bytes [start, endInclusive] of a registered file, fetched only where not cached. */
  read(url: string, start: number, endInclusive: number): Uint8Array {
    const file = this.#files.get(url);
    if (!file) throw new Error(`not a registered lake file: ${url}`);
    this.#touched.delete(url);
    this.#touched.add(url);
    if (file.failure) throw file.failure;
    if (!file.verified) this.#verify(url, file);
    const end = Math.min(endInclusive, file.size - 1);
    if (start > end) return new Uint8Array();
    this.#learn(file, start, end);
    this.#fill(url, file, start, end);
    return this.#assemble(url, start, end);
  }

  /**
   * The first read of a file fetches its footer (the read DuckDB makes first anyway) and checks it
   * against the manifest, so no byte of a replaced file reaches DuckDB.
   */
  #verify(url: string, file: FileState): void {
    const { path, proof } = file.check!;
    const from = Math.max(0, file.size - proof!.bytes);
    try {
      this.#fill(url, file, from, file.size - 1);
      verifyFooter(path, proof!, this.#assemble(url, from, file.size - 1));
      file.verified = true;
    } catch (e) {
      if (!(e instanceof ReplacedFileError)) throw e;
      // A replaced file stays refused (its URL carries the listed hash), and none of it stays cached.
      file.failure = e;
      for (let b = Math.floor(from / BLOCK); b * BLOCK < file.size; b++) this.#drop(url, b);
      throw e;
    }
  }

  #fill(url: string, file: FileState, start: number, end: number): void {
    const first = Math.floor(start / BLOCK);
    const last = Math.floor(end / BLOCK);
    let b = first;
    while (b <= last) {
      if (this.#get(url, b)) {
        b++;
        continue;
      }
      // A run of missing blocks, extended by the read-ahead: one request for all of it.
      let runEnd = b;
      while (runEnd + 1 <= last && !this.#blocks.has(key(url, runEnd + 1))) runEnd++;
      const lastBlock = Math.floor((file.size - 1) / BLOCK);
      const ahead = Math.ceil(file.readAhead / BLOCK);
      let stop = Math.min(lastBlock, runEnd + ahead);
      // Stop the read-ahead at the first block already held.
      for (let x = runEnd + 1; x <= stop; x++) {
        if (this.#blocks.has(key(url, x))) {
          stop = x - 1;
          break;
        }
      }
      const from = b * BLOCK;
      const to = Math.min(file.size, (stop + 1) * BLOCK) - 1;
      const bytes = this.fetchRange(url, from, to);
      if (bytes.byteLength !== to - from + 1) {
        throw new Error(`${url}: asked for bytes ${from}-${to}, got ${bytes.byteLength} (the file is shorter than the manifest says?)`);
      }
      for (let x = b; x <= stop; x++) this.#put(url, x, bytes.subarray((x - b) * BLOCK, Math.min(bytes.byteLength, (x - b + 1) * BLOCK)));
      b = stop + 1;
    }
  }

  /**
   * A read that starts where the previous one ended (or a little past it) continues a run; the read-ahead is as large as
   * the run so far (so it doubles while a scan goes on, up to MAX_READ_AHEAD). DuckDB probes a
   * column chunk with a 1-byte, then 16 KiB, 64 KiB ... reads: a short chunk earns a short
   * read-ahead, and a point read none, so selective queries do not over-fetch.
   */
  #learn(file: FileState, start: number, end: number): void {
    // A small skip forward (the columns a query does not need) still continues the run, and so does
    // a small step back: DuckDB reads a page header, then the page from inside that header.
    const sequential = file.lastEnd >= 0 && start >= file.lastEnd - BLOCK && start - file.lastEnd <= MAX_SKIP;
    file.runBytes = (sequential ? file.runBytes : 0) + (end - start + 1);
    file.readAhead = sequential ? Math.min(MAX_READ_AHEAD, file.runBytes) : 0;
    file.lastEnd = end + 1;
  }

  #assemble(url: string, start: number, end: number): Uint8Array {
    const out = new Uint8Array(end - start + 1);
    for (let b = Math.floor(start / BLOCK); b * BLOCK <= end; b++) {
      const block = this.#blocks.get(key(url, b));
      if (!block) throw new Error(`${url}: block ${b} was evicted while being read (cache cap too small)`);
      const blockStart = b * BLOCK;
      const from = Math.max(start, blockStart) - blockStart;
      const to = Math.min(end, blockStart + block.byteLength - 1) - blockStart;
      out.set(block.subarray(from, to + 1), blockStart + from - start);
    }
    return out;
  }

  #get(url: string, b: number): Uint8Array | undefined {
    const k = key(url, b);
    const hit = this.#blocks.get(k);
    if (hit) {
      this.#blocks.delete(k);
      this.#blocks.set(k, hit);
    }
    return hit;
  }

  #put(url: string, b: number, bytes: Uint8Array): void {
    const k = key(url, b);
    const old = this.#blocks.get(k);
    if (old) this.#bytes -= old.byteLength;
    // A copy: the block must not pin the whole response buffer once its neighbours are evicted.
    const own = bytes.slice();
    this.#blocks.set(k, own);
    this.#bytes += own.byteLength;
    this.#evict();
  }

  #drop(url: string, b: number): void {
    const k = key(url, b);
    const old = this.#blocks.get(k);
    if (!old) return;
    this.#blocks.delete(k);
    this.#bytes -= old.byteLength;
  }

  #evict(): void {
    for (const [k, v] of this.#blocks) {
      if (this.#bytes <= this.capBytes) break;
      this.#blocks.delete(k);
      this.#bytes -= v.byteLength;
    }
  }
}

const key = (url: string, block: number) => `${url}#${block}`;
