// `quantiv produce`: replays generated quotes into a Redis stream (tests and demos).
import { resolve } from 'node:path';
import { parseFlags } from './flags.ts';
import { giveUpMs, giveUpUsage } from './give-up.ts';
import { UsageError } from '../node/usage-error.ts';
import { badMessages, generateQuotes, interleave, xaddMessages } from '../node/realtime/produce.ts';
import { connectRedis, DEFAULT_STREAM } from '../node/realtime/stream.ts';

export const PRODUCE_USAGE = `usage: quantiv produce --redis URL --data DIR [flags]

  --redis URL        redis://127.0.0.1:6379 style URL (required)
  --data DIR         lake whose last date is continued (required)
  --stream NAME      stream to write (default ${DEFAULT_STREAM})
  --date YYYY-MM-DD  quote date (default: the next trading day after the lake's last options date)
  --symbols LIST     comma-separated tickers (default: the lake's symbols)
  --seed N           generator seed the lake was made with (default 42, generate's default)
  --count N          at most N quotes, round-robin over symbols (default: the whole day)
  --rate R           messages per second (default 0 = as fast as possible)
  --bad K            also send K malformed messages (they must end in NAME:dead)
${giveUpUsage(21)}
  -h, --help         this text

Each message is written exactly once, also across a lost connection: produce picks the stream IDs
and, after a reconnect, resends only those Redis does not have. Exit codes: 0 done, 2 usage,
4 Redis unreachable past --give-up-after, 5 Redis refused; see docs/realtime.md.`;

export async function run(argv: string[]): Promise<number> {
  const values = parseFlags(
    argv,
    {
      redis: { type: 'string' },
      data: { type: 'string' },
      stream: { type: 'string' },
      date: { type: 'string' },
      symbols: { type: 'string' },
      seed: { type: 'string' },
      count: { type: 'string' },
      rate: { type: 'string' },
      bad: { type: 'string' },
      'give-up-after': { type: 'string' },
    },
    PRODUCE_USAGE,
  );
  if (!values) return 0;
  if (!values.redis) throw new UsageError('--redis URL is required');
  if (!values.data) throw new UsageError('--data DIR is required');
  const num = (name: string, raw: string | undefined): number | undefined => {
    if (raw === undefined) return undefined;
    if (!/^\d+(\.\d+)?$/.test(raw)) throw new UsageError(`--${name} must be a non-negative number, got '${raw}'`);
    return Number(raw);
  };
  if (values.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.date)) throw new UsageError(`--date must be YYYY-MM-DD`);
  const count = num('count', values.count);
  const giveUp = giveUpMs(values['give-up-after']);
  const seed = num('seed', values.seed);
  const started = performance.now();
  const { date, messages } = await generateQuotes({
    root: resolve(values.data),
    ...(values.date ? { date: values.date } : {}),
    ...(values.symbols ? { symbols: values.symbols.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean) } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(count !== undefined ? { count } : {}),
  });
  const bad = badMessages(messages, num('bad', values.bad) ?? 0);
  const all = interleave(messages, bad);
  const redis = await connectRedis(values.redis, { giveUpMs: giveUp, warn: (l) => console.error(`${new Date().toISOString()} produce: ${l}`) });
  const stream = values.stream ?? DEFAULT_STREAM;
  try {
    const t0 = performance.now();
    const ids = await xaddMessages(redis, stream, all, num('rate', values.rate) ?? 0);
    const s = (performance.now() - t0) / 1000;
    console.log(
      `produced ${messages.length} quotes for ${date} + ${bad.length} bad -> ${stream} ` +
        `(${ids[0] ?? '-'} .. ${ids.at(-1) ?? '-'}) in ${s.toFixed(2)} s (${Math.round(all.length / Math.max(s, 1e-3))} msg/s; ` +
        `generated in ${((t0 - started) / 1000).toFixed(2)} s)`,
    );
  } finally {
    await redis.close().catch(() => {});
  }
  return 0;
}
