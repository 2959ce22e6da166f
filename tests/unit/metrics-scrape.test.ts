// A real Prometheus on 127.0.0.1 (its own config, free port, the project's alert rules) scrapes a
// running `quantiv ingest --metrics-port` and `quantiv monitor --redis` against a real Redis:
// while ingest is stopped the lag it reports rises by exactly what the producer adds and the
// IngestDown alert goes pending; after ingest restarts the lag falls back to 0 and what it
// published and dead-lettered shows in its counters.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/node/net.ts';
import { badMessages, generateQuotes, xaddMessages, type Message } from '../../src/node/realtime/produce.ts';
import { connectRedis, type Redis } from '../../src/node/realtime/stream.ts';
import { startRedis, type RedisServer } from '../support/redis.ts';
import { smallLake } from '../support/small-lake.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const RULES = join(ROOT, 'deploy/prometheus/quantiv-rules.yml');
const STREAM = 'quotes-scrape';
let server: RedisServer;
let redis: Redis;
let scratch: string;
let lake: string;
let quotes: Message[];
let ports: { ingest: number; monitor: number; prom: number };
const children = new Set<ChildProcess>();
let ingest: ChildProcess | null = null;

function start(cmd: string, args: string[], name: string): ChildProcess {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (out += d));
  child.on('exit', (code, sig) => {
    children.delete(child);
    if (code !== 0 && sig === null) process.stderr.write(`${name} exited ${code}:\n${out}\n`);
  });
  children.add(child);
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const quantiv = (args: string[], name: string) => start(process.execPath, [join(ROOT, 'bin/quantiv.mjs'), ...args], name);

function startIngest(): ChildProcess {
  return quantiv(['ingest', '--redis', server.url, '--data', lake, '--stream', STREAM, '--consumer', 'c1', '--flush-ms', '300', '--metrics-port', String(ports.ingest), '--quiet'], 'ingest');
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 40_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await fn();
      if (v !== undefined && v !== null && v !== false) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(q: string): Promise<Sample[]> {
  const res = await fetch(`http://127.0.0.1:${ports.prom}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { status: string; data: { result: Sample[] }; error?: string };
  if (body.status !== 'success') throw new Error(`${q}: ${body.error}`);
  return body.data.result;
}

/** The single value of an instant query, or undefined when it has no sample. */
async function scalar(q: string): Promise<number | undefined> {
  const r = await query(q);
  if (r.length > 1) throw new Error(`${q}: ${r.length} series`);
  return r[0] ? Number(r[0].value[1]) : undefined;
}

const monitorLag = `quantiv_stream_lag_entries{job="quantiv-monitor",stream="${STREAM}"}`;

beforeAll(async () => {
  const base = smallLake();
  scratch = mkdtempSync(join(tmpdir(), 'quantiv-scrape-test-'));
  lake = join(scratch, 'lake');
  cpSync(base, lake, { recursive: true });
  server = await startRedis();
  redis = await connectRedis(server.url);
  quotes = (await generateQuotes({ root: base, seed: 7, count: 400 })).messages;
  ports = { ingest: await freePort(), monitor: await freePort(), prom: await freePort() };
  writeFileSync(
    join(scratch, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: [${JSON.stringify(RULES)}]`,
      'scrape_configs:',
      `  - { job_name: quantiv-ingest, static_configs: [{ targets: ["127.0.0.1:${ports.ingest}"] }] }`,
      `  - { job_name: quantiv-monitor, static_configs: [{ targets: ["127.0.0.1:${ports.monitor}"] }] }`,
      '',
    ].join('\n'),
  );
  start('prometheus', [
    `--config.file=${join(scratch, 'prometheus.yml')}`, `--storage.tsdb.path=${join(scratch, 'tsdb')}`,
    `--web.listen-address=127.0.0.1:${ports.prom}`, '--log.level=warn',
  ], 'prometheus');
  quantiv(['monitor', '--metrics-port', String(ports.monitor), '--redis', server.url, '--stream', STREAM, '--data', lake], 'monitor');
  ingest = startIngest();
  await waitFor('prometheus ready', async () => (await fetch(`http://127.0.0.1:${ports.prom}/-/ready`)).ok);
}, 180_000);

