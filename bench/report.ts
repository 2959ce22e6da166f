// The bench's markdown: medians with ratios to native DuckDB, bytes per query, storage, cold start,
// the Symbol page at a distance.
import type { BenchResult, Engine } from './run.ts';
import { QUERIES } from './queries.ts';

const ENGINES: Engine[] = ['pg', 'native', 'wasm'];
const LABEL: Record<Engine, string> = { pg: 'PostgreSQL 15', native: 'DuckDB native', wasm: 'DuckDB-WASM' };

/** The bench's one median: NaN for no samples. */
export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

export function fmtBytes(b: number): string {
  if (!Number.isFinite(b)) return '-';
  if (b >= 2 ** 30) return `${(b / 2 ** 30).toFixed(2)} GiB`;
  if (b >= 2 ** 20) return `${(b / 2 ** 20).toFixed(1)} MiB`;
  if (b >= 2 ** 10) return `${(b / 2 ** 10).toFixed(0)} KiB`;
  return `${b} B`;
}

function ratio(x: number, base: number): string {
  if (!Number.isFinite(x) || !Number.isFinite(base) || base <= 0) return '';
  const r = x / base;
  return ` (${r >= 10 ? r.toFixed(0) : r.toFixed(1)}×)`;
}

const n = (x: number) => x.toLocaleString('en-US');

