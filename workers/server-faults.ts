// What a lake server did wrong, said so that the person running it knows which header or setting
// to fix. The range cache's requests are the only way lake bytes reach DuckDB, so each answer is
// judged here before DuckDB sees a byte of it.

export interface RangeAnswer {
  status: number;
  header(name: string): string | null;
  bodyBytes: number;
}

/** Listed size and requested range of the read the answer is for. */
export interface RangeAsk {
  path: string;
  size: number;
  start: number;
  end: number;
}

/** Prefix of every message here; errors.ts keys its titles on the rest. */
export const SERVER_FAULT = 'Data server:';

export function rangeFault(a: RangeAnswer, ask: RangeAsk): string | null {
  const { path, size } = ask;
  const encoding = a.header('Content-Encoding');
  if (encoding && !/^identity$/i.test(encoding.trim())) {
    return `${SERVER_FAULT} ${path} came with Content-Encoding: ${encoding}. Parquet is compressed already and byte ranges need the file as stored: serve .parquet without Content-Encoding (nginx: keep its type out of gzip_types; a CDN: turn compression off for .parquet).`;
  }
  if (a.status === 200) {
    return `${SERVER_FAULT} the server ignores the Range header: ${path} came back as 200 with the whole file instead of 206 Partial Content. Enable byte-range requests (Accept-Ranges: bytes; nginx: no max_ranges 0; a proxy or CDN must pass Range through).`;
  }
  if (a.status === 404) {
    return `${SERVER_FAULT} ${path}: HTTP 404, the manifest lists this file but the server does not have it. Restore the file or republish the lake.`;
  }
  const total = totalOf(a.header('Content-Range'));
  if (a.status === 416 || (a.status === 206 && total !== null && total < size)) {
    const has = total === null ? 'fewer bytes' : `${total} bytes`;
    return `${SERVER_FAULT} ${path} is truncated on the server: it has ${has}, the manifest lists ${size}. None of its rows were read; upload the complete file again.`;
  }
  if (a.status === 206 && total !== null && total > size) {
    return `${SERVER_FAULT} ${path} was replaced on the server: it has ${total} bytes, the manifest lists ${size}. None of its rows were read; republish the lake (a new manifest) or restore the file.`;
  }
  if (a.status !== 206) return `${SERVER_FAULT} ${path}: HTTP ${a.status} for a byte-range read (expected 206 Partial Content).`;
  if (a.bodyBytes !== ask.end - ask.start + 1) {
    return `${SERVER_FAULT} ${path} is truncated: asked for bytes ${ask.start}-${ask.end}, got ${a.bodyBytes}. None of its rows were read; upload the complete file again.`;
  }
  return null;
}

function totalOf(contentRange: string | null): number | null {
  const m = /\/(\d+)\s*$/.exec(contentRange ?? '');
  return m ? Number(m[1]) : null;
}

/**
 * A request that failed without any answer. A fetch of the same range may still get one (and
 * show what is wrong with it); otherwise the server is unreachable or the browser hid its answer
 * for lack of CORS, which a no-cors probe tells apart (it succeeds on any answer).
 */
export async function unreachableFault(url: string, path: string, size: number, probe: typeof fetch = fetch): Promise<string> {
  const origin = new URL(url).origin;
  try {
    const r = await probe(url, { headers: { Range: 'bytes=0-0' }, cache: 'no-store' });
    const body = await r.arrayBuffer();
    const fault = rangeFault({ status: r.status, header: (n) => r.headers.get(n), bodyBytes: body.byteLength }, { path, size, start: 0, end: 0 });
    if (fault) return fault;
  } catch {
    // No answer this way either. Chromium fails a range answer in an encoding the request did
    // not offer (a ranged request offers none) as a network error; a plain HEAD shows the header.
  }
  try {
    const head = await probe(url, { method: 'HEAD', cache: 'no-store' });
    const encoding = head.headers.get('Content-Encoding');
    if (encoding && !/^identity$/i.test(encoding)) return rangeFault({ status: 200, header: (n) => head.headers.get(n), bodyBytes: 0 }, { path, size, start: 0, end: 0 })!;
  } catch {
    // Not even a HEAD: see whether the server answers at all.
  }
  try {
    await probe(url, { method: 'HEAD', mode: 'no-cors', cache: 'no-store' });
  } catch {
    return `${SERVER_FAULT} ${origin} could not be reached for ${path}. Check that the server is up and the data URL is right.`;
  }
  return `${SERVER_FAULT} ${origin} answered without CORS headers for ${path}, so the browser hid the answer. It must send Access-Control-Allow-Origin for this app (and Access-Control-Expose-Headers: Content-Range, Content-Length).`;
}
