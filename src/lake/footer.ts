// What proves a lake file is the one the manifest lists, checkable from a single range read: a
// Parquet file ends with its footer (the schema and every row group's offsets and statistics),
// a 4-byte little-endian footer length and the magic "PAR1". Another valid file at the same path
// has another footer, and so does a damaged one; hashing that tail costs the reader no request it
// would not make anyway, since DuckDB reads it first.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

export interface FooterProof {
  /** Length of the file's tail that is hashed: footer + 4-byte length + "PAR1". */
  bytes: number;
  /** Hex SHA-256 of those bytes. */
  sha256: string;
}

const MAGIC = [0x50, 0x41, 0x52, 0x31]; // "PAR1"

/** Bytes of the tail to hash, from the file's last 8 bytes; null when they are not a Parquet ending. */
export function footerTailLength(last8: Uint8Array, fileBytes: number): number | null {
  if (last8.byteLength !== 8 || MAGIC.some((b, i) => last8[4 + i] !== b)) return null;
  const length = new DataView(last8.buffer, last8.byteOffset, 8).getUint32(0, true) + 8;
  return length > fileBytes ? null : length;
}

/** The proof of a file whose tail (at least footerTailLength bytes) is given. */
export function footerProof(tail: Uint8Array, fileBytes: number): FooterProof {
  const length = footerTailLength(tail.subarray(tail.byteLength - 8), fileBytes);
  if (length === null || length > tail.byteLength) throw new Error('not a Parquet file: no "PAR1" footer at its end');
  return { bytes: length, sha256: bytesToHex(sha256(tail.subarray(tail.byteLength - length))) };
}

export class ReplacedFileError extends Error {
  override name = 'ReplacedFileError';
}

/**
 * Checks a file's tail against its proof; the message names the file, says what differs and that
 * none of its rows were read. `tail` holds the file's last `proof.bytes` bytes.
 */
export function verifyFooter(path: string, proof: FooterProof, tail: Uint8Array): void {
  const replaced = (why: string) =>
    new ReplacedFileError(`${path} was replaced on the server: ${why}. None of its rows were read; republish the lake (quantiv generate/export writes a new manifest) or restore the file.`);
  const length = footerTailLength(tail.subarray(tail.byteLength - 8), Number.MAX_SAFE_INTEGER);
  if (length === null) throw replaced('its end is not a Parquet footer (corrupted or truncated)');
  if (length !== proof.bytes) throw replaced(`its Parquet footer is ${length} bytes, the manifest says ${proof.bytes}`);
  if (bytesToHex(sha256(tail)) !== proof.sha256) throw replaced('its Parquet footer differs from the one the manifest lists (SHA-256 mismatch)');
}
