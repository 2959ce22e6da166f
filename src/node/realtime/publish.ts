// Flush: turns a batch of validated stream entries into new immutable Parquet files and a new
// manifest. Dedupe on the options natural key: within the batch the entry with the highest stream
// ID wins; against the lake, a key already published in the partition wins (an entry re-delivered
// after a crash therefore never duplicates). File names come from the stream-ID range they hold,
// so the re-run after a crash before publishing rewrites the same unpublished name.
// Earnings records replace the calendar file in the same publish: the calendar is small, so the new
// file is the old rows plus the batch, where the batch's (latest) row wins per (symbol, date): a
// corrected session or quarter replaces the old one, a re-delivered record changes nothing.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Manifest, ManifestFile } from '../../lake/manifest.ts';
import { filePath, quoteIdent, quoteString, TABLES } from '../../lake/schema.ts';
import { removeStaleTmp, writeLakeFile } from '../lake-writer.ts';
import { publishManifest } from '../rollups.ts';
import { crashPoint } from './crash.ts';
import { readLakeManifest } from '../lake-io.ts';
import { withLakeLock } from './lock.ts';
import { QUOTE_COLUMNS, type QuoteRow } from './quote.ts';
import { EARNINGS_COLUMNS, type EarningsRow } from './earnings-record.ts';
import { compareIds } from './stream.ts';

export interface BufferedQuote {
  id: string;
  row: QuoteRow;
}

export interface BufferedEarnings {
  id: string;
  row: EarningsRow;
}

export interface PublishResult {
  /** Files added by this flush (none when every row was already published). */
  files: ManifestFile[];
  /** The manifest published, or null when nothing changed. */
  manifest: Manifest | null;
  entries: number;
  rowsWritten: number;
  /** Entries replaced by a later entry with the same natural key in the batch. */
  supersededInBatch: number;
  /** Entries whose natural key was already in the lake (re-deliveries, late repeats). */
  alreadyPublished: number;
  /** Earnings rows new or changed in the calendar. */
  earningsWritten: number;
  ms: number;
}

const KEY = TABLES.options.naturalKey;
const sanitizeId = (id: string): string => id.replace(/[^0-9-]/g, '');

/** The suffix of an ingest file: 'rt_<firstId>_<lastId>'. */
export const rtSuffix = (first: string, last: string): string => `rt_${sanitizeId(first)}_${sanitizeId(last)}`;

/**
 * The calendar with the batch applied (table rt_cal), or null when the batch changes nothing;
 * returns the rows new or changed.
 */
async function applyEarnings(conn: DuckDBConnection, root: string, manifest: Manifest, batch: BufferedEarnings[]): Promise<{ changed: number; select: string } | null> {
  const cols = EARNINGS_COLUMNS.map((c) => `${quoteIdent(c)} VARCHAR`).join(', ');
  await conn.run(`CREATE OR REPLACE TEMP TABLE rt_cal_raw (seq INTEGER, ${cols})`);
  const app = await conn.createAppender('rt_cal_raw');
  [...batch].sort((a, b) => compareIds(a.id, b.id)).forEach((e, seq) => {
    app.appendInteger(seq);
    for (const c of EARNINGS_COLUMNS) {
      const v = e.row[c];
      if (v === null || v === undefined) app.appendNull();
      else app.appendVarchar(v);
    }
    app.endRow();
  });
  app.closeSync();
  const def = TABLES.earnings;
  const typed = def.columns.map((c) => `CAST(${quoteIdent(c.name)} AS ${c.type}) AS ${quoteIdent(c.name)}`).join(', ');
  const names = def.columns.map((c) => quoteIdent(c.name)).join(', ');
  const key = def.naturalKey.map(quoteIdent).join(', ');
  await conn.run(`CREATE OR REPLACE TEMP TABLE rt_cal_new AS SELECT ${typed} FROM rt_cal_raw
    QUALIFY row_number() OVER (PARTITION BY ${key} ORDER BY seq DESC) = 1`);
  await conn.run('DROP TABLE rt_cal_raw');
  const old = manifest.files.filter((f) => f.table === 'earnings');
  const oldRel = old.length > 0 ? `SELECT ${names} FROM read_parquet([${old.map((f) => quoteString(`${root}/${f.path}`)).join(', ')}])` : null;
  const changed = Number((await conn.runAndReadAll(`SELECT count(*) FROM (SELECT ${names} FROM rt_cal_new${oldRel ? ` EXCEPT SELECT * FROM (${oldRel})` : ''})`)).getRows()[0]![0]);
  if (changed === 0) return null;
  const keep = oldRel ? `SELECT * FROM (${oldRel}) o WHERE NOT EXISTS (SELECT 1 FROM rt_cal_new n WHERE ${def.naturalKey.map((c) => `n.${quoteIdent(c)} = o.${quoteIdent(c)}`).join(' AND ')}) UNION ALL ` : '';
  await conn.run(`CREATE OR REPLACE TEMP TABLE rt_cal AS ${keep}SELECT ${names} FROM rt_cal_new`);
  await conn.run('DROP TABLE rt_cal_new');
  return { changed, select: 'SELECT * FROM rt_cal' };
}

