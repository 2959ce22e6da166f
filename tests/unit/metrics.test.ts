// The metrics module on its own: the exposition ingest serves (every documented metric, the
// counters moving with what the observer is told), dead-letter reason classes, stream lag from
// Redis in each state of the group, and the monitor's check metrics for a deployment that fails.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterClass } from '../../src/node/metrics/dead-letter-reason.ts';
import { ingestMetrics } from '../../src/node/metrics/ingest.ts';
import { startMonitor } from '../../src/node/metrics/monitor.ts';
import { newRegistry, serveMetrics } from '../../src/node/metrics/server.ts';
import { streamLag } from '../../src/node/metrics/stream-lag.ts';
import { connectRedis, ensureGroup, readGroup, type Redis } from '../../src/node/realtime/stream.ts';
import { startRedis, type RedisServer } from '../support/redis.ts';

let server: RedisServer;
let redis: Redis;
let scratch: string;

beforeAll(async () => {
  server = await startRedis();
  redis = await connectRedis(server.url);
  scratch = mkdtempSync(join(tmpdir(), 'quantiv-metrics-test-'));
});
afterAll(async () => {
  await redis?.close();
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** name{labels} -> value from a text exposition. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

const add = (stream: string, n: number) => Promise.all(Array.from({ length: n }, (_, i) => redis.sendCommand(['XADD', stream, '*', 'n', String(i)])));

describe('dead-letter reason classes', () => {
  it('keep the kind and the column, never the value', () => {
    expect(deadLetterClass('missing field strike')).toBe('missing_strike');
    expect(deadLetterClass("bad call_put: 'X' is not C or P")).toBe('bad_call_put');
    expect(deadLetterClass('bad ask: ask 1.00 is below bid 2.00')).toBe('bad_ask');
    expect(deadLetterClass('rule symbol: ZZZ is not in the lake; allow it with --allow-symbols ZZZ')).toBe('rule_symbol');
    expect(deadLetterClass("earnings: bad session: 'lunch' is not bmo or amc")).toBe('earnings_bad_session');
    expect(deadLetterClass('earnings: missing field earnings_date')).toBe('earnings_missing_earnings_date');
    expect(deadLetterClass('rule earnings_date: 2025-11-01 is not a trading day')).toBe('rule_earnings_date');
    expect(deadLetterClass("unknown record kind 'dividend' (known: quote, earnings)")).toBe('unknown_kind');
    expect(deadLetterClass('something new')).toBe('other');
  });
});

describe('streamLag', () => {
  it('counts undelivered and pending entries in every state of the group', async () => {
    expect(await streamLag(redis, 'lag-none', 'g')).toEqual({ undelivered: 0, pending: 0 });
    await add('lag-a', 5);
    // No group yet: everything waits.
    expect(await streamLag(redis, 'lag-a', 'g')).toEqual({ undelivered: 5, pending: 0 });
    await ensureGroup(redis, 'lag-a', 'g');
    expect(await streamLag(redis, 'lag-a', 'g')).toEqual({ undelivered: 5, pending: 0 });
    const got = await readGroup(redis, { stream: 'lag-a', group: 'g', consumer: 'c', id: '>', count: 3 });
    expect(got.length).toBe(3);
    expect(await streamLag(redis, 'lag-a', 'g')).toEqual({ undelivered: 2, pending: 3 });
    await redis.sendCommand(['XACK', 'lag-a', 'g', got[0]!.id]);
    expect(await streamLag(redis, 'lag-a', 'g')).toEqual({ undelivered: 2, pending: 2 });
  });
});

describe('ingest metrics', () => {
  it('serves every documented metric and moves the counters with the observer', async () => {
    const root = join(scratch, 'lake');
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    const published = new Date(Date.now() - 90_000);
    writeFileSync(join(root, 'manifest.json'), JSON.stringify({ createdAt: published.toISOString() }));
    await add('ing', 4);
    await ensureGroup(redis, 'ing', 'g');
    const m = await serveMetrics(newRegistry(), 0);
    try {
      const obs = await ingestMetrics({ registry: m.registry, redis, stream: 'ing', group: 'g', root });
      const scrape = async () => {
        const res = await fetch(m.url);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toContain('text/plain');
        return samples(await res.text());
      };
      let s = await scrape();
      expect(s.get('quantiv_stream_lag_entries{stream="ing",group="g"}')).toBe(4);
      expect(s.get('quantiv_redis_up')).toBe(1);
      expect(s.get('quantiv_ingest_last_publish_timestamp_seconds')).toBeCloseTo(published.getTime() / 1000, 3);
      expect(s.get('quantiv_ingest_last_publish_age_seconds')).toBeGreaterThanOrEqual(90);
      expect(s.get('quantiv_ingest_rows_published_total')).toBe(0);
      expect(s.has('process_resident_memory_bytes')).toBe(true);
      obs.read(6);
      obs.deadLetter('bad strike: x');
      obs.deadLetter('bad strike: y');
      obs.deadLetter('missing field bid');
      obs.published({ rows: 120, files: 2, seconds: 0.3, at: new Date() });
      obs.published({ rows: 0, files: 0, seconds: 0.01, at: new Date() });
      s = await scrape();
      expect(s.get('quantiv_ingest_entries_read_total')).toBe(6);
      expect(s.get('quantiv_ingest_rows_published_total')).toBe(120);
      expect(s.get('quantiv_ingest_files_published_total')).toBe(2);
      expect(s.get('quantiv_ingest_dead_letters_total{reason="bad_strike"}')).toBe(2);
      expect(s.get('quantiv_ingest_dead_letters_total{reason="missing_bid"}')).toBe(1);
      expect(s.get('quantiv_ingest_flush_duration_seconds_count')).toBe(2);
      expect(s.get('quantiv_ingest_flush_duration_seconds_bucket{le="0.5"}')).toBe(2);
      expect(s.get('quantiv_ingest_flush_duration_seconds_bucket{le="0.25"}')).toBe(1);
      expect(s.get('quantiv_ingest_reconnects_total')).toBe(0);
      expect(s.get('quantiv_ingest_last_publish_age_seconds')).toBeLessThan(5);
      expect((await fetch(m.url.replace('/metrics', '/'))).status).toBe(404);
    } finally {
      await m.close();
    }
  });
});

describe('ingest metrics while Redis is down', () => {
  it('answer at once with redis_up 0 and no lag sample (a hung scrape would read as ingest down)', async () => {
    const own = await startRedis();
    const client = await connectRedis(own.url);
    const m = await serveMetrics(newRegistry(), 0);
    try {
      await ingestMetrics({ registry: m.registry, redis: client, stream: 'gone', group: 'g', root: scratch });
      expect(samples(await (await fetch(m.url)).text()).get('quantiv_redis_up')).toBe(1);
      await own.stop();
      await new Promise((r) => setTimeout(r, 300));
      const t0 = Date.now();
      const s = samples(await (await fetch(m.url, { signal: AbortSignal.timeout(5000) })).text());
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(s.get('quantiv_redis_up')).toBe(0);
      expect([...s.keys()].some((k) => k.startsWith('quantiv_stream_lag_entries'))).toBe(false);
    } finally {
      await m.close();
      client.destroy();
    }
  });
});

describe('monitor', () => {
  it('reports a failing deployment check and a PostgreSQL that does not answer', async () => {
    // A "deployment" whose manifest is not JSON, answering slowly so the first scrape is before the first check ends.
    const site = createServer((_req, res) => void setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('not a manifest'), 500));
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', () => r()));
    const port = (site.address() as AddressInfo).port;
    const m = await serveMetrics(newRegistry(), 0);
    const mon = startMonitor({
      registry: m.registry,
      check: { url: `http://127.0.0.1:${port}/data/`, maxAgeMs: 3_600_000, everyMs: 60_000 },
      pgUrl: 'postgres://nobody@127.0.0.1:1/none',
      log: () => {},
    });
    try {
      // Before the first check has finished there is no check_ok at all (not a 0 that reads as failing).
      expect([...samples(await (await fetch(m.url)).text()).keys()].some((k) => k.startsWith('quantiv_check_'))).toBe(false);
      await mon.ready;
      const s = samples(await (await fetch(m.url)).text());
      expect(s.get('quantiv_check_ok')).toBe(0);
      expect(s.get('quantiv_check_results{level="FAIL"}')).toBeGreaterThan(0);
      expect([...s.keys()].some((k) => k.startsWith('quantiv_check_failing{check='))).toBe(true);
      expect(s.get('quantiv_check_last_run_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 60);
      expect(s.get('quantiv_postgres_up')).toBe(0);
    } finally {
      mon.stop();
      await m.close();
      site.close();
    }
  });
});
