import { describe, expect, it } from 'vitest';
import { footerProof } from '../src/lake/footer.ts';
import { BLOCK, MAX_READ_AHEAD, RangeCache } from './range-cache.ts';

function file(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

/** Byte equality without vitest's element-by-element diffing of megabytes. */
function same(got: Uint8Array, want: Uint8Array): void {
  expect(Buffer.compare(Buffer.from(got), Buffer.from(want))).toBe(0);
}

function harness(files: Record<string, Uint8Array>, cap?: number) {
  const requests: [string, number, number][] = [];
  const cache = new RangeCache((url, start, end) => {
    requests.push([url, start, end]);
    return files[url]!.subarray(start, end + 1);
  }, cap);
  for (const [url, bytes] of Object.entries(files)) cache.register(url, bytes.byteLength);
  return { cache, requests };
}

describe('RangeCache', () => {
  it('a primed tail answers the footer reads with no request, and names nothing once held', () => {
    const a = file(5 * BLOCK + 123);
    const { cache, requests } = harness({ a });
    const range = cache.tailRange('a');
    expect(range).toEqual([5 * BLOCK, a.length - 1]);
    cache.prime('a', range![0], a.subarray(range![0]));
    same(cache.read('a', a.length - 8, a.length - 1), a.subarray(a.length - 8));
    same(cache.read('a', a.length - 100, a.length - 9), a.subarray(a.length - 100, a.length - 8));
    expect(requests).toEqual([]);
    expect(cache.tailRange('a')).toBeNull();
    expect(cache.tailRange('unregistered')).toBeNull();
  });

  it('a tail range covers the footer proof, and a misaligned or short prime is ignored', () => {
    const a = file(3 * BLOCK);
    const proofBytes = BLOCK + 500;
    const cache = new RangeCache(() => { throw new Error('no request expected'); });
    cache.register('a', a.length, { path: 'a', proof: { bytes: proofBytes, sha256: 'x' } });
    expect(cache.tailRange('a')).toEqual([BLOCK, a.length - 1]);
    cache.prime('a', BLOCK + 1, a.subarray(BLOCK + 1));
    cache.prime('a', BLOCK, a.subarray(BLOCK, a.length - 1));
    expect(cache.tailRange('a')).toEqual([BLOCK, a.length - 1]);
  });

  it('returns exactly the bytes asked for, and a repeat costs no request', () => {
    const a = file(5 * BLOCK + 123);
    const { cache, requests } = harness({ a });
    same(cache.read('a', 100, 70_000), a.subarray(100, 70_001));
    const n = requests.length;
    same(cache.read('a', 100, 70_000), a.subarray(100, 70_001));
    same(cache.read('a', 1000, 2000), a.subarray(1000, 2001));
    expect(requests.length).toBe(n);
  });

  it('clips a read past the end (the footer) and never asks beyond the file', () => {
    const a = file(3 * BLOCK + 10);
    const { cache, requests } = harness({ a });
    same(cache.read('a', a.length - 8, a.length + 100), a.subarray(a.length - 8));
    expect(Math.max(...requests.map((r) => r[2]))).toBe(a.length - 1);
  });

  it('a point read fetches its own blocks only; a scan grows its read-ahead and needs few requests', () => {
    const a = file(64 * BLOCK);
    const { cache, requests } = harness({ a });
    cache.read('a', 10 * BLOCK + 5, 10 * BLOCK + 50);
    expect(requests).toEqual([['a', 10 * BLOCK, 11 * BLOCK - 1]]);
    requests.length = 0;
    // Front to back in 16 KiB reads, as a column scan does.
    for (let at = 0; at < a.length; at += 16 * 1024) same(cache.read('a', at, at + 16 * 1024 - 1), a.subarray(at, at + 16 * 1024));
    expect(requests.length).toBeLessThan(10);
    expect(Math.max(...requests.map(([, s, e]) => e - s + 1))).toBeLessThanOrEqual(MAX_READ_AHEAD + BLOCK);
  });

  it('coalesces the missing blocks between cached ones into one request', () => {
    const a = file(8 * BLOCK);
    const { cache, requests } = harness({ a });
    cache.read('a', 0, 10);
    cache.read('a', 5 * BLOCK, 5 * BLOCK + 10);
    requests.length = 0;
    same(cache.read('a', 0, 6 * BLOCK - 1), a.subarray(0, 6 * BLOCK));
    expect(requests).toEqual([['a', BLOCK, 5 * BLOCK - 1]]);
  });

  it('keys by URL, so a republished file (new hash in its URL) is never served old bytes', () => {
    const old = file(2 * BLOCK, 1);
    const fresh = file(2 * BLOCK, 2);
    const { cache } = harness({ 'f?v=aaa': old, 'f?v=bbb': fresh });
    same(cache.read('f?v=aaa', 0, 99), old.subarray(0, 100));
    same(cache.read('f?v=bbb', 0, 99), fresh.subarray(0, 100));
  });

  it('stays under its memory cap, evicting the blocks earlier queries used least recently', () => {
    const cap = 4 * MAX_READ_AHEAD;
    const a = file(cap, 1);
    const b = file(cap, 2);
    const { cache, requests } = harness({ a, b }, cap);
    const scan = (url: string, size: number) => {
      for (let at = 0; at < size; at += 256 * 1024) cache.read(url, at, at + 256 * 1024 - 1);
    };
    cache.beginQuery();
    scan('a', a.length);
    cache.beginQuery();
    scan('b', b.length);
    expect(cache.cachedBytes).toBeLessThanOrEqual(cap);
    requests.length = 0;
    cache.beginQuery();
    scan('b', b.length);
    expect(requests).toEqual([]);
    cache.read('a', 0, 100);
    expect(requests.length).toBe(1);
  });

  it('a scan larger than the cap keeps what fits: its repeat fetches only the rest, not everything again', () => {
    const cap = 4 * MAX_READ_AHEAD;
    const big = file(cap * 3);
    const { cache, requests } = harness({ big }, cap);
    const fetched = () => requests.reduce((n, [, s, e]) => n + (e - s + 1), 0);
    const scan = () => {
      cache.beginQuery();
      for (let at = 0; at < big.length; at += 256 * 1024) same(cache.read('big', at, at + 256 * 1024 - 1), big.subarray(at, at + 256 * 1024));
    };
    scan();
    expect(fetched()).toBe(big.length);
    expect(cache.cachedBytes).toBeLessThanOrEqual(cap);
    requests.length = 0;
    scan();
    // Plain LRU would evict the head before the repeat reaches it and fetch all 3 caps again.
    expect(fetched()).toBe(big.length - cap);
    // Past the cap the scan still reads ahead in large requests (2 caps / 8 MiB = 8, plus its ramp-up).
    expect(requests.length).toBeLessThanOrEqual(12);
  });

  it('says when the server has fewer bytes than the manifest', () => {
    const cache = new RangeCache(() => new Uint8Array(10));
    cache.register('a', 1000);
    expect(() => cache.read('a', 0, 99)).toThrow(/shorter than the manifest/);
  });

  it("checks a file's footer on its first read and refuses every read of a replaced file", () => {
    const listed = parquetLike(3 * BLOCK, 2 * BLOCK + 77, 1);
    const served = parquetLike(3 * BLOCK, 2 * BLOCK + 77, 2); // same size, another footer
    const proof = footerProof(listed, listed.length);
    const requests: number[] = [];
    const cache = new RangeCache((url, start, end) => {
      requests.push(start);
      return (url === 'ok' ? listed : served).subarray(start, end + 1);
    });
    cache.register('ok', listed.length, { path: 'options/ok.parquet', proof });
    cache.register('bad', served.length, { path: 'options/bad.parquet', proof });
    same(cache.read('ok', 0, 99), listed.subarray(0, 100));
    expect(() => cache.read('bad', 0, 99)).toThrow(/options\/bad\.parquet was replaced on the server/);
    const n = requests.length;
    // Still refused, without asking the server again, and none of its bytes are cached.
    expect(() => cache.read('bad', listed.length - 8, listed.length - 1)).toThrow(/was replaced/);
    expect(requests.length).toBe(n);
  });
});

/** `size` bytes ending in a `footer`-byte Parquet footer whose content depends on `seed`. */
function parquetLike(body: number, footer: number, seed: number): Uint8Array {
  const out = file(body + footer + 8, seed);
  new DataView(out.buffer).setUint32(body + footer, footer, true);
  out.set([0x50, 0x41, 0x52, 0x31], out.length - 4);
  return out;
}
