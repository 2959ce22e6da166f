// The latency proxy against a real local HTTP server: every request is held at least the delay
// before the upstream sees it, and what comes back is the upstream's answer byte for byte.
import { randomBytes } from 'node:crypto';
import { Agent, createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLatencyProxy, type LatencyProxy } from '../../src/node/latency-proxy.ts';

const FILE = randomBytes(2 * 1024 * 1024 + 123);

interface Seen { method: string; url: string; range: string | undefined; at: number }
const seen: Seen[] = [];

/** Serves FILE at /data/file.bin with single byte ranges, like nginx does for the lake. */
function upstreamHandler(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void {
  seen.push({ method: req.method ?? '', url: req.url ?? '', range: req.headers.range, at: performance.now() });
  if (!req.url?.startsWith('/data/file.bin')) {
    res.writeHead(404, { 'Content-Type': 'text/plain', 'X-Upstream': 'yes' });
    res.end('no such file\n');
    return;
  }
  const common = { 'Accept-Ranges': 'bytes', ETag: '"abc"', 'X-Upstream': 'yes', 'Set-Cookie': ['a=1', 'b=2'] };
  const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
  if (m) {
    const start = Number(m[1]);
    const end = Math.min(Number(m[2]), FILE.length - 1);
    res.writeHead(206, { ...common, 'Content-Range': `bytes ${start}-${end}/${FILE.length}`, 'Content-Length': end - start + 1 });
    res.end(req.method === 'HEAD' ? undefined : FILE.subarray(start, end + 1));
    return;
  }
  res.writeHead(200, { ...common, 'Content-Length': FILE.length });
  res.end(req.method === 'HEAD' ? undefined : FILE);
}

function listen(s: Server): Promise<string> {
  return new Promise((ok) => s.listen(0, '127.0.0.1', () => ok(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));
}

interface Answer { status: number; headers: IncomingHttpHeaders; raw: string[]; body: Buffer; ms: number }

const clientAgent = new Agent({ keepAlive: true, maxSockets: 1 });

function fetchVia(base: string, path: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((ok, fail) => {
    const t = performance.now();
    const u = new URL(path, base);
    const req = request({ hostname: u.hostname, port: u.port, path: u.pathname + u.search, method: opts.method ?? 'GET', headers: opts.headers, agent: clientAgent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, raw: res.rawHeaders, body: Buffer.concat(chunks), ms: performance.now() - t }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
}

const server = createServer(upstreamHandler);
let upstream = '';
let proxy: LatencyProxy;
const DELAY = 40;

beforeAll(async () => {
  upstream = await listen(server);
  proxy = await startLatencyProxy({ upstream, delayMs: DELAY });
});
afterAll(async () => {
  clientAgent.destroy();
  await proxy.stop();
  await new Promise((ok) => server.close(ok));
});

describe('latency proxy', () => {
  it('listens on loopback on an ephemeral port', () => {
    expect(proxy.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(proxy.port).toBeGreaterThan(0);
    expect(proxy.url).not.toBe(upstream);
  });

  it('holds every request at least the delay before the upstream sees it', async () => {
    for (let i = 0; i < 5; i++) {
      const sent = performance.now();
      const before = seen.length;
      const a = await fetchVia(proxy.url, `/data/file.bin?i=${i}`, { headers: { Range: 'bytes=0-9' } });
      expect(a.status).toBe(206);
      expect(a.ms).toBeGreaterThanOrEqual(DELAY);
      expect(seen.length).toBe(before + 1);
      expect(seen.at(-1)!.at - sent).toBeGreaterThanOrEqual(DELAY);
    }
  });

  it('takes its delay from the options', async () => {
    const slow = await startLatencyProxy({ upstream, delayMs: 150 });
    try {
      const a = await fetchVia(slow.url, '/data/file.bin', { method: 'HEAD' });
      expect(a.status).toBe(200);
      expect(a.ms).toBeGreaterThanOrEqual(150);
      expect(slow.delayMs).toBe(150);
    } finally {
      await slow.stop();
    }
    await expect(startLatencyProxy({ upstream, delayMs: -1 })).rejects.toThrow(/delay/);
  });

  it('passes a range request through byte for byte with 206 and its headers', async () => {
    const direct = await fetchVia(upstream, '/data/file.bin', { headers: { Range: 'bytes=1000000-1300000' } });
    const a = await fetchVia(proxy.url, '/data/file.bin', { headers: { Range: 'bytes=1000000-1300000' } });
    expect(seen.at(-1)).toMatchObject({ method: 'GET', range: 'bytes=1000000-1300000' });
    expect(a.status).toBe(206);
    expect(a.headers['content-range']).toBe(`bytes 1000000-1300000/${FILE.length}`);
    expect(a.headers['content-length']).toBe('300001');
    expect(a.body.equals(FILE.subarray(1000000, 1300001))).toBe(true);
    // Every end-to-end header, in the upstream's order, repeated ones included (Date may tick).
    const strip = (raw: string[]) => raw.filter((_, i) => i % 2 === 0).filter((k) => !/^(date|connection|keep-alive)$/i.test(k));
    expect(strip(a.raw)).toEqual(strip(direct.raw));
    expect(a.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(a.headers.etag).toBe('"abc"');
  });

  it('streams a whole multi-MiB body unchanged, and HEAD gets headers without a body', async () => {
    const a = await fetchVia(proxy.url, '/data/file.bin');
    expect(a.status).toBe(200);
    expect(a.body.equals(FILE)).toBe(true);
    const h = await fetchVia(proxy.url, '/data/file.bin', { method: 'HEAD' });
    expect(seen.at(-1)!.method).toBe('HEAD');
    expect(h.status).toBe(200);
    expect(h.headers['content-length']).toBe(String(FILE.length));
    expect(h.body.length).toBe(0);
  });

  it("passes the upstream's errors through", async () => {
    const a = await fetchVia(proxy.url, '/data/missing.parquet');
    expect(a.status).toBe(404);
    expect(a.body.toString()).toBe('no such file\n');
    expect(a.headers['x-upstream']).toBe('yes');
  });

  it('answers 502 with a clear body when the upstream is down', async () => {
    const gone = createServer();
    const deadUrl = await listen(gone);
    await new Promise((ok) => gone.close(ok));
    const dead = await startLatencyProxy({ upstream: deadUrl, delayMs: 0 });
    try {
      const a = await fetchVia(dead.url, '/data/file.bin');
      expect(a.status).toBe(502);
      expect(a.body.toString()).toBe(`latency proxy: upstream ${deadUrl} failed (ECONNREFUSED)\n`);
    } finally {
      await dead.stop();
    }
  });

  it('counts requests, in all and by path prefix', async () => {
    const counter = await startLatencyProxy({ upstream, delayMs: 0 });
    try {
      await fetchVia(counter.url, '/data/file.bin?x=1', { method: 'HEAD' });
      await fetchVia(counter.url, '/data/file.bin?x=2', { method: 'HEAD' });
      await fetchVia(counter.url, '/index.html');
      expect(counter.requests).toBe(3);
      expect(counter.requestsUnder('/data/')).toBe(2);
      expect(counter.requestsUnder('/data/file.bin')).toBe(2);
      expect(counter.requestsUnder('/assets/')).toBe(0);
    } finally {
      await counter.stop();
    }
  });
});
