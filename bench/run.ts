// `npm run bench [-- --quick | --symbols N | --rows N] [--runs N] [--out NAME] [--drop-caches] [--rtt MS]`
// One generated dataset loaded into PostgreSQL 15 (legacy schema, its indexes, tuned) and served as
// the lake by the real nginx; the four query classes (bench/queries.ts) run in PostgreSQL, native
// DuckDB and DuckDB-WASM in headless Chromium, cold and warm, N rounds interleaved with the engine
// order rotated each round. Prints a markdown table; writes bench/results/<out>.{json,md}.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser } from '@playwright/test';
import { loadIntoPg } from '../src/cli/pg-load.ts';
import { readLakeManifest } from '../src/node/lake-io.ts';
import { openNative } from '../src/node/engines/native.ts';
import { DEFAULT_DELAY_MS, startLatencyProxy, type LatencyProxy } from '../src/node/latency-proxy.ts';
import { startNginx, type NginxServer } from '../src/node/nginx.ts';
import { startPostgres, type PgCluster } from '../tests/support/postgres.ts';
import { appColdStart, launchChromium, openWasmSession, symbolPageTimings, type ColdStart, type SymbolPageTimings } from './browser.ts';
import { COLD, WARM, openNativeSession, openPg, pgConnect, pgTuning, restartPg, storage, type Session, type StorageRow, type Timed } from './engines.ts';
import { APP_REFERENCE, appSqlFor, QUERIES, sqlFor, type QueryId, type QueryParams } from './queries.ts';
import { rollupProblems } from '../src/lake/rollups.ts';
import { registeredName } from '../src/lake/views.ts';
import { BUILTIN_SYMBOLS } from '../src/node/generate/universe.ts';
import { median, medianPhases, renderMarkdown } from './report.ts';
import { EXTENSION } from '../src/engine/extension.ts';


const ROOT = resolve(import.meta.dirname, '..');
// The package's exports map hides its package.json; read the installed one.
const WASM_PACKAGE_VERSION = (JSON.parse(readFileSync(join(ROOT, 'node_modules/@duckdb/duckdb-wasm/package.json'), 'utf8')) as { version: string }).version;
const ROWS_PER_SYMBOL = 257_638; // generator default dates (2024-01-02..2025-08-29), default strikes
const DEFAULT_MONTHS = 20;
const LEGACY_ROWS_PER_MONTH = 1_260_000;

/** The built-in tickers first, then seeded synthetic ones (X001, ...) past the list's end. */
function symbolsArg(n: number): string {
  if (n <= BUILTIN_SYMBOLS.length) return String(n);
  const extra = Array.from({ length: n - BUILTIN_SYMBOLS.length }, (_, i) => `X${String(i + 1).padStart(3, '0')}`);
  return [...BUILTIN_SYMBOLS, ...extra].join(',');
}

/** Symbols and a start date giving about `rows` option rows at the legacy table's monthly volume. */
export function legacyShape(rows: number): { symbols: number; from: string } {
  if (!Number.isFinite(rows) || rows < LEGACY_ROWS_PER_MONTH) throw new Error(`--rows must be at least ${LEGACY_ROWS_PER_MONTH}`);
  const symbols = Math.round(LEGACY_ROWS_PER_MONTH / (ROWS_PER_SYMBOL / DEFAULT_MONTHS));
  const months = Math.round(rows / LEGACY_ROWS_PER_MONTH);
  // The default range ends in August 2025; count whole months back from its September.
  const start = new Date(Date.UTC(2025, 8 - months, 1));
  return { symbols, from: start.toISOString().slice(0, 10) };
}
export const ENGINES = ['pg', 'native', 'wasm'] as const;
export type Engine = (typeof ENGINES)[number];
export const ENGINE_LABEL: Record<Engine, string> = { pg: 'PostgreSQL 15', native: 'DuckDB native', wasm: 'DuckDB-WASM' };