async function loadBatch(conn: DuckDBConnection, batch: BufferedQuote[]): Promise<void> {
  const cols = QUOTE_COLUMNS.map((c) => `${quoteIdent(c)} VARCHAR`).join(', ');
  await conn.run(`CREATE OR REPLACE TEMP TABLE rt_raw (seq INTEGER, entry_id VARCHAR, ${cols})`);
  const app = await conn.createAppender('rt_raw');
  const sorted = [...batch].sort((a, b) => compareIds(a.id, b.id));
  sorted.forEach((q, seq) => {
    app.appendInteger(seq);
    app.appendVarchar(q.id);
    for (const c of QUOTE_COLUMNS) {
      const v = q.row[c];
      if (v === null || v === undefined) app.appendNull();
      else app.appendVarchar(v);
    }
    app.endRow();
  });
  app.closeSync();
  const typed = TABLES.options.columns.map((c) => `CAST(${quoteIdent(c.name)} AS ${c.type}) AS ${quoteIdent(c.name)}`).join(', ');
  await conn.run(`CREATE OR REPLACE TEMP TABLE rt_batch AS SELECT seq, entry_id, ${typed} FROM rt_raw`);
  await conn.run('DROP TABLE rt_raw');
}

/**
 * Writes the batch's new rows (one file per month) and its earnings records (a new calendar file)
 * and publishes them in one manifest; the caller acks after.
 */
