// `npx tsx bench/coldstart-ab.ts --data LAKE --runs 5 NAME=SITE_DIR [NAME=SITE_DIR ...]`
// Cold loads of the app page from several builds, interleaved (the machine is shared, so a slow
// minute hits every build alike): first chart, the longest main-thread task up to it, when the
// big resources started and finished, and the app's own phase marks where the build has them.
import { parseArgs } from 'node:util';
import { startNginx, type NginxServer } from '../src/node/nginx.ts';
import { launchChromium } from './browser.ts';
import { median } from './report.ts';


interface Load {
  firstChartMs: number;
  longestTaskMs: number;
  /** Long tasks (> 50 ms) before the first chart, summed. */
  longTaskMs: number;
  resources: Record<string, { start: number; end: number }>;
  marks: Record<string, number>;
}

const { values, positionals } = parseArgs({
  options: { data: { type: 'string' }, runs: { type: 'string', default: '5' }, path: { type: 'string', default: '/' } },
  allowPositionals: true,
});
if (!values.data || positionals.length === 0) throw new Error('usage: --data LAKE NAME=SITE_DIR ...');
const sites = positionals.map((p) => {
  const [name, dir] = p.split('=') as [string, string];
  return { name, dir };
});

/** Which request is which: the engine's wasm, its worker script, Plotly's chunk, the manifest, the first lake read. */
function kind(url: string): string | null {
  if (/duckdb-eh[^/]*\.wasm/.test(url)) return 'wasm';
  if (/duckdb\.worker[^/]*\.js/.test(url)) return 'worker';
  if (/plotly[^/]*\.js/.test(url)) return 'plotly';
  if (/parquet\.duckdb_extension\.wasm/.test(url)) return 'extension';
  if (/\/data\/manifest\.json/.test(url)) return 'manifest';
  if (/\/data\/.*\.parquet/.test(url)) return 'parquet';
  return null;
}

async function coldLoad(browser: Awaited<ReturnType<typeof launchChromium>>, url: string): Promise<Load> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(() => {
    const w = window as unknown as { __lt: { start: number; duration: number }[]; __chart: number };
    w.__lt = [];
    w.__chart = 0;
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) w.__lt.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask' });
    new MutationObserver(() => {
      if (!w.__chart && document.querySelector('[data-testid=iv-chart]:not([data-points="0"])')) w.__chart = performance.now();
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-points'] });
  });
  const t0 = { wall: 0 };
  const resources: Load['resources'] = {};
  page.on('requestfinished', (req) => {
    const k = kind(req.url());
    if (!k || resources[k]) return;
    const t = req.timing();
    resources[k] = { start: t.startTime - t0.wall, end: t.startTime - t0.wall + t.responseEnd };
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.clearBrowserCache');
  await cdp.detach();
  t0.wall = Date.now();
  await page.goto(url);
  await page.waitForSelector('[data-testid=iv-chart]:not([data-points="0"])', { timeout: 60_000 }).catch(async (e: unknown) => {
    const status = await page.locator('main').innerText().catch(() => '?');
    await context.close();
    throw new Error(`${(e as Error).message.split('\n')[0]}; page says: ${status.slice(0, 120)}`);
  });
  const inPage = await page.evaluate(() => {
    const w = window as unknown as { __lt: { start: number; duration: number }[]; __chart: number };
    const marks = Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime]));
    return { chart: w.__chart, lt: w.__lt.filter((e) => e.start < w.__chart), marks, origin: performance.timeOrigin };
  });
  // Request times are wall clock; the page's clock starts at its own timeOrigin.
  for (const r of Object.values(resources)) {
    r.start -= inPage.origin - t0.wall;
    r.end -= inPage.origin - t0.wall;
  }
  await context.close();
  return {
    firstChartMs: inPage.chart,
    longestTaskMs: Math.max(0, ...inPage.lt.map((e) => e.duration)),
    longTaskMs: inPage.lt.reduce((s, e) => s + e.duration, 0),
    resources,
    marks: inPage.marks,
  };
}

const servers: NginxServer[] = [];
const browser = await launchChromium();
try {
  for (const s of sites) servers.push(await startNginx({ siteRoot: s.dir, dataRoot: values.data }));
  const loads: Load[][] = sites.map(() => []);
  const runs = Number(values.runs);
  for (let round = 0; round < runs; round++) {
    // Rotate the order each round so no build always goes first after a pause.
    for (let j = 0; j < sites.length; j++) {
      const i = (j + round) % sites.length;
      const l = await coldLoad(browser, `${servers[i]!.url}${values.path}`).catch((e: unknown) => {
        // One stuck load should not cost the whole comparison; it is reported, not medianed.
        process.stderr.write(`${round + 1}/${runs} ${sites[i]!.name}: FAILED ${(e as Error).message.split('\n')[0]}\n`);
        return null;
      });
      if (!l) continue;
      loads[i]!.push(l);
      process.stderr.write(`${round + 1}/${runs} ${sites[i]!.name.padEnd(10)} chart ${l.firstChartMs.toFixed(0).padStart(5)} ms  longest task ${l.longestTaskMs.toFixed(0).padStart(4)} ms\n`);
    }
  }
  const summary = sites.map((s, i) => {
    const ls = loads[i]!;
    const med = (f: (l: Load) => number | undefined) => {
      const xs = ls.map(f).filter((x): x is number => x !== undefined);
      return xs.length ? Math.round(median(xs)) : null;
    };
    const keys = (f: (l: Load) => Record<string, unknown>) => [...new Set(ls.flatMap((l) => Object.keys(f(l))))];
    return {
      name: s.name,
      firstChartMs: med((l) => l.firstChartMs),
      longestTaskMs: med((l) => l.longestTaskMs),
      longTaskMs: med((l) => l.longTaskMs),
      resources: Object.fromEntries(keys((l) => l.resources).map((k) => [k, `${med((l) => l.resources[k]?.start)}..${med((l) => l.resources[k]?.end)}`])),
      marks: Object.fromEntries(keys((l) => l.marks).map((k) => [k, med((l) => l.marks[k])])),
    };
  });
  console.log(JSON.stringify(summary, null, 2));
  const base = summary[0]!;
  for (const s of summary.slice(1)) {
    console.log(`${s.name} / ${base.name}: first chart ${((s.firstChartMs ?? NaN) / (base.firstChartMs ?? NaN)).toFixed(2)}x, longest task ${((s.longestTaskMs ?? NaN) / (base.longestTaskMs ?? NaN)).toFixed(2)}x`);
  }
} finally {
  await browser.close();
  for (const s of servers) await s.stop();
}