export interface Sample extends Timed {
  round: number;
  engine: Engine;
  query: QueryId;
  mode: 'cold' | 'warm';
  /** WASM cold: the page's engine.init() time before the query. */
  initMs?: number;
  /** 'raw': the class's SQL over the raw tables; 'app': the lake app's answer (appSqlFor). */
  path: 'raw' | 'app';
}

/** The headline numbers, under fixed names other tools read. */
export interface BenchSummary {
  rows: number;
  raw: Record<QueryId, { pgWarmMs: number; nativeWarmMs: number; wasmWarmMs: number; wasmColdMs: number }>;
  app: Record<QueryId, { pgWarmMs: number; wasmWarmMs: number; wasmColdMs: number }>;
  page: { firstChartColdMs: number; symbolPageRtt40Ms: number; symbolSwitchRtt40Ms: number; symbolSwitchRtt40Requests: number };
}

export interface BenchResult {
  summary: BenchSummary;
  startedAt: string;
  finishedAt: string;
  totalSeconds: number;
  machine: Record<string, string | number>;
  dataset: { symbols: number; optionRows: number; totalRows: number; parquetBytes: number; files: number; from: string; to: string; datasetVersion: string };
  params: QueryParams;
  runs: number;
  dropCaches: boolean;
  setupSeconds: Record<string, number | null>;
  pg: { version: string; settings: Record<string, string>; note: string; loadRowsPerSecond: number };
  cold: typeof COLD;
  warm: typeof WARM;
  queries: { id: QueryId; title: string; duckdbSql: string; pgSql: string }[];
  samples: Sample[];
  medians: Record<QueryId, Record<Engine, { cold: number; warm: number }>>;
  /** The app path in DuckDB-WASM, and whether it gave the raw query's answer. */
  app: Record<QueryId, { sql: string; cold: number; warm: number; requestsCold: number; bytesCold: number; sameAnswerAsRaw: boolean }>;
  bytes: Record<QueryId, Record<'cold' | 'warm', { bytes: number; requests: number; cachedBytes: number; nginxBytes: number; nginxRequests: number }>>;
  agreement: Record<QueryId, { ok: boolean; detail: string }>;
  storage: StorageRow[];
  coldStart: { cold: ColdStart[]; warm: ColdStart[]; median: { cold: ColdStart; warm: ColdStart }; wasmInitMsMedian: number };
  /** The real app's pages through the latency proxy: medians, plus every round's sample. */
  page?: SymbolPageTimings & { rttMs: number; samples: SymbolPageTimings[] };
}



const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

async function timed<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t = performance.now();
  const v = await fn();
  return [v, (performance.now() - t) / 1000];
}

function dropOsCaches(): void {
  spawnSync('sync');
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3');
  } catch (e) {
    throw new Error(`--drop-caches needs root and a writable /proc/sys/vm/drop_caches: ${(e as Error).message}`);
  }
}

