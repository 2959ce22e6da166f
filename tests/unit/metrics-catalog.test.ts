// The metrics' three descriptions agree: what the code registers (the real registries of ingest,
// monitor and compact, each group switched on), what docs/realtime.md documents per process with
// its port, and what the shipped alert rules and their promtool suite name. A rule or a test series
// naming a metric nobody exports would never fire and would pass its own suite vacuously.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Histogram, type Registry } from 'prom-client';
import { compactMetrics } from '../../src/node/metrics/compact.ts';
import { ingestMetrics } from '../../src/node/metrics/ingest.ts';
import { startMonitor } from '../../src/node/metrics/monitor.ts';
import { newRegistry } from '../../src/node/metrics/server.ts';
import type { Redis } from '../../src/node/realtime/stream.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
type Process = 'ingest' | 'monitor' | 'compact';

// Registration only: nothing here is scraped, so Redis and PostgreSQL are never asked.
const redis = { on() {}, sendCommand: () => Promise.reject(new Error('not scraped')) } as unknown as Redis;
const scratch = mkdtempSync(join(tmpdir(), 'quantiv-metrics-catalog-'));
const registered = new Map<Process, Registry>();

beforeAll(async () => {
  writeFileSync(join(scratch, 'manifest.json'), JSON.stringify({ createdAt: new Date().toISOString() }));
  const ingest = newRegistry();
  await ingestMetrics({ registry: ingest, redis, stream: 'quotes', group: 'quantiv-ingest', root: scratch });
  registered.set('ingest', ingest);

  const monitor = newRegistry();
  // A deployment that refuses the connection: the check fails at once, and its gauges (registered
  // after the first run) are there.
  const m = startMonitor({
    registry: monitor,
    check: { url: 'http://127.0.0.1:1/data/', maxAgeMs: 36 * 3600_000, everyMs: 3600_000 },
    redis: { client: redis, stream: 'quotes', group: 'quantiv-ingest' },
    pgUrl: 'postgres://127.0.0.1:1/none',
    root: scratch,
    log: () => {},
  });
  await m.ready;
  m.stop();
  registered.set('monitor', monitor);

  const compact = newRegistry();
  compactMetrics(compact);
  registered.set('compact', compact);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const isDefault = (name: string) => /^(process|nodejs)_/.test(name);
const own = (r: Registry) => r.getMetricsAsArray().map((m) => m.name).filter((n) => !isDefault(n)).sort();

/** The "Metrics and alerts" section of docs/realtime.md: metric names per process table, and the port table. */
function documented(md: string): { metrics: Map<Process, string[]>; ports: Map<Process, number>; defaults: boolean } {
  const start = md.indexOf('## Metrics and alerts');
  const end = md.indexOf('\n## ', start + 1);
  const section = md.slice(start, end === -1 ? undefined : end);
  const metrics = new Map<Process, string[]>();
  const ports = new Map<Process, number>();
  let defaults = false;
  let current: Process | null = null;
  for (const line of section.split('\n')) {
    const heading = /^\*\*(\w+)\*\*/.exec(line);
    if (heading) current = (['ingest', 'monitor', 'compact'] as string[]).includes(heading[1]!) ? (heading[1] as Process) : null;
    const port = /^\| `quantiv (ingest|monitor|compact) [^|]*--metrics-port (\d+)[^|]*` \| (\d+) \|/.exec(line);
    if (port && port[2] === port[3]) ports.set(port[1] as Process, Number(port[2]));
    const row = /^\| `([a-z_*]+)(\{[^}]*\})?`/.exec(line);
    if (!row || !current) continue;
    if (row[1]!.includes('*')) defaults = true;
    else metrics.set(current, [...(metrics.get(current) ?? []), row[1]!]);
  }
  return { metrics, ports, defaults };
}

/** Metric names a PromQL text uses: quantiv_* identifiers, and `up`. */
const promqlNames = (text: string): string[] => [...new Set([...text.matchAll(/\b(quantiv_[a-z_]+|up)\b(?=\s*[{\[)\s=<>!]|$)/gm)].map((m) => m[1]!))];
const ruleExprs = (rules: string): string => [...rules.matchAll(/^\s*expr: (\|\n((?:\s{10,}.*\n)+)|(.*))$/gm)].map((m) => m[2] ?? m[3]!).join('\n');
const suiteSeries = (suite: string): string => [...suite.matchAll(/^\s*- series: '([^']+)'/gm)].map((m) => m[1]!).join('\n');

/** Names in `used` that no registry exports (a histogram's _bucket/_sum/_count count as its own). */
function unknown(used: string[]): string[] {
  const names = new Set<string>(['up']);
  for (const r of registered.values()) {
    for (const m of r.getMetricsAsArray()) {
      names.add(m.name);
      if (m instanceof Histogram) for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s);
    }
  }
  return used.filter((n) => !names.has(n));
}

describe('metrics catalog', () => {
  it('docs/realtime.md documents exactly the metrics each process registers, and its port', () => {
    const docs = documented(read('docs/realtime.md'));
    for (const p of ['ingest', 'monitor', 'compact'] as const) {
      expect([...new Set(docs.metrics.get(p) ?? [])].sort(), `${p}: documented vs registered`).toEqual(own(registered.get(p)!));
      expect(docs.ports.get(p), `${p}: no port in the table`).toBeGreaterThan(1023);
    }
    expect(new Set(docs.ports.values()).size, 'each process its own port').toBe(3);
    // prom-client's defaults are registered (newRegistry) and documented as one wildcard row.
    expect(registered.get('ingest')!.getMetricsAsArray().some((m) => isDefault(m.name))).toBe(true);
    expect(docs.defaults).toBe(true);
  });

  it('the alert rules and their promtool suite name only exported metrics, and jobs the example config scrapes', () => {
    const rules = read('deploy/prometheus/quantiv-rules.yml');
    const used = promqlNames(ruleExprs(rules));
    // Each rule's expression was found (a parse that finds nothing would pass vacuously).
    expect(used.length).toBeGreaterThanOrEqual(8);
    expect(unknown(used)).toEqual([]);
    const series = promqlNames(suiteSeries(read('deploy/prometheus/quantiv-rules.test.yml')));
    expect(series.length).toBeGreaterThanOrEqual(5);
    expect(unknown(series)).toEqual([]);

    const jobs = [...rules.matchAll(/job="([^"]+)"/g)].map((m) => m[1]!);
    const scraped = [...read('deploy/prometheus/prometheus.example.yml').matchAll(/job_name: ([\w-]+)/g)].map((m) => m[1]!);
    expect(jobs.length).toBeGreaterThan(0);
    expect(jobs.filter((j) => !scraped.includes(j))).toEqual([]);
  });

  it('catches a rule that names a metric nobody exports', () => {
    const broken = read('deploy/prometheus/quantiv-rules.yml').replace('quantiv_check_ok == 0', 'quantiv_check_okay == 0');
    expect(unknown(promqlNames(ruleExprs(broken)))).toEqual(['quantiv_check_okay']);
    // A histogram's series are known by their suffixes; a counter has no _bucket.
    expect(unknown(['quantiv_ingest_flush_duration_seconds_bucket', 'quantiv_ingest_rows_published_total_bucket'])).toEqual(['quantiv_ingest_rows_published_total_bucket']);
    const doc = documented(read('docs/realtime.md').replace('| `quantiv_ingest_reconnects_total` |', '| `quantiv_ingest_reconnect_total` |'));
    expect(doc.metrics.get('ingest')).toContain('quantiv_ingest_reconnect_total');
    expect(doc.metrics.get('ingest')).not.toContain('quantiv_ingest_reconnects_total');
  });
});
