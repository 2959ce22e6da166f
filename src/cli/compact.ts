// `quantiv compact`: merges each month's options files into one new file; optional GC.
import { resolve } from 'node:path';
import { parseFlags } from './flags.ts';
import { UsageError } from '../node/usage-error.ts';
import { parseDuration } from '../node/check/checks.ts';
import { compactMetrics, type CompactObserver } from '../node/metrics/compact.ts';
import { newRegistry, serveMetrics } from '../node/metrics/server.ts';
import { compactLake, gcLake } from '../node/realtime/compact.ts';
import { openWriterDb } from '../node/realtime/lake-io.ts';

export const COMPACT_USAGE = `usage: quantiv compact --data DIR [flags]

  --data DIR             lake folder holding manifest.json (required)
  --month YYYY-MM        only this month (default: every month with 2+ options files)
  --gc-older-than MIN    afterwards delete pinned manifests older than MIN minutes (not the current
                         one) and Parquet files no remaining manifest lists, also older than MIN
  --every D              keep running: compact (and GC) again every D (30s, 10m, 1h) until SIGTERM
  --metrics-port N       with --every: serve Prometheus metrics at http://HOST:N/metrics
                         (convention: 9473; 0 = any free port)
  --metrics-host H       address to bind (default 127.0.0.1)
  -h, --help             this text

Merged inputs stay on disk: readers holding an older manifest keep working until GC removes them.`;

export async function run(argv: string[]): Promise<number> {
  const values = parseFlags(
    argv,
    {
      data: { type: 'string' },
      month: { type: 'string' },
      'gc-older-than': { type: 'string' },
      every: { type: 'string' },
      'metrics-port': { type: 'string' },
      'metrics-host': { type: 'string' },
    },
    COMPACT_USAGE,
  );
  if (!values) return 0;
  if (!values.data) throw new UsageError('--data DIR is required');
  if (values.month !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(values.month)) {
    throw new UsageError(`--month must be YYYY-MM, got '${values.month}'`);
  }
  const gc = values['gc-older-than'];
  if (gc !== undefined && !/^\d+(\.\d+)?$/.test(gc)) throw new UsageError(`--gc-older-than must be minutes, got '${gc}'`);
  const port = values['metrics-port'];
  if (port !== undefined && (!/^\d+$/.test(port) || Number(port) > 65535)) throw new UsageError(`--metrics-port must be a port number (0-65535), got '${port}'`);
  if (port !== undefined && values.every === undefined) throw new UsageError('--metrics-port needs --every (a one-off run ends before any scrape)');
  let everyMs: number | undefined;
  try {
    everyMs = values.every === undefined ? undefined : parseDuration(values.every);
  } catch (e) {
    throw new UsageError(`--every: ${(e as Error).message}`);
  }
  const root = resolve(values.data);
  const once = async (): Promise<void> => {
    const db = await openWriterDb();
    try {
      const { results, manifest } = await compactLake(db.conn, root, values.month ? { month: values.month } : {});
      for (const r of results) console.log(`compacted ${r.month}: ${r.inputs.length} files -> ${r.output.path} (${r.output.rows} rows)`);
      console.log(manifest ? `published dataset ${manifest.datasetVersion}` : 'nothing to compact');
      merged = results.reduce((n, r) => n + r.inputs.length, 0);
      written = results.length;
    } finally {
      db.close();
    }
    if (gc !== undefined) {
      const r = await gcLake(root, Number(gc) * 60_000);
      console.log(`gc: deleted ${r.deletedFiles.length} file(s), ${r.deletedManifests.length} pinned manifest(s); kept ${r.keptFiles} file(s)`);
    }
  };
  let merged = 0;
  let written = 0;
  if (everyMs === undefined) {
    await once();
    return 0;
  }
  return loop(once, everyMs, port === undefined ? undefined : Number(port), values['metrics-host'], () => ({ merged, written }));
}

/** `--every`: one run per interval until SIGINT/SIGTERM; a failed run is logged and counted, not fatal. */
async function loop(once: () => Promise<void>, everyMs: number, port: number | undefined, host: string | undefined, counts: () => { merged: number; written: number }): Promise<number> {
  const server = port === undefined ? null : await serveMetrics(newRegistry(), port, host);
  const observer: CompactObserver | null = server ? compactMetrics(server.registry) : null;
  if (server) console.log(`metrics at ${server.url}`);
  let stopping = false;
  let wake: (() => void) | null = null;
  const stop = (sig: string) => {
    console.log(`${sig}: stopping after the current run`);
    stopping = true;
    wake?.();
  };
  const onInt = () => stop('SIGINT');
  const onTerm = () => stop('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    while (!stopping) {
      const t0 = performance.now();
      try {
        await once();
        observer?.succeeded({ ...counts(), seconds: (performance.now() - t0) / 1000 });
      } catch (e) {
        console.error(`compact failed: ${(e as Error).message}`);
        observer?.failed((performance.now() - t0) / 1000);
      }
      if (stopping) break;
      await new Promise<void>((r) => {
        const t = setTimeout(r, everyMs);
        wake = () => {
          clearTimeout(t);
          r();
        };
      });
      wake = null;
    }
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    await server?.close();
  }
  return 0;
}
