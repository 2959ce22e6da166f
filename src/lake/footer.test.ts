import { describe, expect, it } from 'vitest';
import { footerProof, footerTailLength, ReplacedFileError, verifyFooter } from './footer.ts';

/** A file shaped like Parquet: body, a footer of `n` bytes, its length and "PAR1". */
function parquetLike(body: number[], footer: number[]): Uint8Array {
  const out = new Uint8Array(body.length + footer.length + 8);
  out.set(body);
  out.set(footer, body.length);
  new DataView(out.buffer).setUint32(body.length + footer.length, footer.length, true);
  out.set([0x50, 0x41, 0x52, 0x31], out.length - 4);
  return out;
}

describe('footer proof', () => {
  const file = parquetLike([1, 2, 3, 4, 5], [9, 8, 7]);
  it('hashes exactly the footer, its length and the magic', () => {
    expect(footerTailLength(file.subarray(-8), file.length)).toBe(11);
    const proof = footerProof(file, file.length);
    expect(proof.bytes).toBe(11);
    expect(proof.sha256).toMatch(/^[0-9a-f]{64}$/);
    // The body is not part of it: the proof is checkable from one tail read.
    expect(footerProof(parquetLike([0, 0, 0, 0, 0], [9, 8, 7]), file.length)).toEqual(proof);
  });
  it('accepts the listed tail and names a replaced or corrupted file', () => {
    const proof = footerProof(file, file.length);
    expect(() => verifyFooter('options/a.parquet', proof, file.subarray(-11))).not.toThrow();
    const other = parquetLike([1, 2, 3, 4, 5], [9, 8, 6]);
    expect(() => verifyFooter('options/a.parquet', proof, other.subarray(-11))).toThrow(ReplacedFileError);
    expect(() => verifyFooter('options/a.parquet', proof, other.subarray(-11))).toThrow(/options\/a\.parquet was replaced.*SHA-256.*None of its rows/);
    const longer = parquetLike([1], [9, 8, 7, 6]);
    expect(() => verifyFooter('options/a.parquet', proof, longer.subarray(-11))).toThrow(/footer is 12 bytes, the manifest says 11/);
    expect(() => verifyFooter('options/a.parquet', proof, new Uint8Array(11))).toThrow(/not a Parquet footer/);
  });
  it('refuses a tail that is not Parquet', () => {
    expect(footerTailLength(new Uint8Array(8), 100)).toBeNull();
    expect(() => footerProof(new Uint8Array(16), 16)).toThrow(/PAR1/);
  });
});
