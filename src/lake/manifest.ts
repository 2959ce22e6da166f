// manifest.json: the one list of the lake's files. HTTP cannot list folders, so the browser learns
// every file from here; the node tools write it; links may pin its datasetVersion.
import { TABLE_NAMES, TABLES, type Column, type TableName } from './schema.ts';

export const MANIFEST_FORMAT = 'quantiv-manifest';
export const MANIFEST_FORMAT_VERSION = 1;

export interface ManifestFile {
  table: TableName;
  /** Relative to the manifest's folder, '/'-separated. */
  path: string;
  bytes: number;
  rows: number;
  /** ISO dates (YYYY-MM-DD) of the table's date column in this file; null where it has none. */
  minDate: string | null;
  maxDate: string | null;
  /** Hive partition values as written in the path, e.g. { year: '2024', month: '01' }. */
  partition: Record<string, string>;
  /** Hex SHA-256 of the file's bytes: its version. */
  sha256: string;
  /**
   * Derived tables only: the sorted SHA-256s of the files this one was computed from, so a reader
   * can tell a current rollup from a stale one without opening either (rollups.ts).
   */
  sources?: string[];
  /**
   * Lake types of the columns whose type in this file follows its legacy source instead of
   * schema.ts (the export keeps a numeric(p,s) source as DECIMAL(p,s), a timestamp without time
   * zone as TIMESTAMP: src/node/pg/catalog.ts). Absent when every column has the schema's type.
   * Readers need nothing: DuckDB reads each file's own types, and decimals decode as numbers.
   */
  columnTypes?: Record<string, string>;
}

/** Types a file may record in columnTypes. */
const COLUMN_TYPE = /^(DECIMAL\(\d{1,2},\d{1,2}\)|DOUBLE|INTEGER|BIGINT|DATE|TIMESTAMP|TIMESTAMPTZ|VARCHAR)$/;

/** A file's columns with their types in that file. */
export function fileColumns(f: Pick<ManifestFile, 'table' | 'columnTypes'>): Column[] {
  return TABLES[f.table].columns.map((c) => ({ ...c, type: f.columnTypes?.[c.name] ?? c.type }));
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  formatVersion: typeof MANIFEST_FORMAT_VERSION;
  /** Changes whenever any file changes; shareable links can pin it. */
  datasetVersion: string;
  createdAt: string;
  files: ManifestFile[];
}

