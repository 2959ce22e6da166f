// Ingest against a real redis-server on 127.0.0.1 and a copy of the small generated lake:
// dead-letter, dedupe, and a kill between every two steps followed by a re-run must leave every
// valid quote in the lake exactly once with nothing pending.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest, type Manifest } from '../../src/lake/manifest.ts';
import { quoteString } from '../../src/lake/schema.ts';
import { CRASH_STEPS } from '../../src/node/realtime/crash.ts';
import { runIngest } from '../../src/node/realtime/ingest.ts';
import { badMessages, generateQuotes, interleave, xaddMessages, type Message } from '../../src/node/realtime/produce.ts';
import { connectRedis, deadLetterStream, type Redis } from '../../src/node/realtime/stream.ts';
import { startRedis, type RedisServer } from '../support/redis.ts';
import { lakeCopies, smallLake } from '../support/small-lake.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const GROUP = 'quantiv-ingest';
let server: RedisServer;
let redis: Redis;
let base: string;
let quotes: Message[];
let scratch: string;
let freshLake: () => { root: string; stream: string };

beforeAll(async () => {
  base = smallLake();
  scratch = mkdtempSync(join(tmpdir(), 'quantiv-rt-test-'));
  freshLake = lakeCopies(base, scratch, 'quotes');
  server = await startRedis();
  redis = await connectRedis(server.url);
  // Seed 7 is the small lake's; 120 quotes of the next trading day, round-robin over its symbols.
  quotes = (await generateQuotes({ root: base, seed: 7, count: 120 })).messages;
});

afterAll(async () => {
  await redis?.close();
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});


const manifestOf = (root: string): Manifest => parseManifest(JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')));

/** Options rows of the quote date, and the count of distinct natural keys, from the published manifest. */
async function lakeRows(root: string, date: string): Promise<{ rows: number; keys: number; bids: Map<string, string> }> {
  const m = manifestOf(root);
  const files = m.files.filter((f) => f.table === 'options').map((f) => quoteString(join(root, f.path)));
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    const rel = `read_parquet([${files.join(', ')}]) WHERE date = DATE '${date}'`;
    const [rows, keys] = (await conn.runAndReadAll(`SELECT count(*), count(DISTINCT (date, act_symbol, expiration, strike, call_put)) FROM ${rel}`)).getRows()[0]!.map(Number);
    const bids = new Map<string, string>();
    for (const [k, b] of (await conn.runAndReadAll(`SELECT concat_ws('|', act_symbol, expiration, strike, call_put), bid::VARCHAR FROM ${rel}`)).getRows()) {
      bids.set(String(k), String(b));
    }
    return { rows: rows!, keys: keys!, bids };
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

async function pendingCount(stream: string): Promise<number> {
  const reply = (await redis.sendCommand(['XPENDING', stream, GROUP])) as unknown[];
  return Number(reply[0]);
}

async function deadEntries(stream: string): Promise<Record<string, string>[]> {
  const reply = (await redis.sendCommand(['XRANGE', deadLetterStream(stream), '-', '+'])) as [string, string[]][];
  return reply.map(([, flat]) => Object.fromEntries(Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!])));
}

function cli(args: string[], env: Record<string, string> = {}): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/quantiv.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const ingestArgs = (root: string, stream: string) => ['ingest', '--redis', server.url, '--data', root, '--stream', stream, '--consumer', 'c1', '--until-idle', '--quiet'];
const quiet = () => {};
const date = () => quotes[0]!.date!;

