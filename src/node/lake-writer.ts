// Writes one lake file from any DuckDB SELECT (the generator, the PostgreSQL export and the Redis
// ingest all use it) and the manifest that publishes the files. Crash safety: data goes to a
// '<final>.<pid>.tmp' in the same folder, is fsynced and renamed; so a final path only ever holds a
// complete file, and a kill -9 leaves just a *.tmp that removeStaleTmp() deletes on the next run.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { datasetVersionOf, MANIFEST_FORMAT, MANIFEST_FORMAT_VERSION, parseManifest, partitionOf } from '../lake/manifest.ts';
import type { Manifest, ManifestFile } from '../lake/manifest.ts';
import { footerProof, footerTailLength, type FooterProof } from '../lake/footer.ts';
import { rollupProblems } from '../lake/rollups.ts';
import { filePath, quoteIdent, quoteString, TABLES, type TableName } from '../lake/schema.ts';
import { ToolError } from './usage-error.ts';

/** Options are read per symbol-month: small row groups let min/max on act_symbol skip the rest. */
export const OPTIONS_ROW_GROUP_SIZE = 10_240;
/**
 * atm_features is read per symbol too (the Symbol page's expected move, skew and trading dates):
 * about one symbol's history per group, so the page's reads stay the same size whatever the
 * number of symbols (one group of 30 symbols made the cold page fetch the whole 3 MiB file).
 */
export const ATM_FEATURES_ROW_GROUP_SIZE = 4_096;
const DEFAULT_ROW_GROUP_SIZE: Partial<Record<TableName, number>> = {
  options: OPTIONS_ROW_GROUP_SIZE,
  atm_features: ATM_FEATURES_ROW_GROUP_SIZE,
};

export interface WriteFileRequest {
  conn: DuckDBConnection;
  /** A SELECT producing (at least) the table's columns by name. */
  select: string;
  table: TableName;
  partition?: { year?: number; month?: number };
  /** Lake root folder (where manifest.json lives). */
  root: string;
  /** Defaults to DEFAULT_ROW_GROUP_SIZE for the table, else DuckDB's default. */
  rowGroupSize?: number;
  /** Optional file-name suffix, see filePath(). */
  suffix?: string;
  /** Derived tables: content hashes of the files the rows were computed from (ManifestFile.sources). */
  sources?: string[];
  /** Columns whose lake type follows the source instead of schema.ts (ManifestFile.columnTypes). */
  columnTypes?: Record<string, string>;
}

const TMP_SUFFIX = /\.(parquet|json)\.\d+\.tmp$/;

export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

const STORAGE_CODES: Record<string, string> = {
  ENOSPC: 'no space left on the device', EDQUOT: 'disk quota exceeded', EROFS: 'read-only file system',
  EACCES: 'permission denied', EPERM: 'permission denied',
};
const STORAGE_TEXT: [RegExp, string][] = [
  [/No space left on device/i, 'no space left on the device'], [/Disk quota exceeded/i, 'disk quota exceeded'],
  [/Read-only file system/i, 'read-only file system'], [/Permission denied/i, 'permission denied'],
];

/**
 * A full, read-only or forbidden folder is an expected failure: it becomes a ToolError naming the
 * folder (one line, no stack). Anything else is returned as it is.
 */
export function storageError(err: unknown, folder: string): unknown {
  const e = err as NodeJS.ErrnoException;
  const reason = (e?.code && STORAGE_CODES[e.code]) ?? STORAGE_TEXT.find(([re]) => re.test(String(e?.message ?? '')))?.[1];
  return reason ? new ToolError(`cannot write to ${folder}: ${reason}`) : err;
}

/** mkdir -p whose failure names the folder and the real reason. */
export async function makeDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    // A recursive mkdir under a read-only parent reports ENOENT; the first missing level, made on
    // its own, reports the real errno (EROFS, EACCES, ENOSPC).
    let d = dir;
    while (!existsSync(dirname(d)) && dirname(d) !== d) d = dirname(d);
    try {
      await mkdir(d);
    } catch (real) {
      throw storageError(real, dirname(d));
    }
    throw storageError(err, dir);
  }
}

/** rename() is atomic on one filesystem; the directory fsync makes the new entry durable. */
async function publish(tmp: string, final: string): Promise<void> {
  await fsyncPath(tmp);
  await rename(tmp, final);
  await fsyncPath(dirname(final));
}

export function copySql(table: TableName, select: string, target: string, rowGroupSize?: number, columnTypes: Record<string, string> = {}): string {
  const def = TABLES[table];
  const cols = def.columns.map((c) => `CAST(${quoteIdent(c.name)} AS ${columnTypes[c.name] ?? c.type}) AS ${quoteIdent(c.name)}`).join(', ');
  // The remaining columns break ties: the natural key is not unique in legacy data (nor across
  // model versions in em_forecasts), and a total order keeps files byte-identical between runs.
  const rest = def.columns.map((c) => c.name).filter((n) => !def.sortKey.includes(n));
  const order = [...def.sortKey, ...rest].map(quoteIdent).join(', ');
  const rg = rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE[table];
  const opts = ['FORMAT PARQUET', `COMPRESSION ${def.compression ?? 'ZSTD'}`, ...(rg ? [`ROW_GROUP_SIZE ${rg}`] : [])].join(', ');
  return `COPY (SELECT ${cols} FROM (${select}) AS src ORDER BY ${order}) TO ${quoteString(target)} (${opts})`;
}

const isoFromMs = (ms: unknown): string | null =>
  ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString().slice(0, 10);

/**
 * Writes the file atomically and describes it for the manifest. A published file is never
 * replaced by different bytes: when the layout's name is taken by other content, the file gets a
 * content-hash suffix instead, so readers holding an older manifest keep reading what it lists.
 * Identical content at the name is kept as it is (re-runs are idempotent).
 */
