// Ingest rules (src/node/realtime/rules.ts) and claiming a dead consumer's pending entries, against a
// real redis-server on 127.0.0.1 and a copy of the small generated lake; the lake is then read row
// by row.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/lake/manifest.ts';
import { quoteString } from '../../src/lake/schema.ts';
import { runIngest } from '../../src/node/realtime/ingest.ts';
import { generateQuotes, xaddMessages, type Message } from '../../src/node/realtime/produce.ts';
import { ruleViolation, type IngestRules } from '../../src/node/realtime/rules.ts';
import { validateQuote } from '../../src/node/realtime/quote.ts';
import { connectRedis, deadLetterStream, readGroup, type Redis } from '../../src/node/realtime/stream.ts';
import { startRedis, type RedisServer } from '../support/redis.ts';
import { lakeCopies, smallLake } from '../support/small-lake.ts';

const GROUP = 'quantiv-ingest';
let server: RedisServer;
let redis: Redis;
let base: string;
let scratch: string;
let freshLake: () => { root: string; stream: string };
let quotes: Message[];

beforeAll(async () => {
  base = smallLake();
  scratch = mkdtempSync(join(tmpdir(), 'quantiv-rules-test-'));
  freshLake = lakeCopies(base, scratch, 'rules');
  server = await startRedis();
  redis = await connectRedis(server.url);
  quotes = (await generateQuotes({ root: base, seed: 7, count: 40 })).messages;
});

afterAll(async () => {
  await redis?.close();
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});


/** Every options row the published manifest lists, as key|bid text, sorted. */
async function lakeKeys(root: string): Promise<string[]> {
  const m = parseManifest(JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')));
  const files = m.files.filter((f) => f.table === 'options').map((f) => quoteString(join(root, f.path)));
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    return (await conn.runAndReadAll(`SELECT concat_ws('|', date, act_symbol, expiration, strike, call_put, bid) AS k FROM read_parquet([${files.join(', ')}]) ORDER BY k`))
      .getRows().map((r) => String(r[0]));
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

const keyOf = (m: Message) => [m.date, m.act_symbol, m.expiration, m.strike, m.call_put, m.bid].join('|');

async function deadReasons(stream: string): Promise<string[]> {
  const reply = (await redis.sendCommand(['XRANGE', deadLetterStream(stream), '-', '+'])) as [string, string[]][];
  return reply.map(([, flat]) => flat[flat.indexOf('reason') + 1]!);
}

const pendingCount = async (stream: string): Promise<number> => Number(((await redis.sendCommand(['XPENDING', stream, GROUP])) as unknown[])[0]);

describe('ruleViolation', () => {
  const rules: IngestRules = { firstDate: '2024-01-02', lastDate: '2026-12-02', lastEarningsDate: '2027-12-02', tradingDaysOnly: true, maxExpirationYears: 5, symbols: new Set(['SPY']) };
  const row = (over: Record<string, string>) => {
    const v = validateQuote({ date: '2025-09-02', act_symbol: 'SPY', expiration: '2025-09-19', strike: '645.00', call_put: 'C', ...over });
    if (!v.ok) throw new Error(v.reason);
    return v.row;
  };
  it.each([
    [{}, null],
    [{ date: '2099-01-02', expiration: '2099-01-16' }, 'rule date: 2099-01-02 is after 2026-12-02 (today + 1 day)'],
    [{ date: '0001-01-01' }, "rule date: 0001-01-01 is before the lake's first date 2024-01-02"],
    [{ date: '2025-08-30' }, 'rule date: 2025-08-30 is not a trading day'],
    [{ date: '2025-07-04', expiration: '2025-07-18' }, 'rule date: 2025-07-04 is not a trading day'],
    [{ expiration: '9999-12-31' }, 'rule expiration: 9999-12-31 is more than 5 years after 2025-09-02'],
    [{ expiration: '2030-09-02' }, null],
    [{ expiration: '2030-09-03' }, 'rule expiration: 2030-09-03 is more than 5 years after 2025-09-02'],
    [{ act_symbol: 'ZZZZ' }, 'rule symbol: ZZZZ is not in the lake; allow it with --allow-symbols ZZZZ'],
    [{ date: '2026-12-02', expiration: '2026-12-18' }, null],
  ] as [Record<string, string>, string | null][])('%j -> %s', (over, reason) => {
    expect(ruleViolation(row(over), rules)).toBe(reason);
  });
});

describe('ingest applies the rules', () => {
  it('dead-letters each violation with its reason; the lake gets exactly the valid quotes', async () => {
    const { root, stream } = freshLake();
    const before = await lakeKeys(root);
    const g = quotes[0]!;
    const bad: Message[] = [
      { ...g, date: '2099-01-02', expiration: '2099-01-16' },
      { ...g, date: '0001-01-01' },
      { ...g, date: '2025-09-06', expiration: '2025-09-19' }, // a Saturday
      { ...g, expiration: '9999-12-31' },
      { ...g, act_symbol: 'ZZZZ' },
    ];
    const allowed: Message = { ...g, act_symbol: 'NEWCO' };
    await xaddMessages(redis, stream, [...bad, ...quotes, allowed]);
    const stats = await runIngest({
      redisUrl: server.url, root, stream, group: GROUP, consumer: 'c1', flushMs: 1000, maxBatch: 50_000, untilIdle: true,
      rules: { allowSymbols: ['NEWCO'] }, log: () => {},
    });
    expect(stats.dead).toBe(5);
    expect(await deadReasons(stream)).toEqual([
      expect.stringMatching(/^rule date: 2099-01-02 is after \d{4}-\d\d-\d\d \(today \+ 1 day\)$/),
      "rule date: 0001-01-01 is before the lake's first date 2025-05-01",
      'rule date: 2025-09-06 is not a trading day',
      `rule expiration: 9999-12-31 is more than 5 years after ${g.date}`,
      'rule symbol: ZZZZ is not in the lake; allow it with --allow-symbols ZZZZ',
    ]);
    expect(await lakeKeys(root)).toEqual([...before, ...quotes.map(keyOf), keyOf(allowed)].sort());
    const m = parseManifest(JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')));
    expect(m.files.filter((f) => f.table === 'options').map((f) => f.maxDate).sort().at(-1)).toBe(g.date);
    expect(await pendingCount(stream)).toBe(0);
  }, 120_000);

  it("claims a dead consumer's pending entries (XAUTOCLAIM) with a warning, and ingests each once", async () => {
    const { root, stream } = freshLake();
    const before = await lakeKeys(root);
    await xaddMessages(redis, stream, quotes);
    await redis.sendCommand(['XGROUP', 'CREATE', stream, GROUP, '0', 'MKSTREAM']);
    // A consumer that read half the stream and died before acknowledging anything.
    const taken = await readGroup(redis, { stream, group: GROUP, consumer: 'dead', id: '>', count: 20 });
    expect(taken).toHaveLength(20);
    await new Promise((r) => setTimeout(r, 30));
    const lines: string[] = [];
    const stats = await runIngest({
      redisUrl: server.url, root, stream, group: GROUP, consumer: 'alive', flushMs: 1000, maxBatch: 50_000, untilIdle: true,
      claimIdleMs: 20, log: (l) => lines.push(l),
    });
    expect(stats.claimed).toBe(20);
    expect(lines).toContain('warning: claimed 20 entries pending over 0 s with other consumers (dead?)');
    expect(stats.rowsWritten).toBe(quotes.length);
    expect(await lakeKeys(root)).toEqual([...before, ...quotes.map(keyOf)].sort());
    expect(await pendingCount(stream)).toBe(0);
  }, 120_000);
});
