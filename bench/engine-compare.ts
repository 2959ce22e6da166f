// `npx tsx bench/engine-compare.ts --baseline-site DIR [--symbols N] [--runs N]`
// Two builds of the app side by side in one run, over one lake: the current site and a baseline
// site built from another engine (e.g. the last DuckDB-WASM 1.28.0 commit, with QUANTIV_BENCH=1).
// Each round loads both apps cold and runs the bench's four queries cold and warm in both, order
// rotated, and native DuckDB once for the answers. Prints a markdown table; writes
// bench/results/engine-compare.json.
//
// A baseline site:
//   git worktree add /tmp/q-base <commit> && cd /tmp/q-base && npm ci \
//     && QUANTIV_BENCH=1 npx vite build --outDir /tmp/q-base-site
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readLakeManifest } from '../src/node/lake-io.ts';
import { startNginx, type NginxServer } from '../src/node/nginx.ts';
import { appColdStart, launchChromium, openWasmSession, type ColdStart } from './browser.ts';
import { openNativeSession, type Timed } from './engines.ts';
import { QUERIES, sqlFor, type QueryParams } from './queries.ts';
import { median } from './report.ts';

const ROOT = resolve(import.meta.dirname, '..');
const log = (msg: string) => process.stderr.write(`[compare ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

interface SiteRun {
  label: string;
  nginx: NginxServer;
  version: string;
  cold: ColdStart[];
  init: number[];
  queries: Record<string, { cold: Timed[]; warm: Timed[] }>;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2), strict: true,
    options: { 'baseline-site': { type: 'string' }, symbols: { type: 'string' }, runs: { type: 'string' } },
  });
  const baseline = values['baseline-site'];
  if (!baseline || !existsSync(join(baseline, 'bench.html'))) throw new Error('--baseline-site DIR: a site built with QUANTIV_BENCH=1 (see the header)');
  const symbols = Number(values.symbols ?? 40);
  const runs = Number(values.runs ?? 3);
  const lake = join(ROOT, 'tmp', 'bench', `lake-symbols-${symbols}`);
  if (!existsSync(join(lake, 'manifest.json'))) {
    execFileSync(process.execPath, [join(ROOT, 'bin/quantiv.mjs'), 'generate', '--out', lake, '--symbols', String(symbols), '--quiet'], { stdio: 'inherit' });
  }
  const manifest = await readLakeManifest(lake);
  const optionFiles = manifest.files.filter((f) => f.table === 'options').sort((a, b) => (a.path < b.path ? -1 : 1));
  const site = join(ROOT, 'tmp', 'bench', 'site');
  execFileSync('npx', ['vite', 'build', '--outDir', site, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, QUANTIV_BENCH: '1' },
  });

  const native = await openNativeSession(lake);
  const symbol = await nativeSymbol(lake);
  const month = (optionFiles.at(-2) ?? optionFiles.at(-1))!.minDate!.slice(0, 7);
  const [y, m] = month.split('-').map(Number) as [number, number];
  const params: QueryParams = { symbol, from: `${month}-01`, to: `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}` };

  const browser = await launchChromium();
  const sites: SiteRun[] = [];
  try {
    for (const [label, dir] of [['current', site], ['baseline', baseline]] as const) {
      const nginx = await startNginx({ siteRoot: dir, dataRoot: lake });
      const probe = await openWasmSession(browser, nginx.url, nginx.accessLog);
      sites.push({ label, nginx, version: probe.ready.duckdbVersion, cold: [], init: [], queries: {} });
      await probe.close();
    }
    const answers: Record<string, Set<string>> = {};
    for (const q of QUERIES) {
      const r = await native.query(sqlFor(q, params, 'duckdb'));
      answers[q.id] = new Set([`native ${r.rows} rows, count ${r.check}, values ${r.digest}`]);
    }
    for (let round = 0; round < runs; round++) {
      const order = round % 2 ? [...sites].reverse() : sites;
      for (const s of order) {
        const cs = await appColdStart(browser, s.nginx.url, s.nginx.accessLog);
        s.cold.push(cs.cold);
      }
      for (const q of QUERIES) {
        for (const s of order) {
          const session = await openWasmSession(browser, s.nginx.url, s.nginx.accessLog);
          s.init.push(session.ready.initMs);
          try {
            const sql = sqlFor(q, params, 'duckdb');
            const cold = await session.query(sql);
            const warm = await session.query(sql);
            (s.queries[q.id] ??= { cold: [], warm: [] }).cold.push(cold);
            s.queries[q.id]!.warm.push(warm);
            // The baseline's bench page may predate digests: it is compared by counts then.
            answers[q.id]!.add(`${s.label} ${cold.rows} rows, count ${cold.check}${cold.digest ? `, values ${cold.digest}` : ''}`);
            log(`round ${round + 1}/${runs} ${q.id.padEnd(10)} ${s.label.padEnd(8)} cold ${cold.ms.toFixed(0).padStart(6)} ms warm ${warm.ms.toFixed(0).padStart(6)} ms ${cold.nginxRequests} req ${((cold.nginxBytes ?? 0) / 2 ** 20).toFixed(1)} MiB`);
          } finally {
            await session.close();
          }
        }
      }
    }

    const med = (xs: number[]) => Math.round(median(xs));
    const lines = [
      `Engines side by side, ${manifest.files.filter((f) => f.table === 'options').reduce((n, f) => n + f.rows, 0).toLocaleString('en-US')} option rows, ${runs} rounds (medians)`,
      '',
      `| | ${sites.map((s) => `${s.label}: DuckDB ${s.version}`).join(' | ')} |`,
      `| --- | ${sites.map(() => '---:').join(' | ')} |`,
      `| app first chart, cold (ms) | ${sites.map((s) => med(s.cold.map((c) => c.firstChartMs))).join(' | ')} |`,
      `| app cold load: wasm on the wire (KiB) | ${sites.map((s) => med(s.cold.map((c) => c.wasmBytes / 1024))).join(' | ')} |`,
      `| app cold load: all bytes (KiB) / requests | ${sites.map((s) => `${med(s.cold.map((c) => c.totalBytes / 1024))} / ${med(s.cold.map((c) => c.requests))}`).join(' | ')} |`,
      `| bench page engine init (ms) | ${sites.map((s) => med(s.init)).join(' | ')} |`,
    ];
    for (const q of QUERIES) {
      for (const mode of ['cold', 'warm'] as const) {
        lines.push(`| ${q.id} ${mode}: ms, requests, MiB | ${sites.map((s) => {
          const xs = s.queries[q.id]![mode];
          return `${med(xs.map((x) => x.ms))} ms, ${med(xs.map((x) => x.nginxRequests ?? 0))} req, ${(median(xs.map((x) => x.nginxBytes ?? 0)) / 2 ** 20).toFixed(1)} MiB`;
        }).join(' | ')} |`);
      }
    }
    lines.push('', 'Answers (native DuckDB and the current WASM engine must agree on every value):');
    for (const q of QUERIES) lines.push(`- ${q.id}: ${[...answers[q.id]!].join(' | ')}`);
    const md = lines.join('\n');
    console.log(md);
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'engine-compare.json'), `${JSON.stringify({ params, runs, sites: sites.map(({ nginx: _n, ...s }) => s), answers: Object.fromEntries(Object.entries(answers).map(([k, v]) => [k, [...v]])) }, null, 2)}\n`);
    writeFileSync(join(ROOT, 'bench', 'results', 'engine-compare.md'), `${md}\n`);
  } finally {
    await browser.close();
    for (const s of sites) await s.nginx.stop();
    await native.close();
  }
}

async function nativeSymbol(lake: string): Promise<string> {
  const { openNative } = await import('../src/node/engines/native.ts');
  const eng = await openNative(lake);
  try {
    return String((await eng.query('SELECT min(symbol) AS s FROM symbols_metadata')).columns[0]!.values[0]);
  } finally {
    await eng.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