export async function writeLakeFile(req: WriteFileRequest): Promise<ManifestFile> {
  const { conn, table, root } = req;
  const def = TABLES[table];
  const partition = req.partition ?? {};
  const baseRel = filePath(table, partition, req.suffix ?? '');
  const tmp = `${join(root, baseRel)}.${process.pid}.tmp`;
  await makeDir(dirname(tmp));
  try {
    const columnTypes = req.columnTypes && Object.keys(req.columnTypes).length > 0 ? req.columnTypes : undefined;
    await conn.run(copySql(table, req.select, tmp, req.rowGroupSize, columnTypes));
    // Row count and date range are read back from the written file: the manifest describes
    // exactly what is on disk. TIMESTAMPTZ -> epoch ms -> UTC date.
    const dc = def.dateColumn;
    const tz = dc !== null && (columnTypes?.[dc] ?? def.columns.find((c) => c.name === dc)?.type) === 'TIMESTAMPTZ';
    const ms = (agg: string): string => (tz ? `epoch_ms(${agg})` : `epoch_ms(CAST(${agg} AS TIMESTAMP))`);
    const rangeSql = dc ? `, ${ms(`min(${quoteIdent(dc)})`)}, ${ms(`max(${quoteIdent(dc)})`)}` : '';
    const reader = await conn.runAndReadAll(`SELECT count(*)${rangeSql} FROM read_parquet(${quoteString(tmp)})`);
    const row = reader.getRows()[0] ?? [];
    const sha256 = await sha256File(tmp);
    const rel = await freeName(root, baseRel, sha256, () =>
      filePath(table, partition, [req.suffix, `v${sha256.slice(0, 12)}`].filter(Boolean).join('_')),
    );
    const final = join(root, rel);
    if (existsSync(final)) await rm(tmp, { force: true });
    else await publish(tmp, final);
    return {
      table,
      path: rel,
      bytes: (await stat(final)).size,
      rows: Number(row[0]),
      minDate: dc ? isoFromMs(row[1]) : null,
      maxDate: dc ? isoFromMs(row[2]) : null,
      partition: partitionOf(rel),
      sha256,
      ...(req.sources ? { sources: [...req.sources].sort() } : {}),
      ...(columnTypes ? { columnTypes } : {}),
    };
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    throw storageError(err, dirname(tmp));
  }
}

/** The layout's name if it is free or already holds these bytes, else the content-named one. */
async function freeName(root: string, rel: string, sha256: string, versioned: () => string): Promise<string> {
  const path = join(root, rel);
  if (!existsSync(path) || (await sha256File(path)) === sha256) return rel;
  return versioned();
}

/** The footer proof (src/lake/footer.ts) of a Parquet file on disk. */
export async function footerProofOf(path: string): Promise<FooterProof> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const last8 = Buffer.alloc(8);
    if (size >= 8) await fh.read(last8, 0, 8, size - 8);
    const length = footerTailLength(last8, size);
    if (length === null) throw new Error(`${path} does not end with a Parquet footer`);
    const tail = Buffer.alloc(length);
    await fh.read(tail, 0, length, size - length);
    return footerProof(tail, size);
  } finally {
    await fh.close();
  }
}

/** Every listed file with its footer proof; a file listed by an older writer gets one now. */
async function withFooters(root: string, files: ManifestFile[]): Promise<ManifestFile[]> {
  return Promise.all(files.map(async (f) => (f.footer ? f : { ...f, footer: await footerProofOf(join(root, f.path)) })));
}

/**
 * Builds, validates and atomically publishes manifest.json; call it after every file is in place.
 * It refuses a file list whose rollups do not match its raw rows: writers publish through
 * publishManifest (rollups.ts), which derives them first.
 */
export async function writeManifest(root: string, listed: ManifestFile[]): Promise<Manifest> {
  // Every writer publishes here, so every manifest carries the proofs the browser checks.
  const files = await withFooters(root, listed);
  const draft: Manifest = {
    format: MANIFEST_FORMAT,
    formatVersion: MANIFEST_FORMAT_VERSION,
    datasetVersion: datasetVersionOf(files, sha256Hex),
    createdAt: new Date().toISOString(),
    files,
  };
  const manifest = parseManifest(JSON.parse(JSON.stringify(draft)));
  const problems = rollupProblems(manifest.files);
  if (problems.length > 0) throw new Error(`refusing to publish a manifest with out-of-date rollups: ${problems.join('; ')}`);
  // An immutable copy per dataset version, for links pinned to it; written before manifest.json so a
  // published version can always be pinned. Same version = same files, so an existing copy is kept.
  const pinned = join(root, 'manifests', `${manifest.datasetVersion}.json`);
  if (!(await stat(pinned).catch(() => null))) {
    const ptmp = `${pinned}.${process.pid}.tmp`;
    try {
      await makeDir(dirname(pinned));
      await writeFile(ptmp, `${JSON.stringify(manifest, null, 2)}\n`);
      await publish(ptmp, pinned);
    } catch (err) {
      await rm(ptmp, { force: true }).catch(() => {});
      throw storageError(err, dirname(pinned));
    }
  }
  const final = join(root, 'manifest.json');
  const tmp = `${final}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
    await publish(tmp, final);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    throw storageError(err, root);
  }
  return manifest;
}

/** Deletes leftovers of interrupted writes under the lake root. Assumes one writer per lake. */
export async function removeStaleTmp(root: string): Promise<string[]> {
  const removed: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (TMP_SUFFIX.test(e.name)) {
        await rm(p, { force: true });
        removed.push(p);
      }
    }
  };
  await walk(root);
  return removed;
}
