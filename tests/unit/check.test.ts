// `quantiv check` against the real nginx: the production nginx.conf passes; variants of it that
// break what DuckDB-WASM needs (gzip on Parquet, no CORS, a missing file, a wrong wasm type and a
// CSP without 'wasm-unsafe-eval') fail with the right messages and exit code 1.
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cspSources, manifestUrlOf, parseDuration, type CheckReport } from '../../src/node/check/checks.ts';
import { NGINX_CONF, startNginx, type NginxServer } from '../../src/node/nginx.ts';
import { smallLake } from '../support/small-lake.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const template = readFileSync(NGINX_CONF, 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'quantiv-check-test-'));
const servers: NginxServer[] = [];
let lake = '';
let site = '';

/** A minimal built site: index.html -> entry chunk -> worker chunk -> hashed wasm, like vite's. */
function fakeSite(dir: string): string {
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html><head><script type="module" crossorigin src="./assets/index-Ab12Cd34.js"></script></head><body><div id="app"></div></body></html>');
  writeFileSync(join(dir, 'assets', 'index-Ab12Cd34.js'), 'new Worker(new URL("/assets/duckdb.worker-Ef56Gh78.js", import.meta.url));');
  writeFileSync(join(dir, 'assets', 'duckdb.worker-Ef56Gh78.js'), 'const eh = new URL("duckdb-eh-Ij90Kl12.wasm", import.meta.url).href;');
  // Magic + version: a valid empty wasm module, padded past gzip_min_length.
  writeFileSync(join(dir, 'assets', 'duckdb-eh-Ij90Kl12.wasm'), Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), Buffer.alloc(4096)]));
  return dir;
}

interface CliResult { code: number; stdout: string; stderr: string }

function cli(args: string[]): Promise<CliResult> {
  return new Promise((ok) => {
    execFile(process.execPath, [join(ROOT, 'bin/quantiv.mjs'), 'check', ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      ok({ code, stdout, stderr });
    });
  });
}

async function checkJson(args: string[]): Promise<{ code: number; report: CheckReport }> {
  const r = await cli([...args, '--json']);
  return { code: r.code, report: JSON.parse(r.stdout) as CheckReport };
}

const level = (r: CheckReport, id: string) => r.checks.find((c) => c.id === id)?.level;

async function serve(conf: string, dataRoot = lake): Promise<NginxServer> {
  const s = await startNginx({ siteRoot: site, dataRoot, template: conf });
  servers.push(s);
  return s;
}

