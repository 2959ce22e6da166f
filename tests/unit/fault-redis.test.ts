// Redis faults against the real tools: a real redis-server (append-only, fsync always, so a kill -9
// loses nothing it acknowledged) is killed and restarted under a running `quantiv ingest` and a
// running `quantiv produce`, and kept down past ingest's give-up time. After each, the lake is
// compared row by row with what was sent: every quote exactly once, every column as sent.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/lake/manifest.ts';
import { quoteString, TABLES } from '../../src/lake/schema.ts';
import { EXIT } from '../../src/node/exit-codes.ts';
import { generateQuotes, xaddMessages, type Message } from '../../src/node/realtime/produce.ts';
import { streamLag } from '../../src/node/metrics/stream-lag.ts';
import { freePort } from '../../src/node/net.ts';
import { connectRedis, type Redis } from '../../src/node/realtime/stream.ts';
import { startRedis, type RedisServer } from '../support/redis.ts';
import { runCli as run } from '../support/cli-process.ts';
import { lakeCopies, smallLake } from '../support/small-lake.ts';

const GROUP = 'quantiv-ingest';
const KEY = ['act_symbol', 'expiration', 'strike', 'call_put'] as const;
const STACK = /\n\s+at /;

let server: RedisServer;
let redis: Redis;
let base: string;
let scratch: string;
let freshLake: () => { root: string; stream: string };
let quotes: Message[];

beforeAll(async () => {
  base = smallLake();
  scratch = mkdtempSync(join(tmpdir(), 'quantiv-fault-redis-'));
  freshLake = lakeCopies(base, scratch, 'quotes');
  server = await startRedis({ persist: true });
  // The test's own client rides out the restarts too (and says nothing about them).
  redis = await connectRedis(server.url, { warn: () => {} });
  quotes = (await generateQuotes({ root: base, seed: 7, count: 1200 })).messages;
}, 120_000);

afterAll(async () => {
  await redis?.close().catch(() => {});
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});


const keyOf = (m: Record<string, string | null>): string => KEY.map((k) => m[k]).join('|');