/** Per phase, the median over the loads that reached it. */
export function medianPhases(runs: Record<string, number>[]): Record<string, number> {
  const names = [...new Set(runs.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(names.map((p) => [p, median(runs.flatMap((r) => (p in r ? [r[p]!] : [])))]));
}

type Phased = { phases?: Record<string, number>; longestTaskMs?: number };

/** The app's cold-start marks in time order (results from before the marks existed have none). */
export function phaseTable(cold: Phased, warm: Phased): string[] {
  const phases = cold.phases ?? {};
  const names = Object.keys(phases).sort((a, b) => phases[a]! - phases[b]!);
  if (!names.length) return [];
  const out = ['Where the cold start goes (median ms after navigation start; the worker\'s marks on the page\'s clock; "step" is the time since the row above):', ''];
  out.push('| phase | cold | step | warm |', '| --- | ---: | ---: | ---: |');
  let previous = 0;
  for (const name of names) {
    const at = phases[name]!;
    out.push(`| ${name} | ${fmtMs(at)} | ${fmtMs(at - previous)} | ${fmtMs(warm.phases?.[name] ?? NaN)} |`);
    previous = at;
  }
  out.push('', `Longest main-thread task before the first chart: cold ${fmtMs(cold.longestTaskMs ?? NaN)}, warm ${fmtMs(warm.longestTaskMs ?? NaN)}.`, '');
  return out;
}

export function renderMarkdown(r: BenchResult): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(`### ${n(r.dataset.optionRows)} option rows (${r.dataset.symbols} symbols, ${r.dataset.from} to ${r.dataset.to}), ${r.runs} runs per cell`);
  out.push('');
  out.push(`Machine: ${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM, Linux ${m.kernel}, node ${m.node}; ${m.postgres}; ${m.duckdbNative}; ${m.duckdbWasm} in Chromium ${m.chromium} over nginx ${m.nginx}. Run ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${Math.round(r.totalSeconds / 60)} min in all.`);
  out.push('');
  out.push(`Median query time, client wall clock; in brackets the ratio to native DuckDB in the same mode. Runs interleaved: every round runs each query in every engine, engine order rotated each round.`);
  out.push('');
  out.push(`| query | ${ENGINES.flatMap((e) => [`${LABEL[e]} cold`, `${LABEL[e]} warm`]).join(' | ')} |`);
  out.push(`| --- | ${ENGINES.flatMap(() => ['---:', '---:']).join(' | ')} |`);
  for (const q of QUERIES) {
    const med = r.medians[q.id];
    const cells = ENGINES.flatMap((e) => (['cold', 'warm'] as const).map((mode) => `${fmtMs(med[e][mode])}${e === 'native' ? '' : ratio(med[e][mode], med.native[mode])}`));
    out.push(`| ${q.id} | ${cells.join(' | ')} |`);
  }
  out.push('');
  const disagree = Object.entries(r.agreement).filter(([, a]) => !a.ok);
  out.push(disagree.length
    ? `**Answers differ between engines:** ${disagree.map(([q, a]) => `${q}: ${a.detail}`).join('; ')}`
    : `All engines returned the same rows for every query (${Object.entries(r.agreement).map(([q, a]) => `${q}: ${a.detail}`).join('; ')}).`);
  out.push('');
  const optionBytes = r.storage.find((s) => s.table.startsWith('options'))?.parquet ?? r.dataset.parquetBytes;
  const wasm = (q: string, mode: 'cold' | 'warm') => r.samples.filter((s) => s.engine === 'wasm' && s.query === q && s.mode === mode && s.path === 'raw');
  out.push('Bytes per DuckDB-WASM query (median). "Sent" is what nginx sent for /data/ during the query (its access log: the network truth); "read" is what DuckDB received through its XHRs, from the network or the browser cache (the worker\'s HTTP meter).');
  out.push('');
  out.push('| query | cold requests | cold bytes sent | share of options Parquet | cold bytes read | warm requests | warm bytes sent | warm bytes read |');
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const q of QUERIES) {
    const c = wasm(q.id, 'cold');
    const w = wasm(q.id, 'warm');
    const sent = (xs: typeof c) => median(xs.map((s) => s.nginxBytes ?? 0));
    const reqs = (xs: typeof c) => median(xs.map((s) => s.nginxRequests ?? 0));
    const read = (xs: typeof c) => median(xs.map((s) => (s.bytes ?? 0) + (s.cachedBytes ?? 0)));
    out.push(`| ${q.id} | ${n(reqs(c))} | ${fmtBytes(sent(c))} | ${((100 * sent(c)) / optionBytes).toFixed(1)}% | ${fmtBytes(read(c))} | ${n(reqs(w))} | ${fmtBytes(sent(w))} | ${fmtBytes(read(w))} |`);
  }
  out.push('');
  out.push(...appTable(r));
  out.push(...targets(r));
  out.push('Storage: PostgreSQL heap+TOAST (`pg_table_size`) and indexes (`pg_indexes_size`), partitions summed, after VACUUM ANALYZE, vs the lake\'s Parquet (ZSTD):');
  out.push('');
  out.push('| table | rows | PG table | PG indexes | PG total | Parquet | PG / Parquet |');
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const tot = { rows: 0, t: 0, i: 0, p: 0 };
  for (const s of r.storage) {
    tot.rows += s.rows; tot.t += s.pgTable; tot.i += s.pgIndexes; tot.p += s.parquet;
    out.push(`| ${s.table} | ${n(s.rows)} | ${fmtBytes(s.pgTable)} | ${fmtBytes(s.pgIndexes)} | ${fmtBytes(s.pgTable + s.pgIndexes)} | ${fmtBytes(s.parquet)} | ${s.parquet > 0 ? `${((s.pgTable + s.pgIndexes) / s.parquet).toFixed(1)}×` : '–'} |`);
  }
  out.push(`| **total** | ${n(tot.rows)} | ${fmtBytes(tot.t)} | ${fmtBytes(tot.i)} | ${fmtBytes(tot.t + tot.i)} | ${fmtBytes(tot.p)} | ${((tot.t + tot.i) / tot.p).toFixed(1)}× |`);
  out.push('');
  const cs = r.coldStart.median;
  out.push('Cold start of the real app page `/` (median): navigation to the first chart drawn (DuckDB-WASM started, manifest read, symbol list and the default one-month IV query run, Plotly drawn):');
  out.push('');
  out.push('| | first chart | wasm on the wire | all bytes | lake bytes | requests |');
  out.push('| --- | ---: | ---: | ---: | ---: | ---: |');
  out.push(`| empty cache (new context) | ${fmtMs(cs.cold.firstChartMs)} | ${fmtBytes(cs.cold.wasmBytes)} | ${fmtBytes(cs.cold.totalBytes)} | ${fmtBytes(cs.cold.dataBytes)} | ${n(cs.cold.requests)} |`);
  out.push(`| reload, warm HTTP cache | ${fmtMs(cs.warm.firstChartMs)} | ${fmtBytes(cs.warm.wasmBytes)} | ${fmtBytes(cs.warm.totalBytes)} | ${fmtBytes(cs.warm.dataBytes)} | ${n(cs.warm.requests)} |`);
  out.push('');
  out.push(...phaseTable(cs.cold, cs.warm));
  out.push(`DuckDB-WASM init on the bench page (wasm, manifest, views), median: ${fmtMs(r.coldStart.wasmInitMsMedian)}; not included in the cold query times above.`);
  out.push('');
  if (r.page) {
    const p = r.page;
    out.push(`Symbol page through a proxy adding ${p.rttMs} ms to every request (median; until every panel is done and every chart drawn): cold load ${fmtMs(p.symbolPageRtt40Ms)}, ${n(p.symbolPageRtt40Requests)} lake requests, ${fmtBytes(p.symbolPageRtt40Bytes)}; then a symbol switch ${fmtMs(p.symbolSwitchRtt40Ms)}, ${n(p.symbolSwitchRtt40Requests)} lake requests, ${fmtBytes(p.symbolSwitchRtt40Bytes)}.`);
    out.push('');
  }
  const s = r.setupSeconds;
  const sec = (x: number | null | undefined) => (x === null || x === undefined ? 'reused' : `${x.toFixed(1)} s`);
  out.push(`Setup: generate ${sec(s.generate)}; site build ${sec(s.build)}; PostgreSQL load (COPY into the indexed legacy tables, then ANALYZE) ${sec(s.pgLoad)} (${n(r.pg.loadRowsPerSecond)} rows/s); VACUUM ANALYZE ${sec(s.pgVacuumAnalyze)}; the measured rounds ${sec(s.rounds)}.`);
  out.push('');
  out.push(`PostgreSQL settings: ${Object.entries(r.pg.settings).map(([k, v]) => `${k}=${v}`).join(', ')} (${r.pg.note}). Query parameters: symbol ${r.params.symbol}, month ${r.params.from}..${r.params.to}.`);
  out.push('');
  out.push(`What cold means${r.dropCaches ? ' (the OS page cache was also dropped before every cold run)' : ''}: PostgreSQL: ${r.cold.pg}. Native DuckDB: ${r.cold.native}. DuckDB-WASM: ${r.cold.wasm}. Warm: ${r.warm.pg} / ${r.warm.native} / ${r.warm.wasm}.`);
  out.push('');
  return out.join('\n');
}

