// The scheduled check as a long-running exporter: runs `quantiv check` every interval and reports
// its result, and (each optional) Redis stream lag, Redis and PostgreSQL up, and the lake's last
// publish. It runs apart from ingest on purpose: while ingest is down this process still shows
// the lag growing, which is what the "ingest down" and "lag" alerts need.
import pg from 'pg';
import { Gauge, type Registry } from 'prom-client';
import { runChecks, type CheckReport } from '../check/checks.ts';
import type { Redis } from '../realtime/stream.ts';
import { manifestCreatedAt } from './manifest-time.ts';
import { redisGauges } from './stream-lag.ts';

export interface MonitorOptions {
  registry: Registry;
  check?: { url: string; app?: string | undefined; maxAgeMs: number; everyMs: number } | undefined;
  redis?: { client: Redis; stream: string; group: string } | undefined;
  pgUrl?: string | undefined;
  /** A local lake folder: its manifest's createdAt is the last publish. */
  root?: string | undefined;
  log: (line: string) => void;
}

export interface Monitor {
  /** Resolves after the first check has run (immediately without --check). */
  ready: Promise<void>;
  stop(): void;
}

const LEVELS = ['PASS', 'WARN', 'FAIL'] as const;

export function startMonitor(o: MonitorOptions): Monitor {
  const registers = [o.registry];
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  if (o.redis) {
    const { client, stream, group } = o.redis;
    redisGauges(registers, client, stream, group);
  }
  if (o.pgUrl) {
    const url = o.pgUrl;
    new Gauge({
      name: 'quantiv_postgres_up',
      help: '1 when PostgreSQL accepts a connection and answers SELECT 1, else 0.',
      registers,
      async collect() {
        this.set((await postgresAnswers(url)) ? 1 : 0);
      },
    });
  }
  if (o.root) {
    const root = o.root;
    new Gauge({
      name: 'quantiv_lake_last_publish_timestamp_seconds',
      help: "Unix time of the lake manifest's createdAt (its last publish).",
      registers,
      async collect() {
        this.reset();
        const t = await manifestCreatedAt(root);
        if (t !== null) this.set(t / 1000);
      },
    });
  }

  let ready: Promise<void> = Promise.resolve();
  if (o.check) {
    const c = o.check;
    // Registered after the first run: an unlabelled gauge reads 0 until set, and a 0 from
    // quantiv_check_ok before any check ran would say "failing".
    const gauges = () => ({
      ok: new Gauge({ name: 'quantiv_check_ok', help: '1 when the last `quantiv check` had no FAIL, else 0.', registers }),
      results: new Gauge({ name: 'quantiv_check_results', help: 'Lines of the last `quantiv check` by level.', labelNames: ['level'], registers }),
      failing: new Gauge({ name: 'quantiv_check_failing', help: '1 for each check id that FAILed in the last run.', labelNames: ['check'], registers }),
      last: new Gauge({ name: 'quantiv_check_last_run_timestamp_seconds', help: 'Unix time the last check finished.', registers }),
      took: new Gauge({ name: 'quantiv_check_duration_seconds', help: 'How long the last check took.', registers }),
      published: new Gauge({ name: 'quantiv_check_manifest_created_timestamp_seconds', help: "The checked manifest's createdAt, as the deployment serves it.", registers }),
    });
    let g: ReturnType<typeof gauges> | null = null;
    const once = async (): Promise<void> => {
      const t0 = Date.now();
      let report: CheckReport;
      try {
        report = await runChecks({ url: c.url, app: c.app, maxAgeMs: c.maxAgeMs });
      } catch (e) {
        report = { ok: false, manifestUrl: c.url, origin: '', checkedAt: new Date().toISOString(), checks: [{ id: 'run', level: 'FAIL', message: (e as Error).message }] };
      }
      const created = await fetchCreatedAt(report.manifestUrl);
      g ??= gauges();
      const { ok, results, failing, last, took, published } = g;
      ok.set(report.ok ? 1 : 0);
      const counts = LEVELS.map((l) => [l, report.checks.filter((r) => r.level === l).length] as const);
      for (const [l, n] of counts) results.set({ level: l }, n);
      failing.reset();
      for (const r of report.checks) if (r.level === 'FAIL') failing.set({ check: r.id }, 1);
      last.set(Date.now() / 1000);
      took.set((Date.now() - t0) / 1000);
      if (created !== null) published.set(created / 1000);
      o.log(`check: ${report.ok ? 'ok' : 'FAIL'} (${counts.map(([l, n]) => `${n} ${l}`).join(', ')})`);
    };
    const loop = async (): Promise<void> => {
      await once();
      if (!stopped) timer = setTimeout(() => void loop(), c.everyMs);
    };
    ready = loop();
  }
  return {
    ready,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await withTimeout(client.query('SELECT 1'), 3000);
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function fetchCreatedAt(manifestUrl: string): Promise<number | null> {
  try {
    const res = await fetch(manifestUrl, { cache: 'no-store', signal: AbortSignal.timeout(10_000) });
    if (!res.ok) return null;
    const t = Date.parse(String(((await res.json()) as { createdAt?: unknown }).createdAt));
    return Number.isNaN(t) ? null : t;
  } catch {
    return null;
  }
}