afterAll(async () => {
  await Promise.all([...children].map(stop));
  await redis?.close();
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('metrics scraped by a real Prometheus', () => {
  it('shows the lag rising while ingest is stopped and falling after it restarts', async () => {
    const first = quotes.slice(0, 200);
    await xaddMessages(redis, STREAM, first);
    // Running: everything published, nothing waiting, as Prometheus sees it.
    await waitFor('first batch published', async () => (await scalar('quantiv_ingest_rows_published_total{job="quantiv-ingest"}')) === 200);
    await waitFor('lag 0 while running', async () => (await scalar(monitorLag)) === 0);
    expect(await scalar('up{job="quantiv-ingest"}')).toBe(1);
    expect(await scalar(`quantiv_stream_lag_entries{job="quantiv-ingest",stream="${STREAM}"}`)).toBe(0);
    expect(await scalar('quantiv_redis_up{job="quantiv-monitor"}')).toBe(1);
    const age = await scalar('quantiv_ingest_last_publish_age_seconds');
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(60);

    await stop(ingest!);
    await waitFor('ingest seen down', async () => (await scalar('up{job="quantiv-ingest"}')) === 0);
    const stoppedAt = Date.now() / 1000;
    // Stopped: each batch the producer adds shows up in full, and nothing takes it away.
    const rest = [...quotes.slice(200), ...badMessages(quotes, 3)];
    const seen: number[] = [];
    for (let i = 0; i < rest.length; i += 51) {
      await xaddMessages(redis, STREAM, rest.slice(i, i + 51));
      const want = Math.min(i + 51, rest.length);
      seen.push(await waitFor(`lag ${want}`, async () => {
        const v = await scalar(monitorLag);
        return v === want ? v : undefined;
      }));
    }
    expect(seen).toEqual([51, 102, 153, 203]);
    // The rules file is loaded: ingest down is pending (its `for` is 2m, longer than this test).
    await waitFor('QuantivIngestDown pending', async () => (await query('ALERTS{alertname="QuantivIngestDown",alertstate="pending"}')).length === 1);

    ingest = startIngest();
    await waitFor('lag back to 0 after restart', async () => (await scalar(monitorLag)) === 0);
    await waitFor('restarted ingest scraped', async () => (await scalar('quantiv_ingest_rows_published_total{job="quantiv-ingest"}')) === 200);
    expect(await scalar('up{job="quantiv-ingest"}')).toBe(1);
    // The bad three went to the dead-letter stream, one per reason class.
    const dead = await waitFor('dead letters', async () => {
      const r = await query('quantiv_ingest_dead_letters_total{job="quantiv-ingest"}');
      return r.length === 3 ? r : undefined;
    });
    expect(Object.fromEntries(dead.map((s) => [s.metric.reason, Number(s.value[1])]))).toEqual({ missing_strike: 1, bad_call_put: 1, bad_bid: 1 });
    expect(await scalar('quantiv_ingest_files_published_total{job="quantiv-ingest"}')).toBeGreaterThan(0);
    expect(await scalar('quantiv_ingest_flush_duration_seconds_count{job="quantiv-ingest"}')).toBeGreaterThan(0);
    // The whole story since the stop in one range query over the monitor's series: from 0 it only
    // rises, to 203, then falls to 0.
    // (Retried until the range's last 1 s step is past the scrape that saw 0.)
    const values = await waitFor('range ending at 0', async () => {
      const r = await fetch(`http://127.0.0.1:${ports.prom}/api/v1/query_range?query=${encodeURIComponent(monitorLag)}&start=${stoppedAt}&end=${Date.now() / 1000}&step=1`);
      const v = ((await r.json()) as { data: { result: { values: [number, string][] }[] } }).data.result[0]!.values.map(([, x]) => Number(x));
      return v.at(-1) === 0 ? v : undefined;
    }, 10_000);
    const peak = values.indexOf(Math.max(...values));
    const story = values.join(' ');
    expect(values[0], story).toBe(0);
    expect(values[peak], story).toBe(203);
    expect(values.slice(0, peak).every((v, i, a) => i === 0 || v >= a[i - 1]!), story).toBe(true);
    expect(values.slice(peak).every((v, i, a) => i === 0 || v <= a[i - 1]!), story).toBe(true);
    expect(values.slice(peak), story).toContain(0);
  }, 300_000);
});
