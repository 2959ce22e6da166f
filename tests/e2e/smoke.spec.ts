// Server-only checks (no app logic): proves the production nginx.conf serves what DuckDB-WASM and
// the SPA need. Runs against the real nginx started by globalSetup.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect, lakeFixtures, dataRoot } from './harness/fixtures.ts';
import { currentOffset, readAccessLog } from './harness/access-log.ts';

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': /GET, HEAD, OPTIONS/,
  'access-control-allow-headers': /Range.*If-None-Match/,
  'access-control-expose-headers': /Content-Range.*Content-Length.*Accept-Ranges.*ETag/,
};
function expectCors(headers: Record<string, string>): void {
  for (const [k, v] of Object.entries(CORS)) {
    if (typeof v === 'string') expect(headers[k], k).toBe(v);
    else expect(headers[k], k).toMatch(v);
  }
}

function siteIndex(): string {
  return readFileSync(join(process.env.QUANTIV_SITE_ROOT!, 'index.html'), 'utf8');
}

/** Some .parquet listed by the served lake's manifest, with its size on disk. */
function aParquet(): { path: string; size: number } {
  const m = JSON.parse(readFileSync(join(dataRoot(), 'manifest.json'), 'utf8')) as { files: { path: string }[] };
  const f = m.files.find((x) => x.path.endsWith('.parquet'));
  if (!f) throw new Error('manifest lists no parquet');
  return { path: f.path, size: readFileSync(join(dataRoot(), f.path)).length };
}

test('index.html is served with CSP, nosniff and no-cache', async ({ request }) => {
  const res = await request.get('/');
  expect(res.status()).toBe(200);
  const h = res.headers();
  expect(h['content-type']).toMatch(/^text\/html/);
  expect(h['cache-control']).toBe('no-cache');
  expect(h['x-content-type-options']).toBe('nosniff');
  const csp = h['content-security-policy'] ?? '';
  for (const d of [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self' blob:",
    "connect-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
  ]) expect(csp).toContain(d);
  expect(await res.text()).toBe(siteIndex());
});

test('manifest.json is no-cache with an ETag that revalidates to 304', async ({ request }) => {
  const res = await request.get('/data/manifest.json');
  expect(res.status()).toBe(200);
  const h = res.headers();
  expect(h['cache-control']).toBe('no-cache');
  expect(h['etag']).toBeTruthy();
  expectCors(h);
  JSON.parse(await res.text());
  const again = await request.get('/data/manifest.json', { headers: { 'If-None-Match': h['etag']! } });
  expect(again.status()).toBe(304);
});

test('a Range on a .parquet answers 206, uncompressed, immutable, and is logged', async ({ request }) => {
  const { path, size } = aParquet();
  const since = currentOffset();
  const res = await request.get(`/data/${path}`, { headers: { Range: 'bytes=0-99', 'Accept-Encoding': 'gzip, br' } });
  expect(res.status()).toBe(206);
  const h = res.headers();
  expect(h['content-range']).toBe(`bytes 0-99/${size}`);
  expect(h['content-encoding']).toBeUndefined();
  expect(h['content-length']).toBe('100');
  expect(h['cache-control']).toBe('public, max-age=31536000, immutable');
  expect(h['etag']).toBeTruthy();
  expectCors(h);
  expect((await res.body()).length).toBe(100);

  // DuckDB reads the footer with a suffix range first.
  const tail = await request.get(`/data/${path}`, { headers: { Range: 'bytes=-8' } });
  expect(tail.status()).toBe(206);
  expect(tail.headers()['content-range']).toBe(`bytes ${size - 8}-${size - 1}/${size}`);

  const log = readAccessLog(since).filter((e) => e.uri === `/data/${path}`);
  expect(log.map((e) => [e.status, e.range, e.bytes])).toEqual([
    [206, 'bytes=0-99', 100],
    [206, 'bytes=-8', 8],
  ]);
});

test('wasm is served as application/wasm', async ({ request }) => {
  const assets = join(process.env.QUANTIV_SITE_ROOT!, 'assets');
  const wasm = existsSync(assets) ? readdirSync(assets).find((f) => f.endsWith('.wasm')) : undefined;
  test.skip(!wasm, 'no dist/assets/*.wasm in this build');
  const res = await request.get(`/assets/${wasm}`);
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toBe('application/wasm');
  expect(res.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
});

test('CORS preflight on /data/ answers 204 with the CORS headers', async ({ request }) => {
  const res = await request.fetch('/data/manifest.json', {
    method: 'OPTIONS',
    headers: {
      Origin: 'https://app.example.test',
      'Access-Control-Request-Method': 'GET',
      'Access-Control-Request-Headers': 'range',
    },
  });
  expect(res.status()).toBe(204);
  expectCors(res.headers());
  expect(res.headers()['timing-allow-origin']).toBe('*');
});

test('missing lake files are real 404s that keep CORS, never index.html', async ({ request }) => {
  const { missing } = lakeFixtures();
  for (const url of [
    '/data/options/year=1999/month=01/options_1999_01.parquet',
    '/data/no-such-lake/manifest.json',
    `${missing.lake}${missing.file}`,
  ]) {
    const res = await request.get(url);
    expect(res.status(), url).toBe(404);
    expectCors(res.headers());
    expect(await res.text()).not.toBe(siteIndex());
  }
  // The broken lake itself still has its manifest.
  expect((await request.get(`${missing.lake}manifest.json`)).status()).toBe(200);
});

test('the truncated fixture serves a short copy of the real file', async ({ request }) => {
  const { truncated } = lakeFixtures();
  const real = readFileSync(join(dataRoot(), truncated.file)).length;
  const res = await request.head(`${truncated.lake}${truncated.file}`);
  expect(res.status()).toBe(200);
  expect(Number(res.headers()['content-length'])).toBe(Math.floor(real / 2));
});

test('unknown SPA routes get index.html; missing assets are 404', async ({ request }) => {
  const res = await request.get('/symbol/SPY/surface');
  expect(res.status()).toBe(200);
  expect(res.headers()['content-security-policy']).toContain("'wasm-unsafe-eval'");
  expect(res.headers()['cache-control']).toBe('no-cache');
  expect(await res.text()).toBe(siteIndex());
  expect((await request.get('/assets/does-not-exist-0123.js')).status()).toBe(404);
});
