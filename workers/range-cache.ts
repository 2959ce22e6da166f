// An in-worker cache of the byte ranges DuckDB reads from lake files. DuckDB-WASM sends one
// synchronous request per read, one after another, so the number of requests is what a reader
// waits for (a round trip each); and it keeps nothing between queries. This layer answers reads
// from memory, turns runs of reads into few large requests, and knows each file's size from the
// manifest so a file's HEAD needs no request at all.
//
// Keys are the file's URL, which carries its content hash (?v=...): a republished file is another
// key, so stale bytes are never served.
//
// Eviction is least-recently-used across queries, but a query never evicts what it touched itself:
// a scan larger than the cap would otherwise push out its own head before the repeat needs it
// (plain LRU gives a repeated oversized scan zero hits). Once full, such a scan's further blocks
// pass through uncached, so a repeat re-fetches only the part that did not fit.
import { ReplacedFileError, verifyFooter, type FooterProof } from '../src/lake/footer.ts';

/** Cache granularity: small enough that a point read fetches little, large enough to coalesce. */
export const BLOCK = 64 * 1024;
/** A scan's read-ahead grows from one block up to this many bytes per request. */
export const MAX_READ_AHEAD = 8 * 1024 * 1024;
/** A read this far past the previous one's end still counts as the same forward run. */
export const MAX_SKIP = 256 * 1024;
export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;
/** Files whose latest uncached read-ahead is kept (a scan reads a few column runs at a time). */
const PASSING_FILES = 4;

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
  #blocks = new Map<string, Block>();
  #bytes = 0;
  /** The current query's number; a block remembers the last query that touched it. */
  #query = 0;
  /**
   * Blocks of the latest request per file that passed through uncached (a full cache), so the
   * scan's next reads still find its read-ahead; a few files only, outside the cap.
   */
  #passing = new Map<string, Map<number, Uint8Array>>();

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

  /** A new query starts: blocks touched before it may be evicted for it. */
  beginQuery(): void {
    this.#query++;
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

  /**
   * The block-aligned tail a first read of the file fetches (its footer, from the proof's length or
   * else the last block), or null when it is held already or the file is not registered.
   */
  tailRange(url: string): [number, number] | null {
    const file = this.#files.get(url);
    if (!file || file.size === 0) return null;
    const from = Math.floor(Math.max(0, file.size - Math.max(8, file.check?.proof?.bytes ?? 0)) / BLOCK) * BLOCK;
    for (let b = from / BLOCK; b * BLOCK < file.size; b++) if (!this.#holds(url, b)) return [from, file.size - 1];
    return null;
  }

  /**
   * Bytes fetched ahead (asynchronously, in parallel) for a file's range from tailRange: held as
   * if a read had fetched them, so DuckDB's synchronous read of the footer finds them.
   */
  prime(url: string, from: number, bytes: Uint8Array): void {
    const file = this.#files.get(url);
    if (!file || from % BLOCK !== 0 || from + bytes.byteLength !== file.size) return;
    for (let x = from / BLOCK; x * BLOCK < file.size; x++) {
      const at = x * BLOCK - from;
      this.#put(url, x, bytes.slice(at, Math.min(bytes.byteLength, at + BLOCK)));
    }
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
    return this.#fill(url, file, start, end);
  }

  /**
   * The first read of a file fetches its footer (the read DuckDB makes first anyway) and checks it
   * against the manifest, so no byte of a replaced file reaches DuckDB.
   */
  #verify(url: string, file: FileState): void {
    const { path, proof } = file.check!;
    const from = Math.max(0, file.size - proof!.bytes);
    try {
      verifyFooter(path, proof!, this.#fill(url, file, from, file.size - 1));
      file.verified = true;
    } catch (e) {
      if (!(e instanceof ReplacedFileError)) throw e;
      // A replaced file stays refused (its URL carries the listed hash), and none of it stays cached.
      file.failure = e;
      for (let b = Math.floor(from / BLOCK); b * BLOCK < file.size; b++) this.#drop(url, b);
      this.#passing.delete(url);
      throw e;
    }
  }

  /** Bytes [start, end] of a file, fetching the blocks not held. */
  #fill(url: string, file: FileState, start: number, end: number): Uint8Array {
    const first = Math.floor(start / BLOCK);
    const last = Math.floor(end / BLOCK);
    // This read's blocks, held here too: a block that passed through uncached is still needed.
    const got: Uint8Array[] = [];
    let b = first;
    while (b <= last) {
      const hit = this.#get(url, b);
      if (hit) {
        got[b - first] = hit;
        b++;
        continue;
      }
      // A run of missing blocks, extended by the read-ahead: one request for all of it.
      let runEnd = b;
      while (runEnd + 1 <= last && !this.#holds(url, runEnd + 1)) runEnd++;
      const lastBlock = Math.floor((file.size - 1) / BLOCK);
      const ahead = Math.ceil(file.readAhead / BLOCK);
      let stop = Math.min(lastBlock, runEnd + ahead);
      // Stop the read-ahead at the first block already held.
      for (let x = runEnd + 1; x <= stop; x++) {
        if (this.#holds(url, x)) {
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
      const passing = new Map<number, Uint8Array>();
      for (let x = b; x <= stop; x++) {
        const block = bytes.subarray((x - b) * BLOCK, Math.min(bytes.byteLength, (x - b + 1) * BLOCK)).slice();
        if (!this.#put(url, x, block)) passing.set(x, block);
        if (x <= last) got[x - first] = block;
      }
      if (passing.size > 0) this.#pass(url, passing);
      b = stop + 1;
    }
    return assemble(got, first, start, end);
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

  #holds(url: string, b: number): boolean {
    return this.#blocks.has(key(url, b)) || !!this.#passing.get(url)?.has(b);
  }

  #pass(url: string, blocks: Map<number, Uint8Array>): void {
    this.#passing.delete(url);
    this.#passing.set(url, blocks);
    for (const old of this.#passing.keys()) {
      if (this.#passing.size <= PASSING_FILES) break;
      this.#passing.delete(old);
    }
  }

  #drop(url: string, b: number): void {
    const k = key(url, b);
    const old = this.#blocks.get(k);
    if (!old) return;
    this.#blocks.delete(k);
    this.#bytes -= old.bytes.byteLength;
  }

  #get(url: string, b: number): Uint8Array | undefined {
    const k = key(url, b);
    const hit = this.#blocks.get(k);
    if (!hit) return this.#passing.get(url)?.get(b);
    this.#blocks.delete(k);
    hit.query = this.#query;
    this.#blocks.set(k, hit);
    return hit.bytes;
  }

  /**
   * Caches a fetched block (its own copy, so it does not pin the whole response buffer) when there
   * is room for it; false when the current query's blocks fill the cap.
   */
  #put(url: string, b: number, own: Uint8Array): boolean {
    const k = key(url, b);
    const old = this.#blocks.get(k);
    if (old) {
      this.#blocks.delete(k);
      this.#bytes -= old.bytes.byteLength;
    }
    if (!this.#evict(own.byteLength)) return false;
    this.#blocks.set(k, { bytes: own, query: this.#query });
    this.#bytes += own.byteLength;
    return true;
  }

  /**
   * Makes room for `incoming` bytes (0: just enforce the cap), evicting only blocks that earlier
   * queries touched; false when the current query's own blocks fill the cap.
   */
  #evict(incoming = 0): boolean {
    for (const [k, v] of this.#blocks) {
      if (this.#bytes + incoming <= this.capBytes) break;
      if (incoming > 0 && v.query === this.#query) return false;
      this.#blocks.delete(k);
      this.#bytes -= v.bytes.byteLength;
    }
    return this.#bytes + incoming <= this.capBytes;
  }
}

interface Block {
  bytes: Uint8Array;
  query: number;
}

/** Bytes [start, end] of a file from its consecutive blocks, the first being block `first`. */
function assemble(blocks: Uint8Array[], first: number, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start + 1);
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i]!;
    const blockStart = (first + i) * BLOCK;
    const from = Math.max(start, blockStart) - blockStart;
    const to = Math.min(end, blockStart + block.byteLength - 1) - blockStart;
    out.set(block.subarray(from, to + 1), blockStart + from - start);
  }
  return out;
}

const key = (url: string, block: number) => `${url}#${block}`;
