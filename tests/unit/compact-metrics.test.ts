// `quantiv compact --every --metrics-port` as a long-running process: its metrics count what it
// merged, successful and failed runs, and it stops cleanly on SIGTERM while being scraped.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/node/net.ts';
import { openWriterDb } from '../../src/node/realtime/lake-io.ts';
import { generateQuotes } from '../../src/node/realtime/produce.ts';
import { publishBatch } from '../../src/node/realtime/publish.ts';
import { validateQuote } from '../../src/node/realtime/quote.ts';
import { smallLake } from '../support/small-lake.ts';

const ROOT = resolve(import.meta.dirname, '../..');
let scratch: string;
let root: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'quantiv-compact-metrics-'));
  root = join(scratch, 'lake');
  cpSync(smallLake(), root, { recursive: true });
  // Two ingest flushes into a new month: two files for compaction to merge.
  const db = await openWriterDb();
  try {
    const day = await generateQuotes({ root, seed: 7, count: 60 });
    const batch = (from: number, msgs: Record<string, string>[]) =>
      msgs.map((m, i) => {
        const v = validateQuote(m);
        if (!v.ok) throw new Error(v.reason);
        return { id: `${from + i}-0`, row: v.row };
      });
    await publishBatch(db.conn, root, batch(1000, day.messages.slice(0, 30)));
    await publishBatch(db.conn, root, batch(2000, day.messages.slice(30)));
  } finally {
    db.close();
  }
});
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

async function scrapeUntil(port: number, ok: (s: Map<string, number>) => boolean): Promise<Map<string, number>> {
  const until = Date.now() + 60_000;
  let last = new Map<string, number>();
  while (Date.now() < until) {
    try {
      last = samples(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
      if (ok(last)) return last;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`metrics never matched; last: ${JSON.stringify([...last].filter(([k]) => k.startsWith('quantiv_')))}`);
}

function compact(data: string, port: number): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [join(ROOT, 'bin/quantiv.mjs'), 'compact', '--data', data, '--every', '1s', '--metrics-port', String(port)], { stdio: 'ignore' });
  return { child, exited: new Promise((r) => child.once('exit', (code) => r(code))) };
}

describe('compact --every --metrics-port', () => {
  it('counts merged files and runs, and stops on SIGTERM', async () => {
    const port = await freePort();
    const { child, exited } = compact(root, port);
    try {
      // The first run merges the two files; the next ones find nothing and still succeed.
      const s = await scrapeUntil(port, (m) => (m.get('quantiv_compact_runs_total{result="ok"}') ?? 0) >= 2);
      expect(s.get('quantiv_compact_files_merged_total')).toBe(2);
      expect(s.get('quantiv_compact_files_written_total')).toBe(1);
      expect(s.get('quantiv_compact_runs_total{result="error"}')).toBe(0);
      expect(s.get('quantiv_compact_last_success_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 30);
      expect(s.get('quantiv_compact_duration_seconds_count')).toBeGreaterThanOrEqual(2);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('counts a failing run and keeps running', async () => {
    const bad = join(scratch, 'bad');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, 'manifest.json'), '{ not json');
    const port = await freePort();
    const { child, exited } = compact(bad, port);
    try {
      const s = await scrapeUntil(port, (m) => (m.get('quantiv_compact_runs_total{result="error"}') ?? 0) >= 2);
      expect(s.get('quantiv_compact_runs_total{result="ok"}')).toBe(0);
      // Never succeeded: the gauge stays at its initial 0 (1970), which any age alert reads as stale.
      expect(s.get('quantiv_compact_last_success_timestamp_seconds')).toBe(0);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