/** The lake's options rows of the quote date, every column as text, by natural key; and the row count. */
async function lakeRows(root: string, date: string): Promise<{ count: number; rows: Map<string, Record<string, string | null>> }> {
  const m = parseManifest(JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')));
  const files = m.files.filter((f) => f.table === 'options').map((f) => quoteString(join(root, f.path)));
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    const cols = TABLES.options.columns.map((c) => `CAST("${c.name}" AS VARCHAR) AS "${c.name}"`).join(', ');
    const reader = await conn.runAndReadAll(`SELECT ${cols} FROM read_parquet([${files.join(', ')}]) WHERE date = DATE '${date}'`);
    const names = reader.columnNames();
    const rows = new Map<string, Record<string, string | null>>();
    const all = reader.getRows();
    for (const r of all) {
      const row = Object.fromEntries(names.map((c, i) => [c, r[i] === null ? null : String(r[i])]));
      rows.set(keyOf(row), row);
    }
    return { count: all.length, rows };
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

/** Every message in the lake exactly once, with every column as sent (absent fields are NULL). */
async function expectLakeHolds(root: string, sent: Message[]): Promise<void> {
  const { count, rows } = await lakeRows(root, sent[0]!.date!);
  expect(count, `options rows of ${sent[0]!.date} in ${root}`).toBe(sent.length);
  expect(rows.size).toBe(sent.length);
  for (const m of sent) {
    const row = rows.get(keyOf(m));
    expect(row, keyOf(m)).toBeDefined();
    for (const c of TABLES.options.columns) expect(row![c.name], `${keyOf(m)} ${c.name}`).toBe(m[c.name] ?? null);
  }
}

/**
 * Entries not yet delivered and delivered-not-acknowledged, as ingest's own metric counts them
 * (after a restart Redis may report the group's lag as unknown; streamLag then counts).
 */
async function groupState(stream: string): Promise<{ lag: number; pending: number }> {
  const { undelivered, pending } = await streamLag(redis, stream, GROUP);
  return { lag: undelivered, pending };
}

async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function outageLines(stderr: string): { lost: string[]; back: string[] } {
  const lines = stderr.split('\n');
  return { lost: lines.filter((l) => / lost \(/.test(l)), back: lines.filter((l) => / reconnected after /.test(l)) };
}

describe('Redis restarts under the tools', () => {
  it('ingest: Redis killed mid-consumption and restarted; it reconnects, logs one line each way, and the lake has every quote once', async () => {
    const { root, stream } = freshLake();
    await xaddMessages(redis, stream, quotes);
    const ingest = run(['ingest', '--redis', server.url, '--data', root, '--stream', stream, '--consumer', 'c1',
      '--flush-ms', '200', '--max-batch', '100', '--metrics-port', '0', '--give-up-after', '60s']);
    try {
      await ingest.waitFor(/flush 100 entries/);
      await server.restart(1500);
      await until('everything published and acknowledged', async () => {
        const s = await groupState(stream);
        return s.lag === 0 && s.pending === 0;
      });
      const metricsUrl = /metrics at (\S+)/.exec(ingest.stdout())![1]!;
      const scrape = await (await fetch(metricsUrl)).text();
      expect(Number(/^quantiv_ingest_reconnects_total (\d+)/m.exec(scrape)![1])).toBeGreaterThanOrEqual(1);
      expect(Number(/^quantiv_redis_up (\d+)/m.exec(scrape)![1])).toBe(1);
    } finally {
      ingest.child.kill('SIGTERM');
    }
    expect(await ingest.exited, ingest.stderr()).toBe(EXIT.OK);
    const { lost, back } = outageLines(ingest.stderr());
    expect(lost, ingest.stderr()).toHaveLength(1);
    expect(back, ingest.stderr()).toHaveLength(1);
    expect(lost[0]).toMatch(/ingest: Redis at 127\.0\.0\.1:\d+ lost \(.+\); reconnecting with backoff, giving up after 60\.0 s$/);
    expect(back[0]).toMatch(/ingest: Redis at 127\.0\.0\.1:\d+ reconnected after \d+\.\d s \(\d+ attempts?\)$/);
    expect(ingest.stderr()).not.toMatch(STACK);
    // Each row written once by this run (whether a command failed in the drop and the loop resumed,
    // or the drop fell between commands and the next one just waited for the reconnect).
    const stats = JSON.parse(/stopped: (\{.*\})/.exec(ingest.stdout())![1]!) as { read: number; rowsWritten: number; alreadyPublished: number };
    expect(stats, ingest.stdout()).toMatchObject({ read: quotes.length, rowsWritten: quotes.length, alreadyPublished: 0 });
    await expectLakeHolds(root, quotes);
  }, 180_000);

  it('produce: Redis killed mid-stream and restarted; no message is missing or doubled in the stream, nor then in the lake', async () => {
    const { root, stream } = freshLake();
    const produce = run(['produce', '--redis', server.url, '--data', base, '--seed', '7', '--count', String(quotes.length),
      '--rate', '400', '--stream', stream, '--give-up-after', '60s']);
    await until('produce under way', async () => Number(await redis.sendCommand(['XLEN', stream])) >= 300);
    await server.restart(1500);
    expect(await produce.exited, produce.stderr()).toBe(EXIT.OK);
    const { lost, back } = outageLines(produce.stderr());
    expect(lost, produce.stderr()).toHaveLength(1);
    expect(back, produce.stderr()).toHaveLength(1);
    expect(produce.stderr()).not.toMatch(STACK);
    expect(produce.stdout()).toContain(`produced ${quotes.length} quotes`);
    // The stream itself: each message once, in order, nothing lost.
    const entries = (await redis.sendCommand(['XRANGE', stream, '-', '+'])) as [string, string[]][];
    const sent = entries.map(([, flat]) => Object.fromEntries(Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!])));
    expect(sent.map(keyOf)).toEqual(quotes.map(keyOf));
    expect(sent).toEqual(quotes);
    // And what ingest makes of it.
    const ingest = run(['ingest', '--redis', server.url, '--data', root, '--stream', stream, '--consumer', 'c1', '--until-idle', '--quiet']);
    expect(await ingest.exited, ingest.stderr()).toBe(EXIT.OK);
    await expectLakeHolds(root, quotes);
  }, 180_000);

  it('ingest: Redis kept down past --give-up-after; exit 4 with one line each, what it had read is published, and a re-run after Redis is back acknowledges it once', async () => {
    const { root, stream } = freshLake();
    await xaddMessages(redis, stream, quotes);
    // A long flush interval: everything is read into the buffer, nothing published yet.
    const ingest = run(['ingest', '--redis', server.url, '--data', root, '--stream', stream, '--consumer', 'c1',
      '--flush-ms', '600000', '--max-batch', '100000', '--give-up-after', '3s', '--quiet']);
    await until('all delivered to ingest', async () => (await groupState(stream)).pending === quotes.length);
    // The outage starts when the server dies, so the clock starts before the kill.
    const t0 = Date.now();
    await server.kill();
    const code = await ingest.exited;
    const downFor = Date.now() - t0;
    await server.start();
    expect(code, ingest.stderr()).toBe(EXIT.UNAVAILABLE);
    expect(downFor).toBeGreaterThanOrEqual(3000);
    const lines = ingest.stderr().trim().split('\n');
    expect(lines.filter((l) => / lost \(/.test(l))).toHaveLength(1);
    expect(lines.at(-1)).toMatch(/^quantiv ingest: Redis at 127\.0\.0\.1:\d+ unreachable for \d+\.\d s \(.+\): gave up after \d+ attempts \(--give-up-after 3\.0 s\)$/);
    expect(ingest.stderr()).not.toMatch(STACK);
    // Published before exiting, but not acknowledged: Redis still holds them pending.
    await expectLakeHolds(root, quotes);
    expect((await groupState(stream)).pending).toBe(quotes.length);
    const rerun = run(['ingest', '--redis', server.url, '--data', root, '--stream', stream, '--consumer', 'c1', '--until-idle']);
    expect(await rerun.exited, rerun.stderr()).toBe(EXIT.OK);
    expect(rerun.stdout()).toContain(`${quotes.length} already published`);
    expect(await groupState(stream)).toEqual({ lag: 0, pending: 0 });
    await expectLakeHolds(root, quotes);
  }, 180_000);

  it('monitor: reports Redis down while it is (redis_up 0), never gives up, and says lost / reconnected once each', async () => {
    const port = await freePort();
    const monitor = run(['monitor', '--metrics-port', String(port), '--redis', server.url, '--stream', 'quotes-monitor']);
    const up = async () => Number(/^quantiv_redis_up (\d+)/m.exec(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text())?.[1]);
    try {
      await monitor.waitFor(/metrics at /);
      await until('redis up', async () => (await up()) === 1);
      await server.kill();
      await until('redis down', async () => (await up()) === 0);
      await server.start();
      await until('redis up again', async () => (await up()) === 1);
      await monitor.waitFor(/ reconnected after /);
    } finally {
      monitor.child.kill('SIGTERM');
    }
    expect(await monitor.exited, monitor.stderr()).toBe(EXIT.OK);
    const { lost, back } = outageLines(monitor.stdout() + monitor.stderr());
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatch(/monitor: Redis at 127\.0\.0\.1:\d+ lost \(.+\); reconnecting with backoff, retrying until it is back$/);
    expect(back).toHaveLength(1);
    expect(monitor.stderr()).not.toMatch(STACK);
  }, 120_000);
});
