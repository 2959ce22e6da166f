// `quantiv monitor`: the scheduled deployment check plus stream lag and service health, served as
// Prometheus metrics for the alert rules in deploy/prometheus/quantiv-rules.yml.
import { resolve } from 'node:path';
import { parseFlags } from './flags.ts';
import { UsageError } from '../node/usage-error.ts';
import { parseDuration } from '../node/check/checks.ts';
import { startMonitor } from '../node/metrics/monitor.ts';
import { newRegistry, serveMetrics } from '../node/metrics/server.ts';
import { connectRedis, DEFAULT_GROUP, DEFAULT_STREAM } from '../node/realtime/stream.ts';

export const MONITOR_USAGE = `usage: quantiv monitor --metrics-port N [flags]

  --metrics-port N   serve Prometheus metrics at http://HOST:N/metrics (convention: 9472; 0 = any)
  --metrics-host H   address to bind (default 127.0.0.1; 0.0.0.0 in a container)
  --check URL        run \`quantiv check URL\` on a schedule (the manifest or the lake base URL)
  --app URL          ... with the app checks too (page, CSP, wasm MIME)
  --max-age D        ... freshness limit (default 36h)
  --every D          ... how often (default 5m; 30s, 1h, ...)
  --redis URL        report the stream lag and whether Redis answers
  --stream NAME      stream ingest consumes (default ${DEFAULT_STREAM})
  --group NAME       ingest's consumer group (default ${DEFAULT_GROUP})
  --pg URL           report whether PostgreSQL answers
  --data DIR         report the local lake's last publish (its manifest's createdAt)
  -h, --help         this text

Runs until SIGINT/SIGTERM. Every metric is listed in docs/realtime.md.`;

export async function run(argv: string[]): Promise<number> {
  const values = parseFlags(
    argv,
    {
      'metrics-port': { type: 'string' },
      'metrics-host': { type: 'string' },
      check: { type: 'string' },
      app: { type: 'string' },
      'max-age': { type: 'string' },
      every: { type: 'string' },
      redis: { type: 'string' },
      stream: { type: 'string' },
      group: { type: 'string' },
      pg: { type: 'string' },
      data: { type: 'string' },
    },
    MONITOR_USAGE,
  );
  if (!values) return 0;
  const port = values['metrics-port'];
  if (port === undefined) throw new UsageError('--metrics-port N is required');
  if (!/^\d+$/.test(port) || Number(port) > 65535) throw new UsageError(`--metrics-port must be a port number (0-65535), got '${port}'`);
  if (!values.check && !values.redis && !values.pg && !values.data) throw new UsageError('nothing to monitor: give --check, --redis, --pg and/or --data');
  const duration = (flag: string, raw: string | undefined, dflt: string): number => {
    try {
      return parseDuration(raw ?? dflt);
    } catch (e) {
      throw new UsageError(`--${flag}: ${(e as Error).message}`);
    }
  };
  const log = (line: string) => console.log(`${new Date().toISOString()} monitor: ${line}`);
  // The monitor reports a Redis outage (quantiv_redis_up 0) rather than ending over it: it
  // reconnects forever, logging one line when Redis is lost and one when it is back.
  const redis = values.redis ? await connectRedis(values.redis, { giveUpMs: Infinity, warn: log, background: true }) : undefined;
  const server = await serveMetrics(newRegistry(), Number(port), values['metrics-host']);
  const monitor = startMonitor({
    registry: server.registry,
    check: values.check ? { url: values.check, app: values.app, maxAgeMs: duration('max-age', values['max-age'], '36h'), everyMs: duration('every', values.every, '5m') } : undefined,
    redis: redis ? { client: redis, stream: values.stream ?? DEFAULT_STREAM, group: values.group ?? DEFAULT_GROUP } : undefined,
    pgUrl: values.pg,
    root: values.data ? resolve(values.data) : undefined,
    log,
  });
  log(`metrics at ${server.url}`);
  await new Promise<void>((done) => {
    const stop = (sig: string) => {
      log(`${sig}: stopping`);
      done();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  monitor.stop();
  await server.close();
  await redis?.close().catch(() => {});
  return 0;
}