beforeAll(() => {
  lake = smallLake();
  site = fakeSite(join(tmp, 'site'));
});
afterAll(async () => {
  for (const s of servers) await s.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('helpers', () => {
  it('parses durations, manifest URLs and CSP directives', () => {
    expect(parseDuration('36h')).toBe(36 * 3_600_000);
    expect(parseDuration('90m')).toBe(90 * 60_000);
    expect(() => parseDuration('soon')).toThrow(/not a duration/);
    expect(manifestUrlOf('https://cdn.example/lake')).toBe('https://cdn.example/lake/manifest.json');
    expect(manifestUrlOf('https://cdn.example/lake/')).toBe('https://cdn.example/lake/manifest.json');
    expect(manifestUrlOf('https://cdn.example/lake/manifests/v1.json')).toBe('https://cdn.example/lake/manifests/v1.json');
    expect(cspSources("default-src 'self'; connect-src 'self' https://d.example", 'connect-src')).toEqual(["'self'", 'https://d.example']);
    expect(cspSources("default-src 'self'", 'script-src')).toEqual(["'self'"]);
  });
});

describe('quantiv check against the real nginx', () => {
  it('passes on the production nginx.conf (site and lake, same origin and a foreign origin)', async () => {
    const s = await serve(template);
    const r = await cli([`${s.url}/data/`, '--app', `${s.url}/`, '--max-age', '3650d']);
    expect(r.stdout).not.toMatch(/^FAIL/m);
    expect(r.code).toBe(0);
    for (const id of ['manifest', 'manifest-cache', 'freshness', 'files', 'parquet-encoding', 'ranges', 'parquet-cache', 'cors', 'app', 'app-csp', 'app-wasm']) {
      expect(r.stdout).toMatch(new RegExp(`^PASS\\s+${id}\\s`, 'm'));
    }
    // A data origin other than the app's: CORS must hold for it too.
    const foreign = await checkJson([`${s.url}/data/manifest.json`, '--origin', 'https://app.example', '--max-age', '3650d']);
    expect(foreign.code).toBe(0);
    expect(level(foreign.report, 'cors')).toBe('PASS');
    expect(foreign.report.origin).toBe('https://app.example');
  });

  it('fails stale data against --max-age', async () => {
    const s = await serve(template);
    const r = await cli([`${s.url}/data/`, '--max-age', '1s']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL\s+freshness\s+data published .* ago .* limit/m);
    expect(r.stdout).toContain('fix: The publish job has not run');
  });

  it('fails when Parquet is gzipped (nginx then ignores ranges)', async () => {
    // What a well-meant "compress everything" edit does: the parquet type joins gzip_types.
    const gz = template.replace(/^(\s*)gzip_types ([^;]*);/m, '$1gzip_types $2 application/vnd.apache.parquet;\n$1gzip_proxied any;');
    expect(gz).toMatch(/application\/vnd\.apache\.parquet;\n\s*gzip_proxied any;/);
    const s = await serve(gz);
    const { code, report } = await checkJson([`${s.url}/data/`, '--max-age', '3650d']);
    expect(code).toBe(1);
    const enc = report.checks.find((c) => c.id === 'parquet-encoding')!;
    expect(enc.level).toBe('FAIL');
    expect(enc.message).toContain('Content-Encoding: gzip');
    expect(enc.fix).toContain('gzip_types');
    const ranges = report.checks.find((c) => c.id === 'ranges')!;
    expect(ranges.level).toBe('FAIL');
    expect(ranges.message).toMatch(/ignore byte ranges/);
    expect(ranges.details?.[0]).toMatch(/answered 200 \(Content-Encoding gzip\), not 206/);
  });

  it('fails when the CORS headers are missing', async () => {
    const noCors = template.split('\n').filter((l) => !/add_header Access-Control-/.test(l)).join('\n');
    expect(noCors).not.toContain('Access-Control-Allow-Origin');
    const s = await serve(noCors);
    const r = await cli([`${s.url}/data/`, '--origin', 'https://app.example', '--max-age', '3650d']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL\s+cors\s+CORS for origin https:\/\/app\.example is incomplete/m);
    expect(r.stdout).toContain('manifest.json: no Access-Control-Allow-Origin for https://app.example');
    expect(r.stdout).toMatch(/Access-Control-Expose-Headers lacks content-range/);
    expect(r.stdout).toContain('fix: Send on every lake response');
    // Everything else is still fine.
    expect(r.stdout).toMatch(/^PASS\s+ranges/m);
  });

  it('fails when a file listed in the manifest is missing', async () => {
    const copy = join(tmp, 'lake-missing');
    cpSync(lake, copy, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8')) as { files: { path: string; table: string }[] };
    const victim = manifest.files.filter((f) => f.table === 'options').at(-1)!.path;
    rmSync(join(copy, victim));
    const s = await serve(template, copy);
    const { code, report } = await checkJson([`${s.url}/data/manifest.json`, '--max-age', '3650d']);
    expect(code).toBe(1);
    const files = report.checks.find((c) => c.id === 'files')!;
    expect(files.level).toBe('FAIL');
    expect(files.message).toBe(`1 of ${manifest.files.length} files listed in the manifest cannot be read`);
    expect(files.details).toEqual([`${victim}: HTTP 404`]);
    expect(files.fix).toMatch(/Upload the missing files/);
    expect(level(report, 'ranges')).toBe('PASS');
  });

  it('fails a wrong wasm MIME type and a CSP without wasm-unsafe-eval', async () => {
    // A hand-written types list that forgot wasm (so .wasm falls to default_type), and a CSP copied
    // from a site without WebAssembly.
    const bad = template
      .replace(/^(\s*)include \/etc\/nginx\/mime\.types;/m, '$1types { text/html html; application/javascript js; application/json json; text/css css; }')
      .replace(/types \{ application\/wasm wasm; \}/, '')
      .replaceAll("script-src 'self' 'wasm-unsafe-eval'", "script-src 'self'");
    expect(bad).not.toContain("'wasm-unsafe-eval'");
    expect(bad).not.toContain('application/wasm wasm');
    const s = await serve(bad);
    const r = await cli([`${s.url}/data/`, '--app', `${s.url}/`, '--max-age', '3650d']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL\s+app-wasm\s/m);
    expect(r.stdout).toContain('duckdb-eh-Ij90Kl12.wasm: Content-Type "application/octet-stream", not application/wasm');
    expect(r.stdout).toMatch(/^FAIL\s+app-csp\s/m);
    expect(r.stdout).toContain("script-src lacks 'wasm-unsafe-eval'");
  });

  it('fails an unreachable URL and rejects bad flags with exit 2', async () => {
    const r = await cli(['http://127.0.0.1:9/data/']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL\s+manifest\s+http:\/\/127\.0\.0\.1:9\/data\/manifest\.json unreachable/m);
    expect((await cli(['not a url'])).code).toBe(2);
    expect((await cli(['http://x/', '--max-age', 'soon'])).code).toBe(2);
  });
});

describe('a server that trickles one byte at a time', () => {
  it('check ends at its deadline per probe, with a FAIL, instead of hanging', async () => {
    // Headers at once, then one byte every 400 ms forever: the socket is never idle.
    const timers = new Set<NodeJS.Timeout>();
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const t = setInterval(() => res.write(' '), 400);
      timers.add(t);
      res.on('close', () => clearInterval(t));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as AddressInfo).port;
    try {
      const t0 = performance.now();
      const r = await cli([`http://127.0.0.1:${port}/data/`, '--timeout', '1500']);
      const s = (performance.now() - t0) / 1000;
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('no complete answer within 1500 ms');
      expect(r.stderr).not.toMatch(/\n\s+at /);
      // One probe's deadline plus start-up, far below the 60 s the trickle could go on for.
      expect(s).toBeLessThan(20);
    } finally {
      for (const t of timers) clearInterval(t);
      server.closeAllConnections();
      await new Promise((ok) => server.close(ok));
    }
  }, 60_000);
});
