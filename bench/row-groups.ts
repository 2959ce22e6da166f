// `npx tsx bench/row-groups.ts [--symbols N] [--runs N] [--sizes 10240,122880]`
// The options row-group size, chosen by measurement: the bench lake's options rewritten with each
// size (same rows, same sort), each copy served by its own nginx, and the four raw query classes
// run in DuckDB-WASM cold and warm, sizes interleaved and rotated every round. Prints a markdown
// table (time, requests, bytes per size); writes bench/results/row-groups.{json,md}.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readLakeManifest } from '../src/node/lake-io.ts';
import { writeLakeFile } from '../src/node/lake-writer.ts';
import { startNginx, type NginxServer } from '../src/node/nginx.ts';
import { openDuck } from '../src/node/duck.ts';
import { publishManifest } from '../src/node/rollups.ts';
import type { ManifestFile } from '../src/lake/manifest.ts';
import { quoteString } from '../src/lake/schema.ts';
import { launchChromium, openWasmSession } from './browser.ts';
import type { Timed } from './engines.ts';
import { QUERIES, sqlFor, type QueryParams } from './queries.ts';
import { fmtBytes, fmtMs, median } from './report.ts';

const ROOT = resolve(import.meta.dirname, '..');
const log = (msg: string) => process.stderr.write(`[row-groups ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

/** A copy of the lake whose options files have the given row-group size; other files are linked. */
async function lakeWithRowGroups(source: string, size: number): Promise<string> {
  const out = join(ROOT, 'tmp', 'bench', `rg-${size}`);
  if (existsSync(join(out, 'manifest.json'))) return out;
  rmSync(out, { recursive: true, force: true });
  const manifest = await readLakeManifest(source);
  const { conn, close } = await openDuck(':memory:', { threads: '2' });
  try {
    const files: ManifestFile[] = [];
    for (const f of manifest.files) {
      if (f.table === 'options_daily') continue;
      if (f.table !== 'options') {
        mkdirSync(join(out, f.path, '..'), { recursive: true });
        execFileSync('cp', [join(source, f.path), join(out, f.path)]);
        files.push(f);
        continue;
      }
      files.push(await writeLakeFile({
        conn, root: out, table: 'options', partition: { year: Number(f.partition.year), month: Number(f.partition.month) }, rowGroupSize: size,
        select: `SELECT * FROM read_parquet(${quoteString(join(source, f.path))})`,
      }));
    }
    await publishManifest(conn, out, files);
  } finally {
    close();
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2), strict: true,
    options: { symbols: { type: 'string' }, runs: { type: 'string' }, sizes: { type: 'string' } },
  });
  const symbols = Number(values.symbols ?? 40);
  const runs = Number(values.runs ?? 3);
  const sizes = (values.sizes ?? '10240,122880').split(',').map(Number);
  const source = join(ROOT, 'tmp', 'bench', `lake-symbols-${symbols}`);
  if (!existsSync(join(source, 'manifest.json'))) throw new Error(`no bench lake at ${source}: run npm run bench -- --symbols ${symbols} once`);
  const site = join(ROOT, 'tmp', 'bench', 'site');
  log('building the bench site');
  execFileSync('npx', ['vite', 'build', '--outDir', site, '--emptyOutDir', '--logLevel', 'warn'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, QUANTIV_BENCH: '1' } });

  const lakes: { size: number; root: string; nginx: NginxServer; bytes: number; groups: number }[] = [];
  const browser = await launchChromium();
  try {
    for (const size of sizes) {
      log(`lake with ${size}-row groups`);
      const root = await lakeWithRowGroups(source, size);
      const m = await readLakeManifest(root);
      const options = m.files.filter((f) => f.table === 'options');
      const { conn, close } = await openDuck(':memory:');
      const groups = Number((await conn.runAndReadAll(`SELECT count(DISTINCT (file_name, row_group_id)) FROM parquet_metadata([${options.map((f) => quoteString(join(root, f.path))).join(', ')}])`)).getRows()[0]![0]);
      close();
      lakes.push({ size, root, nginx: await startNginx({ siteRoot: site, dataRoot: root }), bytes: options.reduce((s, f) => s + f.bytes, 0), groups });
    }
    const manifest = await readLakeManifest(source);
    const optionFiles = manifest.files.filter((f) => f.table === 'options').sort((a, b) => (a.path < b.path ? -1 : 1));
    const month = optionFiles.at(-2)!.minDate!.slice(0, 7);
    const meta = manifest.files.find((f) => f.table === 'symbols_metadata')!;
    const { conn, close } = await openDuck(':memory:');
    const symbol = String((await conn.runAndReadAll(`SELECT min(symbol) FROM read_parquet(${quoteString(join(source, meta.path))})`)).getRows()[0]![0]);
    close();
    const params: QueryParams = { symbol, from: `${month}-01`, to: `${month}-28` };
    const samples: { size: number; query: string; cold: Timed; warm: Timed }[] = [];
    for (let round = 0; round < runs; round++) {
      for (const [qi, q] of QUERIES.entries()) {
        if (q.id === 'join') continue; // no options read
        for (let k = 0; k < lakes.length; k++) {
          const lake = lakes[(k + round + qi) % lakes.length]!;
          const w = await openWasmSession(browser, lake.nginx.url, lake.nginx.accessLog);
          try {
            const sql = sqlFor(q, params, 'duckdb');
            const cold = await w.query(sql);
            const warm = await w.query(sql);
            samples.push({ size: lake.size, query: q.id, cold, warm });
            log(`round ${round + 1}/${runs} ${q.id.padEnd(10)} rg ${String(lake.size).padStart(6)} cold ${cold.ms.toFixed(0).padStart(6)} ms warm ${warm.ms.toFixed(0).padStart(6)} ms ${cold.requests} req ${((cold.bytes ?? 0) / 1024).toFixed(0)} KiB`);
          } finally {
            await w.close();
          }
        }
      }
    }
    const rows = lakes.flatMap((l) => QUERIES.filter((q) => q.id !== 'join').map((q) => {
      const ss = samples.filter((s) => s.size === l.size && s.query === q.id);
      return {
        size: l.size, query: q.id, coldMs: median(ss.map((s) => s.cold.ms)), warmMs: median(ss.map((s) => s.warm.ms)),
        coldRequests: median(ss.map((s) => s.cold.requests ?? 0)), coldBytes: median(ss.map((s) => s.cold.bytes ?? 0)),
      };
    }));
    const md = [
      `### Options row-group size (${symbols} symbols, ${runs} runs, DuckDB-WASM in Chromium over nginx on loopback)`, '',
      `| row group rows | options Parquet | row groups | ${QUERIES.filter((q) => q.id !== 'join').map((q) => `${q.id} cold / warm / cold requests / cold bytes`).join(' | ')} |`,
      `| ---: | ---: | ---: | ${QUERIES.filter((q) => q.id !== 'join').map(() => '---:').join(' | ')} |`,
      ...lakes.map((l) => `| ${l.size.toLocaleString('en-US')} | ${fmtBytes(l.bytes)} | ${l.groups} | ${rows.filter((r) => r.size === l.size).map((r) => `${fmtMs(r.coldMs)} / ${fmtMs(r.warmMs)} / ${r.coldRequests} / ${fmtBytes(r.coldBytes)}`).join(' | ')} |`),
      '',
    ].join('\n');
    const dir = join(ROOT, 'bench', 'results');
    writeFileSync(join(dir, 'row-groups.json'), `${JSON.stringify({ symbols, runs, params, lakes: lakes.map(({ size, bytes, groups }) => ({ size, bytes, groups })), rows, samples }, null, 2)}\n`);
    writeFileSync(join(dir, 'row-groups.md'), md);
    console.log(md);
  } finally {
    await browser.close();
    for (const l of lakes) await l.nginx.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
