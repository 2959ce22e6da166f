// Earnings records on the quote stream, against a real redis-server on 127.0.0.1 and a copy of the
// small generated lake: valid reports join the calendar in the same publish as the quotes beside
// them (latest record wins per symbol and date), bad ones are dead-lettered with the reason, the
// old calendar file stays on disk for older readers, and the lake stays valid.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest, type Manifest } from '../../src/lake/manifest.ts';
import { rollupProblems } from '../../src/lake/rollups.ts';
import { openNative } from '../../src/node/engines/native.ts';
import { earningsFields } from '../../src/node/realtime/earnings-record.ts';
import { runIngest } from '../../src/node/realtime/ingest.ts';
import { generateQuotes, xaddMessages, type Message } from '../../src/node/realtime/produce.ts';
import { connectRedis, deadLetterStream, type Redis } from '../../src/node/realtime/stream.ts';
import { startRedis, type RedisServer } from '../support/redis.ts';
import { smallLake } from '../support/small-lake.ts';

const GROUP = 'quantiv-ingest';
let server: RedisServer;
let redis: Redis;
let scratch: string;
let quotes: Message[];

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'quantiv-rt-earnings-'));
  server = await startRedis();
  redis = await connectRedis(server.url);
  quotes = (await generateQuotes({ root: smallLake(), seed: 7, count: 30 })).messages;
});

afterAll(async () => {
  await redis?.close();
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const manifestOf = (root: string): Manifest => parseManifest(JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')));
const quiet = () => {};
const ingest = (root: string, stream: string) =>
  runIngest({ redisUrl: server.url, root, stream, group: GROUP, consumer: 'c1', flushMs: 60_000, maxBatch: 50_000, untilIdle: true, log: quiet });

async function calendar(root: string): Promise<string[]> {
  const e = await openNative(root);
  try {
    const r = await e.query("SELECT concat_ws(' ', symbol, strftime(earnings_date, '%Y-%m-%d'), session, coalesce(fiscal_quarter, '-')) AS line FROM earnings ORDER BY symbol, earnings_date");
    return (r.columns[0]!.values as string[]).slice();
  } finally {
    await e.close();
  }
}

async function deadReasons(stream: string): Promise<string[]> {
  const reply = (await redis.sendCommand(['XRANGE', deadLetterStream(stream), '-', '+'])) as [string, string[]][];
  return reply.map(([, flat]) => flat[flat.indexOf('reason') + 1]!);
}

describe('earnings records on the stream', () => {
  it('join the calendar in the same publish as the quotes; bad ones are dead-lettered with the reason', async () => {
    const root = join(scratch, 'lake');
    cpSync(smallLake(), root, { recursive: true });
    const before = manifestOf(root);
    const oldCal = before.files.find((f) => f.table === 'earnings')!;
    expect(await calendar(root)).toEqual(['AAPL 2025-07-28 amc 2025Q2', 'AAPL 2025-10-29 amc 2025Q3']);
    const good = [
      earningsFields({ symbol: 'AAPL', earnings_date: '2026-01-29', session: 'AMC', fiscal_quarter: '2025q4' }),
      // A correction of a listed report, and a repeat of another (which changes nothing).
      earningsFields({ symbol: 'AAPL', earnings_date: '2025-10-29', session: 'bmo', fiscal_quarter: '2025Q3' }),
      earningsFields({ symbol: 'AAPL', earnings_date: '2025-07-28', session: 'amc', fiscal_quarter: '2025Q2' }),
      // No quarter given: kept as NULL.
      earningsFields({ symbol: 'AAPL', earnings_date: '2026-04-30', session: 'amc' }),
    ];
    const bad = [
      earningsFields({ symbol: 'ZZZ', earnings_date: '2026-01-29', session: 'amc' }),
      earningsFields({ symbol: 'AAPL', earnings_date: '2099-01-29', session: 'amc' }),
      earningsFields({ symbol: 'AAPL', earnings_date: '2025-11-01', session: 'amc' }),
      earningsFields({ symbol: 'AAPL', earnings_date: '2026-01-29', session: 'lunch' }),
      earningsFields({ symbol: 'AAPL', session: 'amc' }),
      { kind: 'dividend', symbol: 'AAPL' },
    ];
    const stream = 'mixed';
    await xaddMessages(redis, stream, [...quotes.slice(0, 10), ...good.slice(0, 2), ...bad, ...good.slice(2), ...quotes.slice(10)]);
    const stats = await ingest(root, stream);
    expect(stats.flushes).toBe(1);
    expect(stats.rowsWritten).toBe(quotes.length);
    expect(stats.earningsWritten).toBe(3);
    expect(stats.dead).toBe(bad.length);
    const reasons = await deadReasons(stream);
    expect(reasons).toEqual([
      'rule symbol: ZZZ is not in the lake; allow it with --allow-symbols ZZZ',
      expect.stringMatching(/^rule earnings_date: 2099-01-29 is after \d{4}-\d\d-\d\d \(today \+ 366 days\)$/),
      'rule earnings_date: 2025-11-01 is not a trading day',
      "earnings: bad session: 'lunch' is not bmo or amc",
      'earnings: missing field earnings_date',
      "unknown record kind 'dividend' (known: quote, earnings)",
    ]);
    expect(await calendar(root)).toEqual([
      'AAPL 2025-07-28 amc 2025Q2', 'AAPL 2025-10-29 bmo 2025Q3', 'AAPL 2026-01-29 amc 2025Q4', 'AAPL 2026-04-30 amc -',
    ]);
    // One new manifest with both: an options file and the new calendar, which has its own name; the
    // old calendar is no longer listed but stays on disk for readers of the previous manifest.
    const after = manifestOf(root);
    const cal = after.files.filter((f) => f.table === 'earnings');
    expect(cal).toHaveLength(1);
    expect(cal[0]!.path).toMatch(/^metadata\/earnings_v[0-9a-f]{12}\.parquet$/);
    expect(cal[0]!.rows).toBe(4);
    expect(existsSync(join(root, oldCal.path))).toBe(true);
    expect(after.files.filter((f) => f.table === 'options').length).toBe(before.files.filter((f) => f.table === 'options').length + 1);
    expect(rollupProblems(after.files)).toEqual([]);
    // The app's moves read the new calendar: the corrected session and the added reports.
    const e = await openNative(root);
    try {
      const r = await e.query("SELECT count(*)::INTEGER AS n FROM earnings_moves WHERE symbol = 'AAPL'");
      expect(r.columns[0]!.values[0]).toBe(4);
    } finally {
      await e.close();
    }

    // The same records again: nothing changes, nothing is published.
    await xaddMessages(redis, stream, good);
    const again = await ingest(root, stream);
    expect(again.earningsWritten).toBe(0);
    expect(manifestOf(root).datasetVersion).toBe(after.datasetVersion);
  });
});
