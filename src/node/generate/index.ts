// `quantiv generate`: month by month, one SQL query expands the loaded state into option rows, the
// lake writer publishes the file, and the derived tables accumulate; manifest.json goes last.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDuck, type DuckSession } from '../duck.ts';
import type { ManifestFile } from '../../lake/manifest.ts';
import { columnsSql, TABLES, type TableName } from '../../lake/schema.ts';
import { removeStaleTmp, writeLakeFile } from '../lake-writer.ts';
import { readLakeManifest } from '../lake-io.ts';
import { publishManifest } from '../rollups.ts';
import { GENERATE_USAGE, parseGenerateArgs, type GenerateOptions } from './args.ts';
import { BS_SQL_MACROS } from './black-scholes.ts';
import { dayOf, isoOf, monthsOf } from './calendar.ts';
import { loadState } from './load.ts';
import {
  atmFeaturesSql, forecastsSql, LABELS_SQL, MODEL_PERFORMANCE_SQL, modelMetaSql, optionsSql, symbolsMetadataSql, TARGETS_SQL,
} from './tables.ts';

export type { GenerateOptions } from './args.ts';

export interface GenerateResult {
  root: string;
  files: ManifestFile[];
  datasetVersion: string;
  seconds: number;
  rows: Record<string, number>;
  bytes: number;
}

const cols = (t: TableName): string => TABLES[t].columns.map((c) => `"${c.name}"`).join(', ');
const mib = (b: number): string => `${(b / 1048576).toFixed(1)} MiB`;
const fmt = (n: number): string => n.toLocaleString('en-US');

export async function openGeneratorDb(spillDir: string): Promise<DuckSession> {
  const session = await openDuck(':memory:', { threads: '2', memory_limit: '1500MB', temp_directory: spillDir });
  for (const m of BS_SQL_MACROS) await session.conn.run(m);
  return session;
}

export async function generate(opts: GenerateOptions, log: (line: string) => void = () => {}): Promise<GenerateResult> {
  const started = performance.now();
  const root = resolve(opts.out);
  await removeStaleTmp(root);
  const spill = await mkdtemp(join(tmpdir(), 'quantiv-gen-'));
  const { conn, close } = await openGeneratorDb(spill);
  const files: ManifestFile[] = [];
  const write = async (table: TableName, select: string, partition?: { year?: number; month?: number }) => {
    const f = await writeLakeFile({ conn, select, table, root, ...(partition ? { partition } : {}) });
    files.push(f);
    return f;
  };
  try {
    const from = dayOf(opts.from), to = dayOf(opts.to);
    const { days } = await loadState(conn, { seed: opts.seed, symbols: opts.symbols, strikes: opts.strikes, from, to });
    if (days.length === 0) throw new Error(`no trading days between ${opts.from} and ${opts.to}`);
    await conn.run(`CREATE TABLE atm_all (${columnsSql('atm_features')})`);
    await conn.run('CREATE TABLE sym_acc (symbol VARCHAR, first_date DATE, last_date DATE, n BIGINT, vol_sum DECIMAL(38,4))');

    for (const m of monthsOf(from, to)) {
      const t0 = performance.now();
      const sql = optionsSql({ from: isoOf(m.from), to: isoOf(m.to), seed: opts.seed, strikes: opts.strikes });
      await conn.run(`CREATE OR REPLACE TEMP TABLE opt_m AS ${sql}`);
      const f = await write('options', `SELECT ${cols('options')} FROM opt_m`, { year: m.year, month: m.month });
      await conn.run(`INSERT INTO atm_all BY NAME ${atmFeaturesSql()}`);
      await conn.run('INSERT INTO sym_acc SELECT act_symbol, min(date), max(date), count(*), sum(vol) FROM opt_m GROUP BY act_symbol');
      await conn.run('DROP TABLE opt_m');
      log(`${m.year}-${String(m.month).padStart(2, '0')}  options ${fmt(f.rows).padStart(10)} rows  ${mib(f.bytes).padStart(9)}  ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    }

    // Float aggregates below are summed in thread order; one thread keeps them bit-identical.
    await conn.run('SET threads = 1');
    const years = [...new Set(days.map((d) => Number(isoOf(d).slice(0, 4))))];
    for (const year of years) {
      await write('volatility', `SELECT * FROM vol_hist WHERE year(date) = ${year}`, { year });
    }
    await write('atm_features', 'SELECT * FROM atm_all');
    await conn.run(TARGETS_SQL);
    await conn.run(LABELS_SQL);
    await conn.run(forecastsSql(opts.seed));
    await write('em_labels', 'SELECT * FROM labels');
    await write('em_forecasts', 'SELECT * FROM forecasts');
    await write('symbols_metadata', symbolsMetadataSql(opts.to));
    await write('model_meta', modelMetaSql(opts.from));
    await write('model_performance', MODEL_PERFORMANCE_SQL);
    await write('earnings', 'SELECT * FROM earnings_cal');
    log(`derived tables written`);

    const manifest = await publishManifest(conn, root, files);
    const rows: Record<string, number> = {};
    for (const f of manifest.files) rows[f.table] = (rows[f.table] ?? 0) + f.rows;
    return {
      root,
      files: manifest.files,
      datasetVersion: manifest.datasetVersion,
      seconds: (performance.now() - started) / 1000,
      rows,
      bytes: manifest.files.reduce((s, f) => s + f.bytes, 0),
    };
  } catch (err) {
    // A failed run (a full disk, say) must not leave files no manifest lists: remove what this run
    // published that the lake's current manifest does not know.
    const listed = new Set((await readLakeManifest(root).catch(() => null))?.files.map((f) => f.path) ?? []);
    for (const f of files) if (!listed.has(f.path)) await rm(join(root, f.path), { force: true }).catch(() => {});
    await removeStaleTmp(root).catch(() => {});
    throw err;
  } finally {
    close();
    await rm(spill, { recursive: true, force: true });
  }
}

export function summary(r: GenerateResult): string {
  const lines = Object.entries(r.rows).map(([t, n]) => {
    const b = r.files.filter((f) => f.table === t).reduce((s, f) => s + f.bytes, 0);
    return `  ${t.padEnd(18)} ${fmt(n).padStart(11)} rows  ${mib(b).padStart(10)}`;
  });
  const total = Object.values(r.rows).reduce((s, n) => s + n, 0);
  return [
    `lake ${r.root}  dataset ${r.datasetVersion}`,
    ...lines,
    `  ${'total'.padEnd(18)} ${fmt(total).padStart(11)} rows  ${mib(r.bytes).padStart(10)}  ${r.files.length} files  ${r.seconds.toFixed(1)} s`,
  ].join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const opts = parseGenerateArgs(argv);
  if (opts === 'help') {
    console.log(GENERATE_USAGE);
    return 0;
  }
  const log = opts.quiet ? () => {} : (line: string) => console.log(line);
  log(`generating ${opts.symbols.length} symbols ${opts.from}..${opts.to} seed ${opts.seed} strikes ${opts.strikes} -> ${resolve(opts.out)}`);
  const result = await generate(opts, log);
  console.log(summary(result));
  if (opts.pg) {
    const { loadIntoPg, loadSummary } = await import('../../cli/pg-load.ts');
    console.log(loadSummary(await loadIntoPg(result.root, opts.pg, { quirks: opts.quirks })));
  }
  return 0;
}
