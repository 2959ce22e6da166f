// `quantiv check`: probes a deployment the way DuckDB-WASM in the browser will use it (manifest by
// fetch, every Parquet file by byte ranges, from the app's origin) and says what to fix.
import { parseManifest, type Manifest, type ManifestFile } from '../../lake/manifest.ts';
import { BROWSER_ACCEPT_ENCODING, fetchRaw, header, maxAge, tokens, type HttpAnswer } from './http.ts';

export type Level = 'PASS' | 'WARN' | 'FAIL';

export interface CheckResult {
  id: string;
  level: Level;
  message: string;
  /** A concrete change that makes the check pass; absent on PASS. */
  fix?: string;
  /** Per-file or per-header evidence (capped). */
  details?: string[];
}

export interface CheckOptions {
  /** The manifest URL, or the lake's base URL (manifest.json is appended). */
  url: string;
  /** The app's URL (index.html); enables the page, wasm and CSP checks. */
  app?: string | undefined;
  /** The manifest's createdAt may be at most this old. */
  maxAgeMs: number;
  /** The Origin the browser sends; default the app's origin, else a foreign one. */
  origin?: string | undefined;
  concurrency?: number;
  timeoutMs?: number;
  now?: Date;
}

export interface CheckReport {
  ok: boolean;
  manifestUrl: string;
  origin: string;
  checkedAt: string;
  checks: CheckResult[];
}

const FOREIGN_ORIGIN = 'https://quantiv-check.invalid';
const MAX_DETAILS = 8;
const PARQUET_MAGIC = 'PAR1';

export function manifestUrlOf(url: string): string {
  const u = new URL(url);
  if (u.pathname.endsWith('.json')) return u.href;
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return new URL('manifest.json', u).href;
}

export function formatAge(ms: number): string {
  const h = ms / 3_600_000;
  if (Math.abs(h) < 1) return `${Math.round(ms / 60_000)}m`;
  if (Math.abs(h) < 72) return `${h.toFixed(1)}h`;
  return `${(h / 24).toFixed(1)}d`;
}

