// "The Symbol page is drawn": every query panel answered and every chart drew its latest traces.
// Shared by tests/e2e/latency.spec.ts and bench/browser.ts, so the test's budgets and the bench's
// timings measure the same moment. Lake traffic is nginx's access log (what crossed the network).
import type { Page } from '@playwright/test';
import { currentOffset, readAccessLog, type AccessEntry } from './access-log.ts';

export interface PageStates {
  /** QueryPanel data-state by testid: idle | running | done | error. */
  panels: Record<string, string>;
  /** Chart data-state by testid: drawing | drawn | failed. */
  charts: Record<string, string>;
}

export interface ActionCost {
  /** Action start (navigation start, or just before the symbol changes) to all panels drawn. */
  ms: number;
  /** Requests and body bytes nginx logged under /data/ during the action. */
  lakeRequests: number;
  lakeBytes: number;
  /** Everything nginx logged during the action (site assets included). */
  requests: number;
  bytes: number;
}

export function pageStates(page: Page): Promise<PageStates> {
  return page.evaluate(() => {
    const read = (sel: string) => Object.fromEntries([...document.querySelectorAll<HTMLElement>(sel)].map((e) => [e.dataset.testid ?? '?', e.dataset.state ?? '?']));
    return { panels: read('main section[data-testid][data-state]'), charts: read('main figure[data-testid][data-state]') };
  });
}

/**
 * Waits until every panel is done and every chart drawn (and, with `symbol`, the ATM IV table shows
 * it); returns the page's performance.now() at that moment, so the time is the page's own clock.
 */
export async function waitForSymbolPageDrawn(page: Page, opts: { symbol?: string; timeout?: number } = {}): Promise<number> {
  try {
    const handle = await page.waitForFunction((symbol) => {
      const panels = [...document.querySelectorAll<HTMLElement>('main section[data-testid][data-state]')];
      const charts = [...document.querySelectorAll<HTMLElement>('main figure[data-testid][data-state]')];
      if (!panels.length || !charts.length) return false;
      if (!panels.every((p) => p.dataset.state === 'done') || !charts.every((c) => c.dataset.state === 'drawn')) return false;
      if (symbol && !document.querySelector('[data-testid="iv-history-table"] caption')?.textContent?.includes(symbol)) return false;
      return performance.now();
    }, opts.symbol ?? '', { polling: 'raf', timeout: opts.timeout ?? 120_000 });
    return (await handle.jsonValue()) as number;
  } catch (e) {
    const states = await pageStates(page).catch(() => null);
    throw new Error(`the Symbol page did not finish drawing: ${(e as Error).message.split('\n')[0]}; states ${JSON.stringify(states)}`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function costSince(offset: number, ms: number, accessLog?: string): Promise<ActionCost> {
  // nginx logs a request when it completes; give the last line a moment to land.
  await sleep(100);
  const log: AccessEntry[] = readAccessLog(offset, accessLog);
  const lake = log.filter((e) => e.uri.startsWith('/data/'));
  const sum = (es: AccessEntry[]) => es.reduce((n, e) => n + e.bytes, 0);
  return { ms, lakeRequests: lake.length, lakeBytes: sum(lake), requests: log.length, bytes: sum(log) };
}

/**
 * The Symbol page's default link, with the manifest's freshness poll (every 3 s by default) moved
 * out of the way: its revalidations would land in a measured action or not depending on timing.
 */
export function symbolPageUrl(base: string): string {
  return `${base.replace(/\/$/, '')}/?poll=3600`;
}

/** Opens the Symbol page from `base` in this (fresh) page and waits for every panel. */
export async function loadSymbolPage(page: Page, base: string, accessLog?: string): Promise<ActionCost & { symbol: string }> {
  const offset = currentOffset(accessLog);
  await page.goto(symbolPageUrl(base));
  // performance.now() counts from the navigation's start.
  const ms = await waitForSymbolPageDrawn(page);
  return { ...(await costSince(offset, ms, accessLog)), symbol: await page.getByTestId('symbol-select').inputValue() };
}

/** Picks another symbol in the page's own selector, as a user would, and waits for every panel. */
export async function switchSymbol(page: Page, accessLog?: string): Promise<ActionCost & { symbol: string }> {
  const select = page.getByTestId('symbol-select');
  const current = await select.inputValue();
  const symbol = (await select.locator('option').allTextContents()).map((s) => s.trim()).find((s) => s && s !== current);
  if (!symbol) throw new Error(`the symbol selector offers nothing but ${current}`);
  const offset = currentOffset(accessLog);
  const started = await page.evaluate(() => performance.now());
  await select.selectOption(symbol);
  const ended = await waitForSymbolPageDrawn(page, { symbol });
  return { ...(await costSince(offset, ended - started, accessLog)), symbol };
}
