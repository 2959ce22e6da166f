// Compaction: merges a month's options files (the base file plus the small rt_ files ingest adds)
// into one NEW file and publishes a manifest without the inputs. The inputs stay on disk, so a
// reader still holding the previous manifest (or a link pinned to an older version) keeps working;
// gcLake() deletes files that no recent manifest references.
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { parseManifest, type Manifest, type ManifestFile } from '../../lake/manifest.ts';
import { quoteString, TABLES } from '../../lake/schema.ts';
import { sha256Hex, writeLakeFile } from '../lake-writer.ts';
import { publishManifest } from '../rollups.ts';
import { crashPoint } from './crash.ts';
import { readLakeManifest } from '../lake-io.ts';
import { monthKey } from './lake-io.ts';
import { withLakeLock } from './lock.ts';

export interface CompactResult {
  month: string;
  inputs: string[];
  output: ManifestFile;
}

export interface CompactOptions {
  /** 'YYYY-MM'; default every month with more than one options file. */
  month?: string;
  /** Compact only months with at least this many files (default 2). */
  minFiles?: number;
}

/** Months (YYYY-MM) and their options files in a manifest. */
export function optionsMonths(manifest: Manifest): Map<string, ManifestFile[]> {
  const out = new Map<string, ManifestFile[]>();
  for (const f of manifest.files) {
    if (f.table !== 'options') continue;
    const key = monthKey(Number(f.partition.year), Number(f.partition.month));
    const list = out.get(key) ?? [];
    list.push(f);
    out.set(key, list);
  }
  return out;
}

/** Deterministic output suffix from the inputs' content hashes: a re-run after a crash writes the same name. */
export const compactSuffix = (inputs: ManifestFile[]): string =>
  `c${sha256Hex(inputs.map((f) => f.sha256).sort().join('\n')).slice(0, 12)}`;

export async function compactLake(conn: DuckDBConnection, root: string, opts: CompactOptions = {}): Promise<{ results: CompactResult[]; manifest: Manifest | null }> {
  return withLakeLock(root, async () => {
    const manifest = await readLakeManifest(root);
    const months = optionsMonths(manifest);
    const targets = opts.month ? [[opts.month, months.get(opts.month) ?? []] as const] : [...months.entries()];
    const results: CompactResult[] = [];
    const replaced = new Set<string>();
    const added: ManifestFile[] = [];
    for (const [month, inputs] of targets) {
      if (inputs.length < Math.max(2, opts.minFiles ?? 2)) continue;
      const [year, mm] = month.split('-').map(Number) as [number, number];
      // The natural key is unique across files (ingest dedupes against published rows), so a
      // plain union keeps every row; legacy duplicates inside the base file are kept as they are.
      const list = inputs.map((f) => quoteString(join(root, f.path))).join(', ');
      const output = await writeLakeFile({
        conn,
        table: 'options',
        select: `SELECT * FROM read_parquet([${list}])`,
        partition: { year, month: mm },
        root,
        suffix: compactSuffix(inputs),
      });
      const expected = inputs.reduce((n, f) => n + f.rows, 0);
      if (output.rows !== expected) throw new Error(`compaction of ${month}: wrote ${output.rows} rows, inputs hold ${expected}`);
      for (const f of inputs) replaced.add(f.path);
      added.push(output);
      results.push({ month, inputs: inputs.map((f) => f.path), output });
    }
    crashPoint('after-compact-write');
    if (added.length === 0) return { results, manifest: null };
    const next = await publishManifest(conn, root, [...manifest.files.filter((f) => !replaced.has(f.path)), ...added], manifest.files);
    return { results, manifest: next };
  });
}

export interface GcResult {
  deletedFiles: string[];
  deletedManifests: string[];
  keptFiles: number;
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

/**
 * Deletes pinned manifests (manifests/<version>.json) older than olderThanMs, except the current
 * one, then every .parquet file that neither manifest.json nor a remaining pinned manifest lists
 * and that is itself older than olderThanMs (so a file being published right now is never
 * touched). olderThanMs is the retention window for readers on an old version and pinned links.
 */
export async function gcLake(root: string, olderThanMs: number, now = Date.now()): Promise<GcResult> {
  return withLakeLock(root, async () => {
    const current = await readLakeManifest(root);
    const referenced = new Set(current.files.map((f) => f.path));
    const deletedManifests: string[] = [];
    const mdir = join(root, 'manifests');
    for (const name of await readdir(mdir).catch(() => [] as string[])) {
      if (!name.endsWith('.json')) continue;
      const p = join(mdir, name);
      const st = await stat(p);
      if (name !== `${current.datasetVersion}.json` && now - st.mtimeMs > olderThanMs) {
        await rm(p, { force: true });
        deletedManifests.push(`manifests/${name}`);
        continue;
      }
      try {
        for (const f of parseManifest(JSON.parse(await readFile(p, 'utf8'))).files) referenced.add(f.path);
      } catch {
        // Not a manifest: leave it and reference nothing.
      }
    }
    const deletedFiles: string[] = [];
    let keptFiles = 0;
    // Only the table folders: a lake root may hold other lakes in sub-folders.
    const dirs = [...new Set(Object.values(TABLES).map((t) => t.dir))];
    const candidates = (await Promise.all(dirs.map((d) => walk(join(root, d))))).flat();
    for (const p of candidates) {
      if (!p.endsWith('.parquet')) continue;
      const rel = relative(root, p).split('\\').join('/');
      if (referenced.has(rel)) {
        keptFiles += 1;
        continue;
      }
      const st = await stat(p);
      if (now - st.mtimeMs > olderThanMs) {
        await rm(p, { force: true });
        deletedFiles.push(rel);
      } else keptFiles += 1;
    }
    return { deletedFiles, deletedManifests, keptFiles };
  });
}
