// `quantiv ingest`: Redis stream -> immutable Parquet files + atomic manifest publishes.
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { parseFlags } from './flags.ts';
import { giveUpMs, giveUpUsage } from './give-up.ts';
import { UsageError } from '../node/usage-error.ts';
import { runIngest } from '../node/realtime/ingest.ts';
import { DEFAULT_GROUP, DEFAULT_STREAM } from '../node/realtime/stream.ts';

export const INGEST_USAGE = `usage: quantiv ingest --redis URL --data DIR [flags]

  --redis URL        redis://127.0.0.1:6379 style URL (required)
  --data DIR         lake folder holding manifest.json (required)
  --stream NAME      stream to consume (default ${DEFAULT_STREAM}); bad messages go to NAME:dead
  --group NAME       consumer group (default ${DEFAULT_GROUP})
  --consumer NAME    consumer name, stable across restarts so pending entries are recovered
                     (default ${'<hostname>'})
  --flush-ms N       publish buffered quotes every N ms (default 5000)
  --max-batch N      publish early once N quotes are buffered (default 50000)
  --until-idle       exit after the stream has nothing new (pending first, then new, then flush)
  --metrics-port N   serve Prometheus metrics at http://HOST:N/metrics (convention: 9471; 0 = any
                     free port; off by default). docs/realtime.md lists every metric
  --metrics-host H   address to bind the metrics port to (default 127.0.0.1; 0.0.0.0 in a container)
  --allow-symbols A,B  accept these symbols besides the lake's own (symbols_metadata, rollups)
  --any-symbol       accept every symbol (a lake that has none yet)
  --max-expiration-years N  reject expirations more than N years after the quote (default 5)
  --allow-non-trading-days  accept quotes dated on weekends and exchange holidays
  --claim-idle-ms N  claim other consumers' entries pending longer than N ms (default 60000)
${giveUpUsage(21)}
  --quiet            log only errors (and the Redis lost / reconnected lines)
  -h, --help         this text

Delivery: at-least-once from Redis, deduplicated on (date, act_symbol, expiration, strike, call_put),
so every valid quote lands in the lake exactly once even across crashes. SIGINT/SIGTERM flush first.
Rules (src/node/realtime/rules.ts): the quote date lies in [the lake's first date, today + 1 day] and
is a trading day, the expiration within the horizon, the symbol known or allowed; a violation goes to
NAME:dead with its reason.
Exit codes: 0 stopped (SIGINT/SIGTERM, --until-idle), 2 usage, 4 Redis unreachable past
--give-up-after, 5 Redis refused (bad password); see docs/realtime.md.`;

export async function run(argv: string[]): Promise<number> {
  const values = parseFlags(
    argv,
    {
      redis: { type: 'string' },
      data: { type: 'string' },
      stream: { type: 'string' },
      group: { type: 'string' },
      consumer: { type: 'string' },
      'flush-ms': { type: 'string' },
      'max-batch': { type: 'string' },
      'until-idle': { type: 'boolean' },
      'metrics-port': { type: 'string' },
      'metrics-host': { type: 'string' },
      'allow-symbols': { type: 'string' },
      'any-symbol': { type: 'boolean' },
      'max-expiration-years': { type: 'string' },
      'allow-non-trading-days': { type: 'boolean' },
      'claim-idle-ms': { type: 'string' },
      'give-up-after': { type: 'string' },
      quiet: { type: 'boolean' },
    },
    INGEST_USAGE,
  );
  if (!values) return 0;
  if (!values.redis) throw new UsageError('--redis URL is required');
  if (!values.data) throw new UsageError('--data DIR is required');
  const int = (name: string, raw: string | undefined, dflt: number): number => {
    if (raw === undefined) return dflt;
    if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`--${name} must be a positive integer, got '${raw}'`);
    return Number(raw);
  };
  const metricsPort = values['metrics-port'];
  if (metricsPort !== undefined && (!/^\d+$/.test(metricsPort) || Number(metricsPort) > 65535)) {
    throw new UsageError(`--metrics-port must be a port number (0-65535), got '${metricsPort}'`);
  }
  const quiet = values.quiet ?? false;
  const log = (line: string) => {
    if (!quiet) console.log(`${new Date().toISOString()} ingest: ${line}`);
  };
  const warn = (line: string) => console.error(`${new Date().toISOString()} ingest: ${line}`);
  const stats = await runIngest({
    redisUrl: values.redis,
    root: resolve(values.data),
    stream: values.stream ?? DEFAULT_STREAM,
    group: values.group ?? DEFAULT_GROUP,
    consumer: values.consumer ?? hostname(),
    flushMs: int('flush-ms', values['flush-ms'], 5000),
    maxBatch: int('max-batch', values['max-batch'], 50_000),
    untilIdle: values['until-idle'] ?? false,
    metricsPort: metricsPort === undefined ? undefined : Number(metricsPort),
    metricsHost: values['metrics-host'],
    claimIdleMs: int('claim-idle-ms', values['claim-idle-ms'], 60_000),
    rules: {
      ...(values['allow-symbols'] ? { allowSymbols: values['allow-symbols'].split(',').map((x) => x.trim()).filter(Boolean) } : {}),
      anySymbol: values['any-symbol'] ?? false,
      maxExpirationYears: int('max-expiration-years', values['max-expiration-years'], 5),
      allowNonTradingDays: values['allow-non-trading-days'] ?? false,
    },
    log,
    warn,
    giveUpMs: giveUpMs(values['give-up-after']),
  });
  log(`stopped: ${JSON.stringify(stats)}`);
  return 0;
}