/** The same questions the way each product answers them: the legacy app's SQL vs the lake app's. */
function appTable(r: BenchResult): string[] {
  const out = ['The app path: the same four questions the way each product answers them. PostgreSQL runs the legacy app\'s SQL (above); DuckDB-WASM runs the lake app\'s, over options_daily where one exists (bench/queries.ts APP_QUERIES). "Faster" is PostgreSQL warm / DuckDB-WASM warm.', ''];
  out.push('| query | PostgreSQL 15 warm | DuckDB-WASM app warm | faster | DuckDB-WASM app cold | cold requests | cold bytes | same answer as raw |');
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const q of QUERIES) {
    const a = r.app[q.id];
    const pg = r.medians[q.id].pg.warm;
    out.push(`| ${q.id} | ${fmtMs(pg)} | ${fmtMs(a.warm)} | ${(pg / a.warm).toFixed(1)}× | ${fmtMs(a.cold)} | ${n(a.requestsCold)} | ${fmtBytes(a.bytesCold)} | ${a.sameAnswerAsRaw ? 'yes' : '**no**'} |`);
  }
  out.push('');
  return out;
}

/** The issue's targets, each marked met or missed with the measured ratio. */
function targets(r: BenchResult): string[] {
  const s = r.summary;
  const rows: [string, number, number, 'min' | 'max'][] = [];
  for (const q of QUERIES) rows.push([`app ${q.id}: PostgreSQL warm / WASM app warm`, s.app[q.id].pgWarmMs / s.app[q.id].wasmWarmMs, 10, 'min']);
  for (const q of QUERIES) {
    if (q.id === 'join') continue;
    rows.push([`raw ${q.id}: WASM warm / native warm`, s.raw[q.id].wasmWarmMs / s.raw[q.id].nativeWarmMs, q.id === 'full_scan' ? 3 : 2, 'max']);
  }
  rows.push(['first chart, empty cache (s)', s.page.firstChartColdMs / 1000, 1.5, 'max']);
  rows.push(['symbol switch at 40 ms RTT (s)', s.page.symbolSwitchRtt40Ms / 1000, 1.5, 'max']);
  const out = ['Targets (issue 10):', '', '| target | measured | bound | |', '| --- | ---: | ---: | --- |'];
  for (const [name, v, bound, kind] of rows) {
    const ok = Number.isFinite(v) && (kind === 'min' ? v >= bound : v <= bound);
    out.push(`| ${name} | ${Number.isFinite(v) ? v.toFixed(2) : '-'} | ${kind === 'min' ? '≥' : '≤'} ${bound} | ${ok ? 'met' : '**missed**'} |`);
  }
  out.push('');
  return out;
}