export async function publishBatch(conn: DuckDBConnection, root: string, batch: BufferedQuote[], earnings: BufferedEarnings[] = []): Promise<PublishResult> {
  const started = performance.now();
  const entries = batch.length + earnings.length;
  const empty = { files: [], manifest: null, entries, rowsWritten: 0, supersededInBatch: 0, alreadyPublished: 0, earningsWritten: 0 };
  if (entries === 0) return { ...empty, ms: 0 };
  return withLakeLock(root, async () => {
    const manifest = await readLakeManifest(root);
    await loadBatch(conn, batch);
    const keyCols = KEY.map(quoteIdent).join(', ');
    const months = (
      await conn.runAndReadAll('SELECT DISTINCT year(date)::INTEGER, month(date)::INTEGER FROM rt_batch ORDER BY 1, 2')
    ).getRows().map(([y, m]) => ({ year: Number(y), month: Number(m) }));
    const listed = new Set(manifest.files.map((f) => f.path));
    const files: ManifestFile[] = [];
    let superseded = 0;
    let published = 0;
    for (const { year, month } of months) {
      const inMonth = `year(date) = ${year} AND month(date) = ${month}`;
      await conn.run(`CREATE OR REPLACE TEMP TABLE rt_keep AS SELECT * FROM rt_batch WHERE ${inMonth}
        QUALIFY row_number() OVER (PARTITION BY ${keyCols} ORDER BY seq DESC) = 1`);
      const [minDate, maxDate] = (await conn.runAndReadAll('SELECT min(date)::VARCHAR, max(date)::VARCHAR FROM rt_keep')).getRows()[0]!.map(String);
      // Published files of this partition whose date range can hold the batch's keys.
      const partFiles = manifest.files.filter(
        (f) =>
          f.table === 'options' &&
          Number(f.partition.year) === year &&
          Number(f.partition.month) === month &&
          !(f.maxDate !== null && f.maxDate < minDate!) &&
          !(f.minDate !== null && f.minDate > maxDate!),
      );
      if (partFiles.length > 0) {
        const list = partFiles.map((f) => quoteString(`${root}/${f.path}`)).join(', ');
        await conn.run(`DELETE FROM rt_keep k WHERE EXISTS (
          SELECT 1 FROM (SELECT ${keyCols} FROM read_parquet([${list}])
                         WHERE date BETWEEN DATE ${quoteString(minDate!)} AND DATE ${quoteString(maxDate!)}) p
          WHERE ${KEY.map((c) => `p.${quoteIdent(c)} = k.${quoteIdent(c)}`).join(' AND ')})`);
      }
      const [inBatch, kept, first, last] = (
        await conn.runAndReadAll(`SELECT (SELECT count(*) FROM rt_batch WHERE ${inMonth}), count(*), arg_min(entry_id, seq), arg_max(entry_id, seq) FROM rt_keep`)
      ).getRows()[0]!;
      const distinct = Number((await conn.runAndReadAll(`SELECT count(*) FROM (SELECT DISTINCT ${keyCols} FROM rt_batch WHERE ${inMonth})`)).getRows()[0]![0]);
      superseded += Number(inBatch) - distinct;
      published += distinct - Number(kept);
      if (Number(kept) === 0) continue;
      let suffix = rtSuffix(String(first), String(last));
      // Never overwrite a published file: a name already listed gets a counter.
      for (let n = 2; listed.has(filePath('options', { year, month }, suffix)); n++) suffix = `${rtSuffix(String(first), String(last))}_${n}`;
      const file = await writeLakeFile({ conn, table: 'options', select: 'SELECT * FROM rt_keep', partition: { year, month }, root, suffix });
      files.push(file);
    }
    await conn.run('DROP TABLE IF EXISTS rt_keep');
    await conn.run('DROP TABLE IF EXISTS rt_batch');
    const rowsWritten = files.reduce((n, f) => n + f.rows, 0);
    let earningsWritten = 0;
    let calendar: ManifestFile | null = null;
    const cal = earnings.length > 0 ? await applyEarnings(conn, root, manifest, earnings) : null;
    if (cal) {
      // The layout's name is taken by the old calendar: writeLakeFile gives the new one a content-hash name.
      calendar = await writeLakeFile({ conn, table: 'earnings', select: cal.select, root });
      await conn.run('DROP TABLE IF EXISTS rt_cal');
      earningsWritten = cal.changed;
    }
    crashPoint('after-write');
    let next: Manifest | null = null;
    if (files.length > 0 || calendar) {
      const added = new Set(files.map((f) => f.path));
      const kept = manifest.files.filter((f) => !added.has(f.path) && !(calendar && f.table === 'earnings'));
      next = await publishManifest(conn, root, [...kept, ...files, ...(calendar ? [calendar] : [])], manifest.files);
    }
    crashPoint('after-manifest');
    return { files: calendar ? [...files, calendar] : files, manifest: next, entries, rowsWritten, supersededInBatch: superseded, alreadyPublished: published, earningsWritten, ms: performance.now() - started };
  });
}

/** Start-up cleanup under the writer lock: interrupted writes leave only *.tmp files. */
export async function cleanupLake(root: string): Promise<string[]> {
  return withLakeLock(root, () => removeStaleTmp(root));
}