/** '36h', '90m', '2d', '45s' -> milliseconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(s.trim());
  if (!m) throw new Error(`not a duration: '${s}' (use e.g. 90m, 36h, 2d)`);
  return Number(m[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

function capped(lines: string[]): string[] {
  return lines.length > MAX_DETAILS ? [...lines.slice(0, MAX_DETAILS), `… and ${lines.length - MAX_DETAILS} more`] : lines;
}

async function pool<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }));
  return out;
}

interface FileProbe {
  file: ManifestFile;
  url: string;
  answer?: HttpAnswer;
  error?: string;
}

export async function runChecks(opts: CheckOptions): Promise<CheckReport> {
  const now = opts.now ?? new Date();
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const manifestUrl = manifestUrlOf(opts.url);
  const dataOrigin = new URL(manifestUrl).origin;
  const appOrigin = opts.app ? new URL(opts.app).origin : null;
  const origin = opts.origin ?? appOrigin ?? FOREIGN_ORIGIN;
  const crossOrigin = origin !== dataOrigin;
  const checks: CheckResult[] = [];
  const add = (c: CheckResult) => checks.push(c);
  const report = (): CheckReport => ({
    ok: !checks.some((c) => c.level === 'FAIL'), manifestUrl, origin, checkedAt: now.toISOString(), checks,
  });
  const browserHeaders = { origin, 'accept-encoding': BROWSER_ACCEPT_ENCODING };

  // 1. The manifest: the browser learns every file from it.
  let mAnswer: HttpAnswer;
  try {
    mAnswer = await fetchRaw(manifestUrl, { headers: { origin }, timeoutMs });
  } catch (e) {
    add({ id: 'manifest', level: 'FAIL', message: `${manifestUrl} unreachable: ${(e as Error).message}`,
      fix: 'Check the URL, DNS and TLS, and that the server or bucket is up; the URL is the lake base or its manifest.json.' });
    return report();
  }
  if (mAnswer.status !== 200) {
    add({ id: 'manifest', level: 'FAIL', message: `${manifestUrl} answered ${mAnswer.status}, not 200`,
      fix: mAnswer.status === 404
        ? 'Publish manifest.json at the lake root (quantiv writes it last, atomically), or pass the right URL.'
        : mAnswer.status === 403 ? 'Make the lake publicly readable (bucket policy / CDN origin access) for GET and HEAD.'
          : 'Fix the server error, then re-run.' });
    return report();
  }
  if (header(mAnswer, 'content-encoding')) {
    // node:http does not decompress; a compressed manifest is fine for browsers, decode for parsing.
    const { gunzipSync, brotliDecompressSync, inflateSync } = await import('node:zlib');
    const enc = header(mAnswer, 'content-encoding').toLowerCase();
    try {
      mAnswer = { ...mAnswer, body: enc === 'gzip' ? gunzipSync(mAnswer.body) : enc === 'br' ? brotliDecompressSync(mAnswer.body) : enc === 'deflate' ? inflateSync(mAnswer.body) : mAnswer.body };
    } catch { /* parse below reports it */ }
  }
  let manifest: Manifest;
  try {
    manifest = parseManifest(JSON.parse(mAnswer.body.toString('utf8')) as unknown);
  } catch (e) {
    add({ id: 'manifest', level: 'FAIL', message: `${manifestUrl} is not a valid Quantiv manifest: ${(e as Error).message}`,
      fix: 'Republish the lake with quantiv (it writes a valid manifest.json); a proxy must not rewrite the JSON.' });
    return report();
  }
  add({ id: 'manifest', level: 'PASS', message: `${manifestUrl}: ${manifest.files.length} files, dataset ${manifest.datasetVersion.slice(0, 12)}` });

  // 2. Manifest caching: replaced in place, so it must revalidate.
  {
    const cc = header(mAnswer, 'cache-control');
    const age = maxAge(cc);
    const validator = header(mAnswer, 'etag') || header(mAnswer, 'last-modified');
    const fixCc = 'Serve manifest.json with "Cache-Control: no-cache" (nginx: the default branch of $quantiv_cache_control; S3/GCS: set Cache-Control metadata on upload) and keep ETag on.';
    if (/immutable/i.test(cc) || (age !== null && age > 3600)) {
      add({ id: 'manifest-cache', level: 'FAIL', message: `manifest.json is cached for long ("${cc}"): new datasets would not reach returning users`, fix: fixCc });
    } else if (!cc || (age !== null && age > 300)) {
      add({ id: 'manifest-cache', level: 'WARN', message: cc ? `manifest.json max-age ${age}s delays new data` : 'manifest.json has no Cache-Control: browsers cache it heuristically', fix: fixCc });
    } else if (!validator) {
      add({ id: 'manifest-cache', level: 'WARN', message: `manifest.json "${cc}" but no ETag or Last-Modified: every revalidation downloads it whole`, fix: 'Enable ETag (nginx: etag on).' });
    } else {
      add({ id: 'manifest-cache', level: 'PASS', message: `manifest.json "${cc}", revalidates by ${header(mAnswer, 'etag') ? 'ETag' : 'Last-Modified'}` });
    }
  }

  // 3. Freshness: the publish job may have stopped.
  {
    const created = Date.parse(manifest.createdAt);
    const newest = manifest.files.filter((f) => f.table === 'options' && f.maxDate).map((f) => f.maxDate!).sort().at(-1);
    const newestNote = newest ? `; newest option date ${newest}` : '';
    if (Number.isNaN(created)) {
      add({ id: 'freshness', level: 'FAIL', message: `manifest createdAt "${manifest.createdAt}" is not a timestamp`, fix: 'Republish with quantiv, which writes an ISO createdAt.' });
    } else {
      const age = now.getTime() - created;
      if (age > opts.maxAgeMs) {
        add({ id: 'freshness', level: 'FAIL', message: `data published ${formatAge(age)} ago (${manifest.createdAt}), limit ${formatAge(opts.maxAgeMs)}${newestNote}`,
          fix: 'The publish job has not run: check the ingest/compact/publish schedule and its logs, then republish; or raise --max-age if this cadence is intended.' });
      } else if (age < -5 * 60_000) {
        add({ id: 'freshness', level: 'WARN', message: `manifest createdAt ${manifest.createdAt} is ${formatAge(-age)} in the future`, fix: "Fix the publishing machine's clock (NTP)." });
      } else {
        add({ id: 'freshness', level: 'PASS', message: `published ${formatAge(Math.max(0, age))} ago, limit ${formatAge(opts.maxAgeMs)}${newestNote}` });
      }
    }
  }

  // 4. Every file by a range request, as DuckDB reads it (the 4-byte Parquet magic).
  const probes: FileProbe[] = await pool(manifest.files, opts.concurrency ?? 8, async (file) => {
    const url = new URL(file.path, manifestUrl).href;
    try {
      return { file, url, answer: await fetchRaw(url, { headers: { ...browserHeaders, range: 'bytes=0-3' }, timeoutMs, maxBody: 64 * 1024 }) };
    } catch (e) {
      return { file, url, error: (e as Error).message };
    }
  });
  const answered = probes.filter((p): p is FileProbe & { answer: HttpAnswer } => p.answer !== undefined && p.answer.status < 400);
  {
    const missing = probes.filter((p) => !p.answer || p.answer.status >= 400);
    if (missing.length) {
      const notFound = missing.some((p) => p.answer?.status === 404);
      add({ id: 'files', level: 'FAIL', message: `${missing.length} of ${probes.length} files listed in the manifest cannot be read`,
        details: capped(missing.map((p) => `${p.file.path}: ${p.error ?? `HTTP ${p.answer!.status}`}`)),
        fix: notFound
          ? 'Upload the missing files (publish order: data files first, manifest.json last), or republish the manifest without them; purge the CDN if it cached the 404.'
          : 'Make every lake file readable with GET (bucket policy / CDN origin access), then re-run.' });
    } else {
      add({ id: 'files', level: 'PASS', message: `all ${probes.length} files reachable` });
    }
  }
  {
    const encoded = answered.filter((p) => header(p.answer, 'content-encoding') && header(p.answer, 'content-encoding') !== 'identity');
    if (encoded.length) {
      add({ id: 'parquet-encoding', level: 'FAIL', message: `${encoded.length} Parquet files are sent compressed (Content-Encoding: ${header(encoded[0]!.answer, 'content-encoding')}): byte ranges break`,
        details: capped(encoded.map((p) => p.file.path)),
        fix: 'Never compress .parquet over HTTP (byte ranges must address the file itself): nginx: keep application/vnd.apache.parquet and application/octet-stream out of gzip_types/brotli_types; S3/GCS: upload without Content-Encoding metadata; CDN: exclude *.parquet from compression.' });
    } else if (answered.length) {
      add({ id: 'parquet-encoding', level: 'PASS', message: 'no Content-Encoding on Parquet' });
    }
  }
  {
    const bad: string[] = [];
    let ignored = 0;
    for (const p of answered) {
      const a = p.answer;
      if (a.status !== 206) {
        ignored++;
        bad.push(`${p.file.path}: Range bytes=0-3 answered ${a.status}${header(a, 'content-encoding') ? ` (Content-Encoding ${header(a, 'content-encoding')})` : ''}, not 206`);
        continue;
      }
      const cr = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header(a, 'content-range'));
      if (!cr) { bad.push(`${p.file.path}: 206 without a valid Content-Range ("${header(a, 'content-range')}")`); continue; }
      if (cr[3] !== String(p.file.bytes)) { bad.push(`${p.file.path}: server size ${cr[3]} bytes, manifest says ${p.file.bytes}`); continue; }
      if (a.body.length !== 4 || a.body.toString('latin1') !== PARQUET_MAGIC) bad.push(`${p.file.path}: first 4 bytes are not ${PARQUET_MAGIC} (${a.body.length} bytes received)`);
    }
    // DuckDB also learns the size with HEAD and reads the footer with a suffix range.
    const first = answered.find((p) => p.answer.status === 206);
    if (first) {
      try {
        const head = await fetchRaw(first.url, { method: 'HEAD', headers: browserHeaders, timeoutMs });
        if (header(head, 'content-length') !== String(first.file.bytes)) bad.push(`${first.file.path}: HEAD Content-Length "${header(head, 'content-length')}", manifest says ${first.file.bytes}`);
        if (!tokens(head, 'accept-ranges').includes('bytes')) bad.push(`${first.file.path}: HEAD has no "Accept-Ranges: bytes"`);
        const tail = await fetchRaw(first.url, { headers: { ...browserHeaders, range: 'bytes=-8' }, timeoutMs });
        if (tail.status !== 206 || tail.body.subarray(4).toString('latin1') !== PARQUET_MAGIC) bad.push(`${first.file.path}: suffix range bytes=-8 answered ${tail.status} without the footer magic`);
      } catch (e) {
        bad.push(`${first.file.path}: ${(e as Error).message}`);
      }
    }
    if (bad.length) {
      add({ id: 'ranges', level: 'FAIL', message: ignored ? `${ignored} of ${answered.length} files ignore byte ranges: DuckDB-WASM would download whole files or fail` : `range answers do not match the manifest`,
        details: capped(bad),
        fix: ignored
          ? 'Answer Range with 206 + Content-Range: turn off compression for .parquet (a compressed body cannot be ranged) and any proxy option that strips Range; the CDN must forward Range to the origin.'
          : 'Files changed in place or were cut short: never overwrite a published file; upload under a new name, republish manifest.json, purge the CDN.' });
    } else if (answered.length) {
      add({ id: 'ranges', level: 'PASS', message: `all ${answered.length} files answer Range with 206, sizes match the manifest; HEAD and suffix ranges work` });
    }
  }
  {
    const types = new Map<string, number>();
    for (const p of answered) types.set(header(p.answer, 'content-type') || '(none)', (types.get(header(p.answer, 'content-type') || '(none)') ?? 0) + 1);
    const risky = [...types.keys()].filter((t) => /^text\/|json|xml/i.test(t));
    if (risky.length) {
      add({ id: 'parquet-type', level: 'WARN', message: `Parquet served as ${risky.join(', ')}: CDNs compress such types`,
        fix: 'Serve .parquet as application/vnd.apache.parquet (or application/octet-stream): nginx types {}, S3 --content-type on upload.' });
    } else if (answered.length) {
      add({ id: 'parquet-type', level: 'PASS', message: `Parquet Content-Type ${[...types.keys()].join(', ')}` });
    }
  }
  {
    const notImmutable = answered.filter((p) => {
      const cc = header(p.answer, 'cache-control');
      return !/immutable/i.test(cc) && (maxAge(cc) ?? 0) < 86_400;
    });
    if (notImmutable.length) {
      add({ id: 'parquet-cache', level: 'WARN', message: `${notImmutable.length} Parquet files are not cached long ("${header(notImmutable[0]!.answer, 'cache-control') || 'no Cache-Control'}"): every visit re-reads them`,
        details: capped(notImmutable.map((p) => p.file.path)),
        fix: 'Published files never change: send "Cache-Control: public, max-age=31536000, immutable" for *.parquet (set on upload for buckets).' });
    } else if (answered.length) {
      add({ id: 'parquet-cache', level: 'PASS', message: `Parquet "${header(answered[0]!.answer, 'cache-control')}"` });
    }
  }

  // 5. CORS, when the app runs on another origin than the data.
  {
    const sample = answered.find((p) => p.answer.status === 206) ?? answered[0];
    const problems: string[] = [];
    const allows = (a: HttpAnswer) => {
      const v = header(a, 'access-control-allow-origin');
      return v === '*' || v === origin;
    };
    if (!allows(mAnswer)) problems.push(`manifest.json: no Access-Control-Allow-Origin for ${origin} (got "${header(mAnswer, 'access-control-allow-origin')}")`);
    if (sample) {
      if (!allows(sample.answer)) problems.push(`${sample.file.path}: no Access-Control-Allow-Origin for ${origin}`);
      const exposed = tokens(sample.answer, 'access-control-expose-headers');
      for (const h of ['content-range', 'content-length']) {
        if (!exposed.includes(h) && !exposed.includes('*')) problems.push(`${sample.file.path}: Access-Control-Expose-Headers lacks ${h} (has "${exposed.join(', ')}")`);
      }
      try {
        const pre = await fetchRaw(sample.url, { method: 'OPTIONS', timeoutMs, headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'range' } });
        const allowed = tokens(pre, 'access-control-allow-headers');
        if (pre.status < 200 || pre.status >= 300) problems.push(`preflight OPTIONS answered ${pre.status}, not 2xx`);
        else if (!allows(pre)) problems.push('preflight OPTIONS has no Access-Control-Allow-Origin');
        else if (!allowed.includes('range') && !allowed.includes('*')) problems.push(`preflight does not allow the Range header (Access-Control-Allow-Headers "${allowed.join(', ')}")`);
      } catch (e) {
        problems.push(`preflight OPTIONS failed: ${(e as Error).message}`);
      }
    }
    const fix = 'Send on every lake response (errors too): Access-Control-Allow-Origin (the app origin or *), Access-Control-Allow-Methods "GET, HEAD, OPTIONS", Access-Control-Allow-Headers "Range, If-None-Match", Access-Control-Expose-Headers "Content-Range, Content-Length, Accept-Ranges, ETag"; answer OPTIONS with 204. nginx: the add_header ... always lines in location /data/; buckets: the CORS rules in docs/deploy.md.';
    if (problems.length && crossOrigin) {
      add({ id: 'cors', level: 'FAIL', message: `CORS for origin ${origin} is incomplete: the browser would block the lake`, details: capped(problems), fix });
    } else if (problems.length) {
      add({ id: 'cors', level: 'WARN', message: `CORS incomplete, but the app is on the data's origin (${origin}) so it is not needed yet`, details: capped(problems), fix });
    } else {
      add({ id: 'cors', level: 'PASS', message: `CORS allows ${origin}: GET with Range (preflight 2xx), Content-Range and Content-Length exposed` });
    }
  }

  if (opts.app) await appChecks(opts.app, dataOrigin, timeoutMs, add);
  return report();
}

