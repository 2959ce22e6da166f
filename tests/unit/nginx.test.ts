import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, chownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { extensionFilePath } from '../../src/engine/extension.ts';
import { freePort, NGINX_CONF, renderConf, startNginx, type RenderValues } from '../../src/node/nginx.ts';

const template = readFileSync(NGINX_CONF, 'utf8');
const hasNginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].some((p) => existsSync(p));
const tmp = mkdtempSync(join(tmpdir(), 'quantiv-nginx-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const values = (over: Partial<RenderValues> = {}): RenderValues => ({
  prefix: join(tmp, 'prefix'), port: 18080, host: '127.0.0.1', siteRoot: join(tmp, 'site'), dataRoot: join(tmp, 'lake'), asRoot: true, ...over,
});
const active = (conf: string) => conf.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n');

describe('renderConf', () => {
  it('rewrites every machine-specific path and the port, and nothing else', () => {
    const out = renderConf(template, values());
    for (const prod of ['/var/log', '/run/', '/var/lib/nginx', '/srv/quantiv', 'listen 80']) expect(active(out)).not.toContain(prod);
    expect(out).toContain('listen 127.0.0.1:18080;');
    expect(out).toContain(`root ${join(tmp, 'site')};`);
    expect(out).toContain(`alias ${join(tmp, 'lake')}/;`);
    expect(out).toContain(`access_log ${join(tmp, 'prefix', 'access.log')} quantiv;`);
    expect(out).toContain(`client_body_temp_path ${join(tmp, 'prefix', 'temp', 'client_body')};`);
    expect(out).toMatch(/^user root;/m);
    // Unmarked lines are byte-identical to production.
    const unmarked = (s: string) => s.split('\n').filter((l) => !l.includes('# quantiv:'));
    expect(unmarked(out)).toEqual(unmarked(template));
  });

  it('drops the user directive when not root and quotes paths with spaces', () => {
    const out = renderConf(template, values({ asRoot: false, siteRoot: '/tmp/my site' }));
    expect(active(out)).not.toMatch(/^\s*user\s/m);
    expect(out).toContain('root "/tmp/my site";');
    expect(() => renderConf(template, values({ dataRoot: '/tmp/$x' }))).toThrow(/must not contain/);
  });

  it('brackets IPv6 hosts and refuses a template missing a marker', () => {
    expect(renderConf(template, values({ host: '::1' }))).toContain('listen [::1]:18080;');
    const broken = template.replace(/^(\s*alias .*?)\s*# quantiv:data/m, '$1');
    expect(() => renderConf(broken, values())).toThrow(/lacks marked lines: data/);
  });

  it.skipIf(!hasNginx)('renders a config that `nginx -t` accepts', () => {
    const v = values({ prefix: join(tmp, 't') });
    mkdirSync(join(v.prefix, 'temp'), { recursive: true });
    const conf = join(v.prefix, 'nginx.conf');
    writeFileSync(conf, renderConf(template, v));
    execFileSync('nginx', ['-t', '-q', '-p', v.prefix, '-c', conf, '-e', join(v.prefix, 'error.log')], { stdio: 'pipe' });
  });
});

describe('production nginx.conf rules', () => {
  const conf = active(template);
  it('never gzips parquet but does gzip wasm/js/css/json/svg', () => {
    const types = /gzip_types([^;]*);/.exec(conf)![1]!;
    expect(types).not.toMatch(/parquet|octet-stream/);
    for (const t of ['application/wasm', 'application/javascript', 'text/css', 'application/json', 'image/svg+xml']) expect(types).toContain(t);
    expect(conf).not.toMatch(/brotli/);
    // Precompressed copies are for site files only, never for the lake.
    const data = /location \^~ \/data\/ \{[\s\S]*?\n {8}\}/.exec(conf)![0];
    expect(data).not.toMatch(/gzip_static/);
    expect(conf).not.toMatch(/^ {4}gzip_static/m);
  });
  it('keeps CORS on errors and declares wasm explicitly', () => {
    for (const h of ['Access-Control-Allow-Origin', 'Access-Control-Allow-Methods', 'Access-Control-Allow-Headers', 'Access-Control-Expose-Headers']) {
      expect(conf).toMatch(new RegExp(`add_header ${h} .* always;`));
    }
    expect(conf).toMatch(/types \{ application\/wasm wasm; \}/);
    expect(conf).toContain('include /etc/nginx/mime.types;');
  });
  it('follows no symlinks and denies dotfiles and the tools\' folders', () => {
    expect(conf).toMatch(/^ {8}disable_symlinks if_not_owner from=\$document_root;/m);
    expect(conf).toMatch(/location ~ \/\\\. \{\s*return 404;/);
    const data = /location \^~ \/data\/ \{[\s\S]*?\n {8}\}/.exec(conf)![0];
    expect(data).toMatch(/location ~ \/\[\._\] \{\s*return 404;/);
  });
});

describe.skipIf(!hasNginx)('startNginx', () => {
  it('serves ranges on a free port and stops cleanly', async () => {
    const site = join(tmp, 'live-site');
    const lake = join(tmp, 'live-lake');
    mkdirSync(site, { recursive: true });
    mkdirSync(lake, { recursive: true });
    writeFileSync(join(site, 'index.html'), '<!doctype html><p>hi</p>');
    writeFileSync(join(lake, 'x.parquet'), Buffer.alloc(5000, 7));
    const server = await startNginx({ siteRoot: site, dataRoot: lake, prefix: join(tmp, 'live') });
    try {
      const res = await fetch(`${server.url}/data/x.parquet`, { headers: { Range: 'bytes=10-19', 'Accept-Encoding': 'gzip' } });
      expect(res.status).toBe(206);
      expect(res.headers.get('content-range')).toBe('bytes 10-19/5000');
      expect(res.headers.get('content-encoding')).toBeNull();
      expect((await res.arrayBuffer()).byteLength).toBe(10);
      expect((await fetch(`${server.url}/data/manifest.json`)).status).toBe(404);
    } finally {
      await server.stop();
    }
    expect(() => process.kill(server.pid, 0)).toThrow();
    expect(readFileSync(server.accessLog, 'utf8')).toContain('"range":"bytes=10-19"');
  });

  it('serves the parquet extension precompressed, immutable, as wasm; never a .gz copy of Parquet', async () => {
    const site = join(tmp, 'ext-site');
    const lake = join(tmp, 'ext-lake');
    const ext = join(site, extensionFilePath());
    mkdirSync(dirname(ext), { recursive: true });
    mkdirSync(lake, { recursive: true });
    const wasm = Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), Buffer.alloc(20_000, 3)]);
    writeFileSync(ext, wasm);
    writeFileSync(`${ext}.gz`, gzipSync(wasm, { level: 9 }));
    writeFileSync(join(lake, 'x.parquet'), Buffer.alloc(5000, 7));
    writeFileSync(join(lake, 'x.parquet.gz'), gzipSync(Buffer.alloc(5000, 7)));
    const server = await startNginx({ siteRoot: site, dataRoot: lake, prefix: join(tmp, 'ext') });
    try {
      const res = await fetch(`${server.url}/${extensionFilePath()}`, { headers: { 'Accept-Encoding': 'gzip' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/wasm');
      expect(res.headers.get('content-encoding')).toBe('gzip');
      expect(res.headers.get('cache-control')).toContain('immutable');
      expect(Buffer.from(await res.arrayBuffer()).equals(wasm)).toBe(true);
      const lakeRes = await fetch(`${server.url}/data/x.parquet`, { headers: { Range: 'bytes=0-9', 'Accept-Encoding': 'gzip' } });
      expect(lakeRes.status).toBe(206);
      expect(lakeRes.headers.get('content-encoding')).toBeNull();
    } finally {
      await server.stop();
    }
    const log = readFileSync(server.accessLog, 'utf8');
    // The precompressed copy went out: far fewer bytes than the file.
    const sent = log.split('\n').filter((l) => l.includes('duckdb-extensions')).map((l) => (JSON.parse(l) as { bytes: number }).bytes);
    expect(sent[0]).toBeLessThan(wasm.length / 10);
  });

  it('follows no symlink and serves no dotfile or tool folder, in the site or the lake', async () => {
    const site = join(tmp, 'sec-site');
    const lake = join(tmp, 'sec-lake');
    const outside = join(tmp, 'sec-outside');
    for (const d of [site, join(lake, '_migration'), join(lake, 'options'), outside]) mkdirSync(d, { recursive: true });
    writeFileSync(join(site, 'index.html'), '<!doctype html><p>hi</p>');
    writeFileSync(join(site, '.env'), 'SECRET=1');
    writeFileSync(join(outside, 'shadow'), 'root:secret');
    writeFileSync(join(lake, 'options', 'x.parquet'), Buffer.alloc(100, 7));
    writeFileSync(join(lake, 'options', '.x.parquet.123.tmp'), 'partial');
    writeFileSync(join(lake, '.htpasswd'), 'u:p');
    writeFileSync(join(lake, '_migration', 'export-state.json'), '{"source":"postgres://u:***@db"}');
    // The planted links' targets belong to someone else: 'nobody' here, as /etc/shadow is root's.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) for (const p of [outside, join(outside, 'shadow')]) chownSync(p, 65534, 65534);
    const target = asRoot ? join(outside, 'shadow') : '/etc/hostname';
    symlinkSync(target, join(lake, 'link.parquet'));
    symlinkSync(asRoot ? outside : '/etc', join(lake, 'linkdir'));
    symlinkSync(target, join(site, 'shadow.txt'));
    // A link to a file of the same owner (how release layouts place a lake) is served.
    symlinkSync(join(lake, 'options', 'x.parquet'), join(lake, 'options', 'same-owner.parquet'));
    const server = await startNginx({ siteRoot: site, dataRoot: lake, prefix: join(tmp, 'sec') });
    try {
      const status = async (path: string) => (await fetch(`${server.url}${path}`)).status;
      expect(await status('/data/options/x.parquet')).toBe(200);
      expect(await status('/data/options/same-owner.parquet')).toBe(200);
      expect(await status('/')).toBe(200);
      // A symlink is refused (403) or, through try_files, not found (404): never served.
      const notServed = (n: number) => (n === 403 ? 404 : n);
      const denied = {
        '/data/link.parquet': 404, [asRoot ? '/data/linkdir/shadow' : '/data/linkdir/hostname']: 404, '/shadow.txt': 404,
        '/.env': 404, '/data/.htpasswd': 404, '/data/options/.x.parquet.123.tmp': 404,
        '/data/_migration/export-state.json': 404, '/data/_migration/': 404,
      };
      const got = Object.fromEntries(await Promise.all(Object.keys(denied).map(async (p) => [p, notServed(await status(p))] as const)));
      expect(got).toEqual(denied);
      for (const p of Object.keys(denied)) expect(await (await fetch(`${server.url}${p}`)).text()).not.toMatch(/secret|SECRET|u:p|postgres/);
    } finally {
      await server.stop();
    }
  });

  it('reports a start-up failure with the error log instead of hanging', async () => {
    const port = await freePort();
    await expect(startNginx({ siteRoot: tmp, dataRoot: tmp, port, template: template.replace('events {', 'events { bogus_directive;'), prefix: join(tmp, 'bad') }))
      .rejects.toThrow(/unknown directive "bogus_directive"/);
  });
});