function lastDayOfMonth(ym: string): string {
  const [y, m] = ym.split('-').map(Number) as [number, number];
  return `${ym}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

function versionOf(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.trim().split('\n')[0] ?? '';
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2), strict: true,
    options: {
      quick: { type: 'boolean' }, symbols: { type: 'string' }, rows: { type: 'string' }, runs: { type: 'string' },
      out: { type: 'string' }, 'drop-caches': { type: 'boolean' }, rtt: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log('usage: npm run bench -- [--quick | --symbols N | --rows N] [--runs N] [--out NAME] [--drop-caches] [--rtt MS]\n'
      + '  default 40 symbols (~10.3M option rows), 5 runs; --quick = 2 symbols (~520k rows), 3 runs\n'
      + '  --drop-caches: also drop the OS page cache before every cold run (root; affects the whole machine)\n'
      + `  --rtt MS: delay per request of the proxy the Symbol page timings go through (default ${DEFAULT_DELAY_MS})`);
    return;
  }
  // --rows takes the legacy table's shape, about 1.26M option rows a month: 98 symbols over as many
  // months back from the default end date as the row count needs.
  const legacy = values.rows ? legacyShape(Number(values.rows)) : null;
  const symbols = values.symbols ? Number(values.symbols) : legacy ? legacy.symbols : values.quick ? 2 : 40;
  if (!Number.isInteger(symbols) || symbols < 1 || symbols > 200) throw new Error('--symbols/--rows give 1..200 symbols');
  const runs = values.runs ? Number(values.runs) : values.quick ? 3 : 5;
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  const outName = values.out ?? (values.quick ? 'quick' : 'latest');
  const dropCaches = values['drop-caches'] ?? false;
  const rttMs = values.rtt === undefined ? DEFAULT_DELAY_MS : Number(values.rtt);
  if (!Number.isFinite(rttMs) || rttMs < 0 || rttMs > 10_000) throw new Error('--rtt must be 0..10000 ms');
  const started = new Date();
  const t0 = performance.now();
  const setupSeconds: Record<string, number | null> = {};

  // 1. The dataset (kept under tmp/bench and reused by later runs with the same size).
  const lake = join(ROOT, 'tmp', 'bench', `lake-symbols-${symbols}${legacy ? `-from-${legacy.from}` : ''}`);
  if (existsSync(join(lake, 'manifest.json')) && rollupProblems((await readLakeManifest(lake)).files).length > 0) {
    // A lake from before (some) rollups: derive what it lacks, as `quantiv rollup` does for any lake.
    log(`adding rollups to ${lake}`);
    [, setupSeconds.rollup] = await timed(() => execFileSync(process.execPath, [join(ROOT, 'bin/quantiv.mjs'), 'rollup', '--data', lake], { stdio: 'inherit' }));
  }
  if (!existsSync(join(lake, 'manifest.json'))) {
    log(`generating ${symbols} symbols into ${lake}`);
    const [, s] = await timed(() => execFileSync(process.execPath, [join(ROOT, 'bin/quantiv.mjs'), 'generate', '--out', lake, '--symbols', symbolsArg(symbols), ...(legacy ? ['--from', legacy.from] : []), '--quiet'], { stdio: 'inherit' }));
    setupSeconds.generate = s;
  } else {
    log(`reusing ${lake}`);
    setupSeconds.generate = null;
  }
  const manifest = await readLakeManifest(lake);
  const optionFiles = manifest.files.filter((f) => f.table === 'options').sort((a, b) => (a.path < b.path ? -1 : 1));
  const optionRows = optionFiles.reduce((s, f) => s + f.rows, 0);

  // 2. The site with the bench page, in its own folder (dist/ is left alone).
  const site = join(ROOT, 'tmp', 'bench', 'site');
  log('building the site with bench.html');
  [, setupSeconds.build] = await timed(() => execFileSync('npx', ['vite', 'build', '--outDir', site, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, QUANTIV_BENCH: '1' },
  }));

  let nginx: NginxServer | null = null;
  let cluster: PgCluster | null = null;
  let browser: Browser | null = null;
  let proxy: LatencyProxy | null = null;
  try {
    nginx = await startNginx({ siteRoot: site, dataRoot: lake });
    log(`nginx ${nginx.url}`);
    proxy = await startLatencyProxy({ upstream: nginx.url, delayMs: rttMs });
    log(`latency proxy ${proxy.url} (${rttMs} ms per request)`);

    // 3. PostgreSQL: private cluster, tuned, legacy schema + indexes, loaded, VACUUM ANALYZE.
    cluster = await startPostgres();
    const tuning = pgTuning();
    restartPg(cluster, tuning);
    log(`PostgreSQL ${cluster.url}: loading ${optionRows.toLocaleString('en-US')} option rows`);
    const [load, loadS] = await timed(() => loadIntoPg(lake, cluster!.url, { quirks: false }));
    setupSeconds.pgLoad = loadS;
    const totalRows = Object.values(load.rows).reduce((s, n) => s + n, 0);
    log(`loaded ${totalRows.toLocaleString('en-US')} rows in ${loadS.toFixed(1)} s; VACUUM ANALYZE`);
    {
      const c = await pgConnect(cluster.url);
      [, setupSeconds.pgVacuumAnalyze] = await timed(() => c.query('VACUUM (ANALYZE)'));
      await c.end();
    }
    const pgVersion = await (async () => { const c = await pgConnect(cluster!.url); const v = (await c.query<{ v: string }>('SELECT version() AS v')).rows[0]!.v; await c.end(); return v; })();
    const storageRows = await storage(cluster.url, manifest);

    // 4. Parameters from the data: the first symbol, the last complete month but one.
    const sym = await openNative(lake);
    const symbol = String((await sym.query('SELECT min(symbol) AS s FROM symbols_metadata')).columns[0]!.values[0]);
    const nativeVersion = String((await sym.query('SELECT version() AS v')).columns[0]!.values[0]);
    await sym.close();
    const month = (optionFiles.at(-2) ?? optionFiles.at(-1))!.minDate!.slice(0, 7);
    const params: QueryParams = { symbol, from: `${month}-01`, to: lastDayOfMonth(month) };
    // The bench page's worker registers every manifest file under registeredName, as the app does.
    const appLake = { manifest, locate: registeredName };
    log(`params ${JSON.stringify(params)}`);

    browser = await launchChromium();
    const samples: Sample[] = [];
    /** Digests of APP_REFERENCE's raw-table answers, where the app's question is phrased its own way. */
    const references: Partial<Record<QueryId, string | undefined>> = {};
    const coldStarts: { cold: ColdStart[]; warm: ColdStart[] } = { cold: [], warm: [] };
    const wasmInits: number[] = [];
    const pageSamples: SymbolPageTimings[] = [];
    const [, roundsS] = await timed(async () => {
      for (let round = 0; round < runs; round++) {
        if (dropCaches) dropOsCaches();
        const cs = await appColdStart(browser!, nginx!.url, nginx!.accessLog);
        coldStarts.cold.push(cs.cold);
        coldStarts.warm.push(cs.warm);
        const pt = await symbolPageTimings(browser!, proxy!.url, nginx!.accessLog);
        pageSamples.push(pt);
        log(`round ${round + 1}/${runs} symbol page at ${rttMs} ms: cold ${pt.symbolPageRtt40Ms.toFixed(0)} ms ${pt.symbolPageRtt40Requests} req; switch ${pt.symbolSwitchRtt40Ms.toFixed(0)} ms ${pt.symbolSwitchRtt40Requests} req`);
        for (const [qi, q] of QUERIES.entries()) {
          const order = ENGINES.map((_, i) => ENGINES[(i + round + qi) % ENGINES.length]!);
          for (const engine of order) {
            const sql = sqlFor(q, params, engine === 'pg' ? 'pg' : 'duckdb');
            if (engine === 'pg') restartPg(cluster!, tuning);
            if (dropCaches) dropOsCaches();
            let session: Session;
            let initMs: number | undefined;
            if (engine === 'pg') session = await openPg(cluster!.url);
            else if (engine === 'native') session = await openNativeSession(lake);
            else {
              const w = await openWasmSession(browser!, nginx!.url, nginx!.accessLog);
              initMs = w.ready.initMs;
              wasmInits.push(initMs);
              session = w;
            }
            try {
              const cold = await session.query(sql);
              samples.push({ ...cold, round, engine, query: q.id, mode: 'cold', path: 'raw', ...(initMs === undefined ? {} : { initMs }) });
              const warm = await session.query(sql);
              samples.push({ ...warm, round, engine, query: q.id, mode: 'warm', path: 'raw' });
              log(`round ${round + 1}/${runs} ${q.id.padEnd(10)} ${engine.padEnd(6)} cold ${cold.ms.toFixed(0).padStart(6)} ms  warm ${warm.ms.toFixed(0).padStart(6)} ms  rows ${cold.rows}${cold.bytes !== undefined ? `  ${cold.requests} req ${(cold.bytes / 1024).toFixed(0)} KiB` : ''}`);
            } finally {
              await session.close();
            }
          }
          // The app path: a cold browser session, then the same query warm.
          const w = await openWasmSession(browser!, nginx!.url, nginx!.accessLog);
          try {
            const sql = appSqlFor(q.id, params, appLake);
            const cold = await w.query(sql);
            samples.push({ ...cold, round, engine: 'wasm', query: q.id, mode: 'cold', path: 'app', initMs: w.ready.initMs });
            const warm = await w.query(sql);
            samples.push({ ...warm, round, engine: 'wasm', query: q.id, mode: 'warm', path: 'app' });
            const ref = APP_REFERENCE[q.id];
            if (ref) references[q.id] = (await w.query(ref(params, appLake))).digest;
            log(`round ${round + 1}/${runs} ${q.id.padEnd(10)} app    cold ${cold.ms.toFixed(0).padStart(6)} ms  warm ${warm.ms.toFixed(0).padStart(6)} ms  rows ${cold.rows}  ${cold.requests} req ${((cold.bytes ?? 0) / 1024).toFixed(0)} KiB`);
          } finally {
            await w.close();
          }
        }
      }
    });
    setupSeconds.rounds = roundsS;

    // 5. Aggregate.
    const pick = (q: QueryId, e: Engine, m: 'cold' | 'warm', path: Sample['path'] = 'raw') =>
      samples.filter((s) => s.query === q && s.engine === e && s.mode === m && s.path === path);
    const medians = {} as BenchResult['medians'];
    const bytes = {} as BenchResult['bytes'];
    const agreement = {} as BenchResult['agreement'];
    for (const q of QUERIES) {
      medians[q.id] = {} as Record<Engine, { cold: number; warm: number }>;
      for (const e of ENGINES) medians[q.id][e] = { cold: median(pick(q.id, e, 'cold').map((s) => s.ms)), warm: median(pick(q.id, e, 'warm').map((s) => s.ms)) };
      const b = (m: 'cold' | 'warm') => {
        const ss = pick(q.id, 'wasm', m);
        return { bytes: median(ss.map((s) => s.bytes ?? 0)), requests: median(ss.map((s) => s.requests ?? 0)), cachedBytes: median(ss.map((s) => s.cachedBytes ?? 0)), nginxBytes: median(ss.map((s) => s.nginxBytes ?? 0)), nginxRequests: median(ss.map((s) => s.nginxRequests ?? 0)) };
      };
      bytes[q.id] = { cold: b('cold'), warm: b('warm') };
      const answers = new Set(samples.filter((s) => s.query === q.id && s.path === 'raw').map((s) => `${s.rows} rows, count sum ${s.check === null ? '-' : Math.round(s.check)}`));
      // PostgreSQL agrees on counts; the DuckDB engines on every value (resultDigest).
      const digests = new Set(samples.filter((s) => s.query === q.id && s.path === 'raw' && s.digest !== undefined).map((s) => s.digest));
      agreement[q.id] = { ok: answers.size === 1 && digests.size === 1, detail: [...answers, ...[...digests].map((d) => `values ${d}`)].join(' | ') };
    }
    const app = {} as BenchResult['app'];
    for (const q of QUERIES) {
      const raw = APP_REFERENCE[q.id] ? new Set([references[q.id]])
        : new Set(samples.filter((s) => s.query === q.id && s.path === 'raw' && s.engine === 'wasm').map((s) => s.digest));
      const mine = samples.filter((s) => s.query === q.id && s.path === 'app');
      const cold = pick(q.id, 'wasm', 'cold', 'app');
      app[q.id] = {
        sql: appSqlFor(q.id, params, appLake),
        cold: median(cold.map((s) => s.ms)), warm: median(pick(q.id, 'wasm', 'warm', 'app').map((s) => s.ms)),
        requestsCold: median(cold.map((s) => s.requests ?? 0)), bytesCold: median(cold.map((s) => s.bytes ?? 0)),
        sameAnswerAsRaw: raw.size === 1 && mine.length > 0 && mine.every((s) => raw.has(s.digest)),
      };
    }
    const medCs = (xs: ColdStart[]): ColdStart => ({
      firstChartMs: median(xs.map((x) => x.firstChartMs)), wasmBytes: median(xs.map((x) => x.wasmBytes)),
      totalBytes: median(xs.map((x) => x.totalBytes)), dataBytes: median(xs.map((x) => x.dataBytes)), requests: median(xs.map((x) => x.requests)),
      longestTaskMs: median(xs.map((x) => x.longestTaskMs)), phases: medianPhases(xs.map((x) => x.phases)),
    });
    const chromiumVersion = browser.version();
    const pm = (k: keyof SymbolPageTimings) => median(pageSamples.map((p) => p[k]));
    const coldStartMedian = { cold: medCs(coldStarts.cold), warm: medCs(coldStarts.warm) };
    const summary: BenchSummary = {
      rows: optionRows,
      raw: Object.fromEntries(QUERIES.map((q) => [q.id, {
        pgWarmMs: medians[q.id].pg.warm, nativeWarmMs: medians[q.id].native.warm, wasmWarmMs: medians[q.id].wasm.warm, wasmColdMs: medians[q.id].wasm.cold,
      }])) as BenchSummary['raw'],
      app: Object.fromEntries(QUERIES.map((q) => [q.id, { pgWarmMs: medians[q.id].pg.warm, wasmWarmMs: app[q.id].warm, wasmColdMs: app[q.id].cold }])) as BenchSummary['app'],
      page: {
        firstChartColdMs: coldStartMedian.cold.firstChartMs,
        symbolPageRtt40Ms: pm('symbolPageRtt40Ms'), symbolSwitchRtt40Ms: pm('symbolSwitchRtt40Ms'), symbolSwitchRtt40Requests: pm('symbolSwitchRtt40Requests'),
      },
    };
    const result: BenchResult = {
      summary,
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      totalSeconds: (performance.now() - t0) / 1000,
      machine: {
        cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, ramGiB: Math.round(totalmem() / 2 ** 30),
        kernel: release(), node: process.version, postgres: pgVersion.split(' on ')[0] ?? pgVersion,
        duckdbNative: `${nativeVersion} (@duckdb/node-api)`, duckdbWasm: `@duckdb/duckdb-wasm ${WASM_PACKAGE_VERSION} (DuckDB ${EXTENSION.engine.replace(/^v/, '')})`,
        chromium: chromiumVersion, nginx: versionOf('nginx', ['-v']).replace(/^nginx version: /, ''),
      },
      dataset: {
        symbols, optionRows, totalRows: manifest.files.reduce((s, f) => s + f.rows, 0),
        parquetBytes: manifest.files.reduce((s, f) => s + f.bytes, 0), files: manifest.files.length,
        from: optionFiles[0]!.minDate!, to: optionFiles.at(-1)!.maxDate!, datasetVersion: manifest.datasetVersion,
      },
      params, runs, dropCaches, setupSeconds,
      pg: { version: pgVersion, settings: tuning.settings, note: tuning.note, loadRowsPerSecond: Math.round(totalRows / loadS) },
      cold: COLD, warm: WARM,
      queries: QUERIES.map((q) => ({ id: q.id, title: q.title, duckdbSql: sqlFor(q, params, 'duckdb'), pgSql: sqlFor(q, params, 'pg') })),
      samples, medians, app, bytes, agreement, storage: storageRows,
      coldStart: { ...coldStarts, median: coldStartMedian, wasmInitMsMedian: median(wasmInits) },
    };
    result.page = {
      rttMs, samples: pageSamples,
      symbolPageRtt40Ms: pm('symbolPageRtt40Ms'), symbolPageRtt40Requests: pm('symbolPageRtt40Requests'), symbolPageRtt40Bytes: pm('symbolPageRtt40Bytes'),
      symbolSwitchRtt40Ms: pm('symbolSwitchRtt40Ms'), symbolSwitchRtt40Requests: pm('symbolSwitchRtt40Requests'), symbolSwitchRtt40Bytes: pm('symbolSwitchRtt40Bytes'),
    };
    const md = renderMarkdown(result);
    const dir = join(ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${outName}.json`), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(join(dir, `${outName}.md`), md);
    console.log(md);
    log(`wrote bench/results/${outName}.json and .md in ${result.totalSeconds.toFixed(0)} s`);
  } finally {
    await browser?.close();
    await proxy?.stop();
    await nginx?.stop();
    await cluster?.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