/** Reads a CSP directive's sources, falling back to default-src as browsers do. */
export function cspSources(csp: string, directive: string): string[] | null {
  const parts = csp.split(';').map((p) => p.trim().split(/\s+/)).filter((p) => p[0]);
  const find = (d: string) => parts.find((p) => p[0]!.toLowerCase() === d)?.slice(1) ?? null;
  return find(directive) ?? find('default-src');
}

async function appChecks(appUrl: string, dataOrigin: string, timeoutMs: number, add: (c: CheckResult) => void): Promise<void> {
  const appOrigin = new URL(appUrl).origin;
  let page: HttpAnswer;
  try {
    page = await fetchRaw(appUrl, { timeoutMs });
  } catch (e) {
    add({ id: 'app', level: 'FAIL', message: `${appUrl} unreachable: ${(e as Error).message}`, fix: 'Check the app URL and that the site is deployed.' });
    return;
  }
  const type = header(page, 'content-type');
  const html = page.body.toString('utf8');
  if (page.status !== 200 || !/text\/html/i.test(type) || !/<script[^>]+type="module"/i.test(html)) {
    add({ id: 'app', level: 'FAIL', message: `${appUrl} answered ${page.status} ${type || '(no type)'}${page.status === 200 ? ' without the app\'s module script' : ''}`,
      fix: 'Deploy the built dist/ (index.html at the app URL) and serve index.html as text/html.' });
    return;
  }
  const pageCc = header(page, 'cache-control');
  if (/immutable/i.test(pageCc) || (maxAge(pageCc) ?? 0) > 300) {
    add({ id: 'app', level: 'WARN', message: `index.html is cached for long ("${pageCc}"): users keep an old build`, fix: 'Serve index.html with "Cache-Control: no-cache"; only /assets/ (hashed names) are immutable.' });
  } else {
    add({ id: 'app', level: 'PASS', message: `${appUrl} serves index.html (${pageCc || 'no Cache-Control'})` });
  }

  // CSP: DuckDB-WASM needs to compile wasm and to connect to the data origin.
  const csp = header(page, 'content-security-policy');
  if (!csp) {
    add({ id: 'app-csp', level: 'WARN', message: 'no Content-Security-Policy on index.html',
      fix: `Add one: default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; connect-src 'self'${dataOrigin !== appOrigin ? ` ${dataOrigin}` : ''}` });
  } else {
    const problems: string[] = [];
    const script = cspSources(csp, 'script-src');
    if (script && !script.some((s) => ["'wasm-unsafe-eval'", "'unsafe-eval'"].includes(s))) problems.push(`script-src lacks 'wasm-unsafe-eval': WebAssembly cannot compile`);
    const connect = cspSources(csp, 'connect-src');
    if (connect) {
      const ok = connect.includes('*') || connect.includes(dataOrigin) || connect.includes(`${new URL(dataOrigin).protocol}`)
        || (dataOrigin === appOrigin && connect.includes("'self'"));
      if (!ok) problems.push(`connect-src (${connect.join(' ')}) does not allow the data origin ${dataOrigin}`);
    }
    if (problems.length) {
      add({ id: 'app-csp', level: 'FAIL', message: 'the CSP blocks DuckDB-WASM', details: problems,
        fix: `script-src must include 'wasm-unsafe-eval'; connect-src must list ${dataOrigin === appOrigin ? "'self'" : dataOrigin} (nginx: set $quantiv_data_origin).` });
    } else {
      add({ id: 'app-csp', level: 'PASS', message: `CSP allows wasm compilation and connections to ${dataOrigin === appOrigin ? "'self'" : dataOrigin}` });
    }
  }

  // The wasm: entry scripts -> worker chunk -> hashed duckdb-*.wasm names.
  const scripts = [...html.matchAll(/<script[^>]+src="([^"]+)"/gi), ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/gi)].map((m) => new URL(m[1]!, appUrl).href);
  const seen = new Set<string>();
  const wasm = new Set<string>();
  const queue = [...scripts];
  while (queue.length && seen.size < 12) {
    const js = queue.shift()!;
    if (seen.has(js)) continue;
    seen.add(js);
    let text: string;
    try {
      const a = await fetchRaw(js, { timeoutMs, maxBody: 32 * 1024 * 1024 });
      if (a.status !== 200) continue;
      text = a.body.toString('utf8');
    } catch { continue; }
    for (const m of text.matchAll(/["'`/]([\w.-]+-[\w-]{6,}\.wasm)["'`]/g)) wasm.add(new URL(m[1]!, js).href);
    for (const m of text.matchAll(/["'`/]([\w.-]*worker[\w.-]*-[\w-]{6,}\.js)["'`]/g)) queue.push(new URL(m[1]!, js).href);
  }
  if (!wasm.size) {
    add({ id: 'app-wasm', level: 'WARN', message: `no duckdb *.wasm referenced from the app's scripts (${seen.size} read)`, fix: 'Check that the deployed site is the built dist/ of this version.' });
    return;
  }
  const problems: string[] = [];
  const notes: string[] = [];
  for (const url of wasm) {
    try {
      const a = await fetchRaw(url, { method: 'HEAD', headers: { 'accept-encoding': BROWSER_ACCEPT_ENCODING }, timeoutMs });
      const name = new URL(url).pathname.split('/').pop();
      if (a.status !== 200) problems.push(`${name}: HTTP ${a.status}`);
      else if (!/^application\/wasm\b/i.test(header(a, 'content-type'))) problems.push(`${name}: Content-Type "${header(a, 'content-type')}", not application/wasm`);
      else notes.push(`${name}: application/wasm${header(a, 'content-encoding') ? `, ${header(a, 'content-encoding')}` : ', uncompressed'}, ${header(a, 'cache-control') || 'no Cache-Control'}`);
    } catch (e) {
      problems.push(`${url}: ${(e as Error).message}`);
    }
  }
  if (problems.length) {
    add({ id: 'app-wasm', level: 'FAIL', message: 'DuckDB wasm is not served right: WebAssembly.instantiateStreaming rejects it', details: [...problems, ...notes],
      fix: 'Serve *.wasm as application/wasm (nginx: types { application/wasm wasm; }; S3/GCS: --content-type application/wasm on upload).' });
  } else {
    add({ id: 'app-wasm', level: 'PASS', message: `${wasm.size} wasm files served as application/wasm`, details: notes });
  }
}

export function formatReport(r: CheckReport): string {
  const lines = [`quantiv check ${r.manifestUrl} (as origin ${r.origin})`];
  for (const c of r.checks) {
    lines.push(`${c.level.padEnd(4)}  ${c.id.padEnd(16)} ${c.message}`);
    for (const d of c.details ?? []) lines.push(`${' '.repeat(24)}- ${d}`);
    if (c.fix && c.level !== 'PASS') lines.push(`${' '.repeat(24)}fix: ${c.fix}`);
  }
  const n = (l: Level) => r.checks.filter((c) => c.level === l).length;
  lines.push(`${r.ok ? 'OK' : 'FAILED'}: ${n('PASS')} pass, ${n('WARN')} warn, ${n('FAIL')} fail`);
  return lines.join('\n');
}
