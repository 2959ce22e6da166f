// DuckDB-WASM in Debian's headless Chromium over the real nginx: the bench page (bench.html) for
// queries, the real app page (/) for cold start. Bytes come from the worker's HTTP meter and,
// independently, from nginx's access log.
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { readAccessLog, currentOffset, type AccessEntry } from '../tests/e2e/harness/access-log.ts';
import { loadSymbolPage, switchSymbol } from '../tests/e2e/harness/symbol-page.ts';
import type { BenchAnswer, BenchReady } from '../src/bench/main.ts';
import type { Session, Timed } from './engines.ts';

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** nginx writes a request's log line when it finishes; give the last one a moment. */
async function logSince(offset: number, accessLog: string): Promise<AccessEntry[]> {
  await sleep(30);
  return readAccessLog(offset, accessLog);
}

async function freshPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  // A new context starts with an empty cache; clear it anyway so nothing shared can answer.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.clearBrowserCache');
  await cdp.detach();
  return { context, page };
}

export interface WasmSession extends Session {
  ready: BenchReady;
}

let runCounter = 0;

/** A cold DuckDB-WASM session: new context, cleared cache, bench page loaded and engine ready. */
export async function openWasmSession(browser: Browser, baseUrl: string, accessLog: string): Promise<WasmSession> {
  const { context, page } = await freshPage(browser);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${baseUrl}/bench.html`);
  const ready = await page.evaluate(async () => {
    for (let i = 0; i < 200 && !window.quantivBench; i++) await new Promise((r) => setTimeout(r, 25));
    if (!window.quantivBench) throw new Error('bench.html did not define window.quantivBench');
    return window.quantivBench.ready();
  }).catch((e: unknown) => {
    throw new Error(`bench page failed: ${(e as Error).message} ${errors.join('; ')}`);
  });
  return {
    ready,
    async query(sql: string): Promise<Timed> {
      // Unique text per run: the client's result cache answers repeated SQL without running it.
      const unique = `/* bench run ${++runCounter} */ ${sql}`;
      const offset = currentOffset(accessLog);
      const a: BenchAnswer = await page.evaluate((s) => window.quantivBench!.query(s), unique);
      const log = (await logSince(offset, accessLog)).filter((e) => e.uri.startsWith('/data/'));
      return {
        ms: a.ms, rows: a.rows, check: a.check, digest: a.digest, bytes: a.bytes, requests: a.requests, cachedBytes: a.cachedBytes,
        nginxBytes: log.reduce((s, e) => s + e.bytes, 0), nginxRequests: log.length,
      };
    },
    close: () => context.close(),
  };
}

export interface ColdStart {
  /** navigation start -> the app's first chart drawn (data-points > 0). */
  firstChartMs: number;
  /** Body bytes nginx sent for *.wasm (compressed on the wire) during that load. */
  wasmBytes: number;
  /** Everything nginx sent during that load, and the lake's share of it. */
  totalBytes: number;
  dataBytes: number;
  requests: number;
  /** The app's phase marks (src/engine/marks.ts), ms after navigation start, worker's included. */
  phases: Record<string, number>;
  /** Longest main-thread task (PerformanceObserver 'longtask') before the first chart was drawn. */
  longestTaskMs: number;
}

declare global {
  interface Window {
    quantivLongTasks?: { start: number; duration: number }[];
  }
}

/** Long tasks are not buffered for a late observer: collect them from the document's start. */
function observeLongTasks(): void {
  window.quantivLongTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.quantivLongTasks!.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask' });
}

async function loadApp(page: Page, baseUrl: string, accessLog: string): Promise<ColdStart> {
  const offset = currentOffset(accessLog);
  const t = Date.now();
  await page.goto(`${baseUrl}/`);
  await page.waitForSelector('[data-testid=iv-chart]:not([data-points="0"])', { timeout: 120_000 });
  const firstChartMs = Date.now() - t;
  const { phases, longestTaskMs } = await page.evaluate(() => {
    const marks = performance.getEntriesByType('mark').filter((m) => m.name.startsWith('quantiv:'));
    const phases = Object.fromEntries(marks.map((m) => [m.name.slice('quantiv:'.length), Math.round(m.startTime)]));
    const drawn = phases['first-chart'] ?? performance.now();
    const tasks = (window.quantivLongTasks ?? []).filter((e) => e.start < drawn);
    return { phases, longestTaskMs: Math.round(Math.max(0, ...tasks.map((e) => e.duration))) };
  });
  const log = await logSince(offset, accessLog);
  const sum = (es: AccessEntry[]) => es.reduce((s, e) => s + e.bytes, 0);
  return {
    firstChartMs,
    wasmBytes: sum(log.filter((e) => /\.wasm(\?|$)/.test(e.uri))),
    totalBytes: sum(log),
    dataBytes: sum(log.filter((e) => e.uri.startsWith('/data/'))),
    requests: log.length,
    phases,
    longestTaskMs,
  };
}

/** The real app, cold (new context, empty cache), then reloaded in the same context (warm cache). */
export async function appColdStart(browser: Browser, baseUrl: string, accessLog: string): Promise<{ cold: ColdStart; warm: ColdStart }> {
  const { context, page } = await freshPage(browser);
  await page.addInitScript(observeLongTasks);
  try {
    const cold = await loadApp(page, baseUrl, accessLog);
    const warm = await loadApp(page, baseUrl, accessLog);
    return { cold, warm };
  } finally {
    await context.close();
  }
}

/** The Symbol page read through the latency proxy (the key names say 40 ms; PageTimings.rttMs says which). */
export interface SymbolPageTimings {
  /** Navigation start to every panel done and every chart drawn, cold (new context, empty cache). */
  symbolPageRtt40Ms: number;
  /** Lake requests (nginx, under /data/) and their body bytes for that load. */
  symbolPageRtt40Requests: number;
  symbolPageRtt40Bytes: number;
  /** Then one symbol switch in the same page (its own selector) until every panel is redrawn. */
  symbolSwitchRtt40Ms: number;
  symbolSwitchRtt40Requests: number;
  symbolSwitchRtt40Bytes: number;
}

/**
 * The real app's Symbol page through `proxyUrl` (src/node/latency-proxy.ts in front of the bench
 * nginx): DuckDB-WASM's lake reads are sequential, so this is where request count turns into time.
 * The same waits and counts as tests/e2e/latency.spec.ts.
 */
export async function symbolPageTimings(browser: Browser, proxyUrl: string, accessLog: string): Promise<SymbolPageTimings> {
  const { context, page } = await freshPage(browser);
  try {
    const cold = await loadSymbolPage(page, proxyUrl, accessLog);
    const sw = await switchSymbol(page, accessLog);
    return {
      symbolPageRtt40Ms: cold.ms, symbolPageRtt40Requests: cold.lakeRequests, symbolPageRtt40Bytes: cold.lakeBytes,
      symbolSwitchRtt40Ms: sw.ms, symbolSwitchRtt40Requests: sw.lakeRequests, symbolSwitchRtt40Bytes: sw.lakeBytes,
    };
  } finally {
    await context.close();
  }
}