export class ManifestError extends Error {
  override name = 'ManifestError';
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const HEX64 = /^[0-9a-f]{64}$/;

/** Validates untrusted JSON into a Manifest; the error says which field is wrong. */
export interface ParseOptions {
  /**
   * 'skip': leave out files of tables this version does not know (a newer writer's derived tables),
   * so an older app keeps reading a newer lake; readers only. Writers keep the default 'fail': a
   * republish that dropped them would lose the newer writer's files.
   */
  unknownTables?: 'fail' | 'skip';
}

const TABLE_IDENT = /^[a-z][a-z0-9_]{0,62}$/;

export function parseManifest(json: unknown, opts: ParseOptions = {}): Manifest {
  const fail = (msg: string): never => {
    throw new ManifestError(`manifest.json: ${msg}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('not a JSON object');
  const m = json as Record<string, unknown>;
  if (m.format !== MANIFEST_FORMAT) fail(`format must be "${MANIFEST_FORMAT}"`);
  if (m.formatVersion !== MANIFEST_FORMAT_VERSION) fail(`unsupported formatVersion ${String(m.formatVersion)}`);
  if (typeof m.datasetVersion !== 'string' || m.datasetVersion === '') fail('datasetVersion missing');
  if (typeof m.createdAt !== 'string') fail('createdAt missing');
  if (!Array.isArray(m.files)) fail('files must be an array');
  const seen = new Set<string>();
  const known = (raw: unknown): boolean => {
    const t = (raw as Record<string, unknown> | null)?.table;
    return opts.unknownTables !== 'skip' || typeof t !== 'string' || !TABLE_IDENT.test(t) || TABLE_NAMES.includes(t as TableName);
  };
  const listed = (m.files as unknown[]).map((raw, i) => [raw, i] as const);
  const files = listed.filter(([raw]) => known(raw)).map(([raw, i]): ManifestFile => {
    const where = `files[${i}]`;
    if (typeof raw !== 'object' || raw === null) fail(`${where} is not an object`);
    const f = raw as Record<string, unknown>;
    if (!TABLE_NAMES.includes(f.table as TableName)) fail(`${where}.table "${String(f.table)}" is unknown`);
    if (typeof f.path !== 'string' || !f.path.endsWith('.parquet')) fail(`${where}.path must name a .parquet file`);
    const path = f.path as string;
    if (path.startsWith('/') || path.split('/').includes('..') || /^[a-z]+:/i.test(path)) {
      fail(`${where}.path must be relative inside the lake: ${path}`);
    }
    if (seen.has(path)) fail(`${where}.path is listed twice: ${path}`);
    seen.add(path);
    for (const k of ['bytes', 'rows'] as const) {
      if (!Number.isSafeInteger(f[k]) || (f[k] as number) < 0) fail(`${where}.${k} must be a non-negative integer`);
    }
    for (const k of ['minDate', 'maxDate'] as const) {
      if (f[k] !== null && !(typeof f[k] === 'string' && ISO_DATE.test(f[k] as string))) {
        fail(`${where}.${k} must be YYYY-MM-DD or null`);
      }
    }
    if (typeof f.sha256 !== 'string' || !HEX64.test(f.sha256)) fail(`${where}.sha256 must be 64 hex digits`);
    const partition = f.partition ?? {};
    if (typeof partition !== 'object' || partition === null) fail(`${where}.partition must be an object`);
    for (const v of Object.values(partition as object)) {
      if (typeof v !== 'string') fail(`${where}.partition values must be strings`);
    }
    let sources: string[] | undefined;
    if (f.sources !== undefined) {
      if (!Array.isArray(f.sources) || !f.sources.every((x) => typeof x === 'string' && HEX64.test(x))) {
        fail(`${where}.sources must be an array of 64-hex-digit hashes`);
      }
      sources = f.sources as string[];
    }
    let columnTypes: Record<string, string> | undefined;
    if (f.columnTypes !== undefined) {
      const ct = f.columnTypes as Record<string, unknown>;
      const names = TABLES[f.table as TableName].columns.map((c) => c.name);
      if (typeof ct !== 'object' || ct === null || !Object.entries(ct).every(([k, v]) => names.includes(k) && typeof v === 'string' && COLUMN_TYPE.test(v))) {
        fail(`${where}.columnTypes must map columns of ${String(f.table)} to lake types`);
      }
      columnTypes = ct as Record<string, string>;
    }
    return {
      table: f.table as TableName,
      path,
      bytes: f.bytes as number,
      rows: f.rows as number,
      minDate: (f.minDate as string | null) ?? null,
      maxDate: (f.maxDate as string | null) ?? null,
      partition: partition as Record<string, string>,
      sha256: f.sha256 as string,
      ...(sources ? { sources } : {}),
      ...(columnTypes ? { columnTypes } : {}),
    };
  });
  return {
    format: MANIFEST_FORMAT,
    formatVersion: MANIFEST_FORMAT_VERSION,
    datasetVersion: m.datasetVersion as string,
    createdAt: m.createdAt as string,
    files,
  };
}

/** Hive partition values encoded in a lake path (year=2024/month=01/...). */
export function partitionOf(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const seg of path.split('/').slice(0, -1)) {
    const eq = seg.indexOf('=');
    if (eq > 0) out[seg.slice(0, eq)] = seg.slice(eq + 1);
  }
  return out;
}

export function filesOf(manifest: Manifest, table: TableName): ManifestFile[] {
  return manifest.files.filter((f) => f.table === table);
}

export interface DateRange {
  from?: string | undefined;
  to?: string | undefined;
}

/**
 * Files of a table that can hold rows in [from, to] (inclusive ISO dates), decided from the
 * manifest alone, so a date-filtered query never opens the footers of other partitions.
 */
export function pruneFiles(manifest: Manifest, table: TableName, range: DateRange = {}): ManifestFile[] {
  return filesOf(manifest, table).filter((f) => {
    if (f.minDate === null || f.maxDate === null) return true;
    if (range.from && f.maxDate < range.from) return false;
    if (range.to && f.minDate > range.to) return false;
    return true;
  });
}

/** The dataset version: a digest over every file's path and content hash, order-independent. */
export function datasetVersionOf(files: Pick<ManifestFile, 'path' | 'sha256'>[], sha256Hex: (s: string) => string): string {
  const canonical = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => `${f.path}\t${f.sha256}`)
    .join('\n');
  return sha256Hex(canonical).slice(0, 16);
}

/** Totals per table, for the UI and reports. */
export function tableTotals(manifest: Manifest): Record<string, { files: number; rows: number; bytes: number }> {
  const out: Record<string, { files: number; rows: number; bytes: number }> = {};
  for (const f of manifest.files) {
    const t = (out[f.table] ??= { files: 0, rows: 0, bytes: 0 });
    t.files += 1;
    t.rows += f.rows;
    t.bytes += f.bytes;
  }
  return out;
}
