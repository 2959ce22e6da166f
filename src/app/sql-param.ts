// SQL in links: plain and readable while short; past a threshold, deflate-raw + base64url in
// `sqlz`, so long queries still fit a URL.

export const COMPRESS_OVER = 300;

/**
 * The most SQL a link carries, in UTF-8 bytes: the app writes no more, and a `sqlz` that inflates
 * past it is refused before it is ever decoded in full (7.8 KB of deflate can hold 6 MB of SQL).
 */
export const LINK_SQL_MAX_BYTES = 128 * 1024;

export class SqlTooLong extends Error {
  override name = 'SqlTooLong';
}

function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
  const bin = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Blob([bytes as BlobPart]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

/** Inflates chunk by chunk and stops reading the moment the output passes `limit` bytes. */
async function inflateAtMost(bytes: Uint8Array, limit: number): Promise<Uint8Array> {
  const reader = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw new SqlTooLong(`the compressed SQL in this link (sqlz) inflates to more than ${limit / 1024} KiB, the most a link may carry; it was not run`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Throws SqlTooLong past LINK_SQL_MAX_BYTES: such SQL stays in the editor but not in the link. */
export async function encodeSql(sql: string): Promise<{ key: 'sql' | 'sqlz'; value: string }> {
  if (sql.length <= COMPRESS_OVER) return { key: 'sql', value: sql };
  const bytes = new TextEncoder().encode(sql).byteLength;
  if (bytes > LINK_SQL_MAX_BYTES) {
    throw new SqlTooLong(`This SQL (${Math.ceil(bytes / 1024)} KiB) is too long to keep in the link (at most ${LINK_SQL_MAX_BYTES / 1024} KiB): the address bar no longer carries it`);
  }
  const packed = await pipe(new TextEncoder().encode(sql), new CompressionStream('deflate-raw'));
  return { key: 'sqlz', value: toBase64Url(packed) };
}

/** Throws a readable error for a damaged parameter. */
export async function decodeSqlz(value: string, limit: number = LINK_SQL_MAX_BYTES): Promise<string> {
  try {
    const bytes = await inflateAtMost(fromBase64Url(value), limit);
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    if (e instanceof SqlTooLong) throw e;
    throw new Error('the compressed SQL in this link (sqlz) is damaged');
  }
}
