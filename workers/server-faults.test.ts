import { describe, expect, it } from 'vitest';
import { rangeFault, unreachableFault } from './server-faults.ts';

const ask = { path: 'options/year=2025/month=08/o.parquet', size: 1000, start: 0, end: 99 };
const answer = (status: number, headers: Record<string, string> = {}, bodyBytes = 100) => ({
  status,
  bodyBytes,
  header: (n: string) => Object.entries(headers).find(([k]) => k.toLowerCase() === n.toLowerCase())?.[1] ?? null,
});

describe('rangeFault', () => {
  it('passes a correct 206', () => {
    expect(rangeFault(answer(206, { 'Content-Range': 'bytes 0-99/1000' }), ask)).toBeNull();
  });
  it('names the header or setting for each broken server', () => {
    expect(rangeFault(answer(200, { 'Content-Encoding': 'gzip' }, 1000), ask)).toMatch(/Content-Encoding: gzip.*gzip_types/);
    expect(rangeFault(answer(200, {}, 1000), ask)).toMatch(/ignores the Range header.*200.*206 Partial Content/);
    expect(rangeFault(answer(404, {}, 0), ask)).toMatch(/o\.parquet: HTTP 404/);
    expect(rangeFault(answer(416, { 'Content-Range': 'bytes */500' }, 0), ask)).toMatch(/truncated on the server: it has 500 bytes, the manifest lists 1000/);
    expect(rangeFault(answer(206, { 'Content-Range': 'bytes 0-99/500' }), ask)).toMatch(/truncated/);
    expect(rangeFault(answer(206, { 'Content-Range': 'bytes 0-99/2000' }), ask)).toMatch(/was replaced on the server: it has 2000 bytes/);
    expect(rangeFault(answer(206, { 'Content-Range': 'bytes 0-99/1000' }, 40), ask)).toMatch(/asked for bytes 0-99, got 40/);
    expect(rangeFault(answer(500, {}, 0), ask)).toMatch(/HTTP 500/);
  });
});

describe('unreachableFault', () => {
  it('tells missing CORS from an unreachable server', async () => {
    const url = 'http://127.0.0.1:9/data/o.parquet';
    // A CORS fetch fails like the XHR did; only the opaque no-cors probe gets through.
    const opaqueOnly = (async (_u: string, init?: RequestInit) => {
      if (init?.mode !== 'no-cors') throw new TypeError('Failed to fetch');
      return new Response(null);
    }) as unknown as typeof fetch;
    const refused = (async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;
    expect(await unreachableFault(url, 'o.parquet', 1000, opaqueOnly)).toMatch(/without CORS headers.*Access-Control-Allow-Origin/);
    expect(await unreachableFault(url, 'o.parquet', 1000, refused)).toMatch(/could not be reached/);
  });
  it('reports what a fetch of the range shows when only the XHR failed', async () => {
    const gzipped = (async () => new Response(new Uint8Array(1000), { status: 200, headers: { 'Content-Encoding': 'gzip' } })) as unknown as typeof fetch;
    expect(await unreachableFault('http://127.0.0.1:9/o.parquet', 'o.parquet', 1000, gzipped)).toMatch(/Content-Encoding: gzip/);
    // Chromium fails the ranged request outright; the plain HEAD still names the encoding.
    const rangedFails = (async (_u: string, init?: RequestInit) => {
      if (init?.headers) throw new TypeError('Failed to fetch');
      return new Response(null, { status: 200, headers: { 'Content-Encoding': 'gzip' } });
    }) as unknown as typeof fetch;
    expect(await unreachableFault('http://127.0.0.1:9/o.parquet', 'o.parquet', 1000, rangedFails)).toMatch(/Content-Encoding: gzip/);
  });
});
