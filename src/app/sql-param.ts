// SQL in links: plain and readable while short; past a threshold, deflate-raw + base64url in
// `sqlz`, so long queries still fit a URL.

export const COMPRESS_OVER = 300;

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

export async function encodeSql(sql: string): Promise<{ key: 'sql' | 'sqlz'; value: string }> {
  if (sql.length <= COMPRESS_OVER) return { key: 'sql', value: sql };
  const packed = await pipe(new TextEncoder().encode(sql), new CompressionStream('deflate-raw'));
  return { key: 'sqlz', value: toBase64Url(packed) };
}

/** Throws a readable error for a damaged parameter. */
export async function decodeSqlz(value: string): Promise<string> {
  try {
    const bytes = await pipe(fromBase64Url(value), new DecompressionStream('deflate-raw'));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error('the compressed SQL in this link (sqlz) is damaged');
  }
}