describe('ingest', () => {
  it('publishes valid quotes once, dead-letters bad ones with the reason, leaves nothing pending', async () => {
    const { root, stream } = freshLake();
    const before = manifestOf(root);
    const bad = badMessages(quotes, 5);
    await xaddMessages(redis, stream, interleave(quotes, bad));
    const stats = await runIngest({ redisUrl: server.url, root, stream, group: GROUP, consumer: 'c1', flushMs: 1000, maxBatch: 50_000, untilIdle: true, log: quiet });
    expect(stats.dead).toBe(5);
    expect(stats.rowsWritten).toBe(quotes.length);
    const { rows, keys } = await lakeRows(root, date());
    expect(rows).toBe(quotes.length);
    expect(keys).toBe(quotes.length);
    expect(await pendingCount(stream)).toBe(0);
    const dead = await deadEntries(stream);
    expect(dead.length).toBe(5);
    expect(dead.map((d) => d.reason)).toEqual(expect.arrayContaining([expect.stringContaining('missing field strike'), expect.stringContaining("'X' is not C or P")]));
    expect(dead.every((d) => /^\d+-\d+$/.test(d.id!) && d.act_symbol !== undefined)).toBe(true);
    // The new manifest keeps every earlier file and adds one rt_ file named by its ID range.
    const after = manifestOf(root);
    expect(after.files.length).toBe(before.files.length + 1);
    const added = after.files.find((f) => !before.files.some((b) => b.path === f.path))!;
    expect(added.path).toMatch(/^options\/year=\d{4}\/month=\d{2}\/options_\d{4}_\d{2}_rt_\d+-\d+_\d+-\d+\.parquet$/);
    expect(added.minDate).toBe(date());
    // Pinned copy of the published version, for links pinned to it.
    const pinned = join(root, 'manifests', `${after.datasetVersion}.json`);
    expect(existsSync(pinned)).toBe(true);
    expect(parseManifest(JSON.parse(readFileSync(pinned, 'utf8')))).toEqual({ ...after });
  });

  it('dedupes against published rows and within a batch (last entry wins)', async () => {
    const { root, stream } = freshLake();
    const first = quotes.slice(0, 60);
    await xaddMessages(redis, stream, first);
    await runIngest({ redisUrl: server.url, root, stream, group: GROUP, consumer: 'c1', flushMs: 1000, maxBatch: 50_000, untilIdle: true, log: quiet });
    const v1 = manifestOf(root).datasetVersion;
    // The same quotes again (new stream IDs): all already published, nothing written.
    await xaddMessages(redis, stream, first);
    const again = await runIngest({ redisUrl: server.url, root, stream, group: GROUP, consumer: 'c1', flushMs: 1000, maxBatch: 50_000, untilIdle: true, log: quiet });
    expect(again.alreadyPublished).toBe(60);
    expect(again.rowsWritten).toBe(0);
    expect(manifestOf(root).datasetVersion).toBe(v1);
    // New quotes with one key sent twice in the batch with different bids: the later one is kept.
    const q = quotes[70]!;
    const later = { ...q, bid: '0.01', ask: '99.99' };
    await xaddMessages(redis, stream, [...quotes.slice(60), later]);
    const third = await runIngest({ redisUrl: server.url, root, stream, group: GROUP, consumer: 'c1', flushMs: 1000, maxBatch: 50_000, untilIdle: true, log: quiet });
    expect(third.supersededInBatch).toBe(1);
    const { rows, keys, bids } = await lakeRows(root, date());
    expect(rows).toBe(quotes.length);
    expect(keys).toBe(quotes.length);
    expect(bids.get([q.act_symbol, q.expiration, q.strike, q.call_put].join('|'))).toBe('0.01');
    expect(await pendingCount(stream)).toBe(0);
  });

  it.each(CRASH_STEPS.filter((s) => s !== 'after-compact-write'))(
    'a kill at %s loses and duplicates nothing after a re-run',
    async (step) => {
      const { root, stream } = freshLake();
      const bad = badMessages(quotes, 3);
      await xaddMessages(redis, stream, interleave(quotes, bad));
      const crashed = cli(ingestArgs(root, stream), { QUANTIV_CRASH_AT: step });
      expect(crashed.status, crashed.out).toBe(137);
      if (step !== 'after-manifest' && step !== 'mid-ack') expect(await pendingCount(stream)).toBeGreaterThan(0);
      // A leftover temp file (as a kill -9 mid-write would leave) must not survive the re-run either.
      const month = join(root, 'options', 'year=2025', 'month=09');
      mkdirSync(month, { recursive: true });
      writeFileSync(join(month, 'options_2025_09_rt_1-0_2-0.parquet.99999.tmp'), 'partial');
      const published = manifestOf(root).datasetVersion;
      const rerun = cli(ingestArgs(root, stream));
      expect(rerun.status, rerun.out).toBe(0);
      const { rows, keys } = await lakeRows(root, date());
      expect(rows).toBe(quotes.length);
      expect(keys).toBe(quotes.length);
      expect(await pendingCount(stream)).toBe(0);
      // Dead letters are at-least-once: a kill between the copy and its ack copies that one again.
      const dead = await deadEntries(stream);
      expect(dead.length).toBeGreaterThanOrEqual(3);
      expect(new Set(dead.map((d) => d.id)).size).toBe(3);
      const m = manifestOf(root);
      // Killed after publishing: the re-run only acknowledges, it publishes nothing new.
      if (step === 'after-manifest' || step === 'mid-ack') expect(m.datasetVersion).toBe(published);
      for (const f of m.files) expect(existsSync(join(root, f.path))).toBe(true);
      expect(existsSync(join(root, 'manifests', `${m.datasetVersion}.json`))).toBe(true);
      expect(readdirSync(month).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      expect(existsSync(join(root, '.quantiv-writer.lock'))).toBe(false);
    },
  );

  it('a kill after a write whose name is reused on re-run publishes the rewritten file, not a second copy', async () => {
    const { root, stream } = freshLake();
    await xaddMessages(redis, stream, quotes.slice(0, 40));
    expect(cli(ingestArgs(root, stream), { QUANTIV_CRASH_AT: 'after-write' }).status).toBe(137);
    const month = join(root, 'options', 'year=2025', 'month=09');
    const orphan = readdirSync(month);
    expect(orphan.length).toBe(1);
    expect(cli(ingestArgs(root, stream)).status).toBe(0);
    expect(readdirSync(month)).toEqual(orphan);
    expect(manifestOf(root).files.filter((f) => f.path.includes('month=09')).map((f) => f.path.split('/').pop())).toEqual(orphan);
  });
});
