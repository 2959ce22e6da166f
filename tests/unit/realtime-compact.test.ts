// Compaction: a month's base file plus its rt_ files become one new file; the old manifest (and a
// link pinned to it) still reads, row counts are equal, nothing is duplicated; GC removes only
// what no recent manifest needs.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest, type Manifest } from '../../src/lake/manifest.ts';
import { createViewsSql, pathLocator } from '../../src/lake/views.ts';
import { compactLake, gcLake } from '../../src/node/realtime/compact.ts';
import { openWriterDb } from '../../src/node/realtime/lake-io.ts';
import { publishBatch } from '../../src/node/realtime/publish.ts';
import { generateQuotes } from '../../src/node/realtime/produce.ts';
import { validateQuote } from '../../src/node/realtime/quote.ts';
import { smallLake } from '../support/small-lake.ts';

let root: string;
let scratch: string;

const read = (p: string): Manifest => parseManifest(JSON.parse(readFileSync(p, 'utf8')));

/** Opens a session over one manifest object, exactly as a reader holding it would. */
async function count(manifest: Manifest, sql: string): Promise<number[]> {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    for (const stmt of createViewsSql(manifest, pathLocator(root))) await conn.run(stmt);
    return (await conn.runAndReadAll(sql)).getRows()[0]!.map(Number);
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

const TOTALS = `SELECT count(*), count(DISTINCT (date, act_symbol, expiration, strike, call_put)), count(*) FILTER (WHERE year = 2025 AND month = 8) FROM options`;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'quantiv-compact-test-'));
  root = join(scratch, 'lake');
  cpSync(smallLake(), root, { recursive: true });
  // Three small ingests: two into a new month, one late batch into the base month (2025-08).
  const db = await openWriterDb();
  try {
    const day1 = await generateQuotes({ root, seed: 7, count: 90 });
    const asBatch = (msgs: Record<string, string>[], from: number) =>
      msgs.map((m, i) => {
        const v = validateQuote(m);
        if (!v.ok) throw new Error(v.reason);
        return { id: `${from + i}-0`, row: v.row };
      });
    await publishBatch(db.conn, root, asBatch(day1.messages.slice(0, 45), 1000));
    await publishBatch(db.conn, root, asBatch(day1.messages.slice(45), 2000));
    const late = await generateQuotes({ root, seed: 7, date: '2025-08-29', count: 30 });
    // Already in the base file: dedupe drops them all, so nothing is published for August.
    const r = await publishBatch(db.conn, root, asBatch(late.messages, 3000));
    expect(r.alreadyPublished).toBe(30);
    expect(r.files).toEqual([]);
  } finally {
    db.close();
  }
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('compaction', () => {
  it('merges a month into a new file; readers of the old manifest keep working', async () => {
    const old = read(join(root, 'manifest.json'));
    const septOld = old.files.filter((f) => f.table === 'options' && f.partition.month === '09');
    expect(septOld.length).toBe(2);
    const before = await count(old, TOTALS);

    const db = await openWriterDb();
    let result;
    try {
      result = await compactLake(db.conn, root);
    } finally {
      db.close();
    }
    // Only 2025-09 had more than one file.
    expect(result.results.map((r) => r.month)).toEqual(['2025-09']);
    const next = read(join(root, 'manifest.json'));
    expect(next.datasetVersion).not.toBe(old.datasetVersion);
    const sept = next.files.filter((f) => f.table === 'options' && f.partition.month === '09');
    expect(sept.length).toBe(1);
    expect(sept[0]!.path).toMatch(/options_2025_09_c[0-9a-f]{12}\.parquet$/);
    expect(sept[0]!.rows).toBe(90);

    const after = await count(next, TOTALS);
    expect(after).toEqual(before);
    expect(after[0]).toBe(after[1]); // no duplicates
    // The old manifest's files are untouched on disk and it still answers the same.
    for (const f of septOld) expect(existsSync(join(root, f.path))).toBe(true);
    expect(await count(old, TOTALS)).toEqual(before);
    // ...as does its pinned copy.
    expect(await count(read(join(root, 'manifests', `${old.datasetVersion}.json`)), TOTALS)).toEqual(before);

    // Compacting again is a no-op.
    const db2 = await openWriterDb();
    try {
      expect((await compactLake(db2.conn, root)).manifest).toBeNull();
    } finally {
      db2.close();
    }
  });

  it('a kill after the compacted file is written publishes nothing; the re-run writes the same name once', async () => {
    const lake = join(scratch, 'crash');
    cpSync(root, lake, { recursive: true });
    // Add two more files to September so there is something to compact.
    const db = await openWriterDb();
    try {
      const more = await generateQuotes({ root: lake, seed: 7, count: 20 });
      for (const [i, part] of [more.messages.slice(0, 10), more.messages.slice(10)].entries()) {
        await publishBatch(db.conn, lake, part.map((m, j) => {
          const v = validateQuote(m);
          if (!v.ok) throw new Error(v.reason);
          return { id: `${9000 + i * 100 + j}-0`, row: v.row };
        }));
      }
    } finally {
      db.close();
    }
    const before = read(join(lake, 'manifest.json'));
    const cli = (env: Record<string, string>) =>
      spawnSync(process.execPath, [join(import.meta.dirname, '../../bin/quantiv.mjs'), 'compact', '--data', lake], { encoding: 'utf8', env: { ...process.env, ...env } });
    expect(cli({ QUANTIV_CRASH_AT: 'after-compact-write' }).status).toBe(137);
    expect(read(join(lake, 'manifest.json')).datasetVersion).toBe(before.datasetVersion);
    const sept = join(lake, 'options', 'year=2025', 'month=09');
    const afterCrash = readdirSync(sept).sort();
    const r = cli({});
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(sept).sort()).toEqual(afterCrash);
    const next = read(join(lake, 'manifest.json'));
    const septFiles = next.files.filter((f) => f.table === 'options' && f.partition.month === '09');
    expect(septFiles.length).toBe(1);
    expect(septFiles[0]!.rows).toBe(before.files.filter((f) => f.table === 'options' && f.partition.month === '09').reduce((n, f) => n + f.rows, 0));
  });

  it('gc keeps everything inside the window and then only what the current manifest lists', async () => {
    const current = read(join(root, 'manifest.json'));
    const kept = await gcLake(root, 60 * 60_000);
    expect(kept.deletedFiles).toEqual([]);
    expect(kept.deletedManifests).toEqual([]);
    // Age every file past the window: the merged inputs and older pinned manifests go.
    const old = new Date(Date.now() - 2 * 3600_000);
    const ageAll = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) ageAll(p);
        else utimesSync(p, old, old);
      }
    };
    ageAll(root);
    const gone = await gcLake(root, 60 * 60_000);
    // The two merged ingest files, and the rollups of the publishes before them.
    const [options, rollups] = [gone.deletedFiles.filter((p) => p.startsWith('options/')), gone.deletedFiles.filter((p) => p.startsWith('rollups/'))];
    expect(options.length).toBe(2);
    expect(options.every((p) => /_rt_/.test(p))).toBe(true);
    expect(rollups.length).toBeGreaterThan(0);
    expect(options.length + rollups.length).toBe(gone.deletedFiles.length);
    expect(gone.deletedManifests.length).toBeGreaterThan(0);
    expect(readdirSync(join(root, 'manifests'))).toEqual([`${current.datasetVersion}.json`]);
    for (const f of current.files) expect(existsSync(join(root, f.path))).toBe(true);
    expect((await count(current, TOTALS))[0]).toBeGreaterThan(0);
  });
});
