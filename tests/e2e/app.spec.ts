// The first page end to end: real Chromium, the built site, the real nginx with the project's
// nginx.conf, DuckDB-WASM reading the generated lake over HTTP ranges.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { parseManifest } from '../../src/lake/manifest.ts';
import { currentOffset, readAccessLog } from './harness/access-log.ts';
import { dataRoot, expect, lakeFixtures, screenshot, test } from './harness/fixtures.ts';

const manifest = () => parseManifest(JSON.parse(readFileSync(join(dataRoot(), 'manifest.json'), 'utf8')));

async function settled(page: Page): Promise<void> {
  await expect(page.getByTestId('iv-history')).toHaveAttribute('data-state', 'done', { timeout: 45_000 });
}

test('the page loads, the chart draws and the table fills', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.getByTestId('engine-status')).toBeVisible();
  await settled(page);
  await expect(page.getByTestId('iv-chart')).toHaveAttribute('data-points', /^[1-9]\d*$/, { timeout: 30_000 });
  await expect(page.locator('[data-testid="iv-chart"] .main-svg').first()).toBeVisible();
  const rows = Number(await page.getByTestId('iv-history-table').getAttribute('data-rows'));
  expect(rows).toBeGreaterThan(10);
  await expect(page.getByTestId('iv-history-stats')).toContainText(/rows · .* · /);
  await expect(page.getByTestId('dataset-info')).toContainText(manifest().datasetVersion);
  await screenshot(page, 'first-page');
  expect(errors).toEqual([]);
});

test('a one-symbol, one-month query is all 206 ranges and under 3% of the options bytes', async ({ page }) => {
  const m = manifest();
  const optionsBytes = m.files.filter((f) => f.table === 'options').reduce((n, f) => n + f.bytes, 0);
  const start = currentOffset();
  await page.goto('/');
  await settled(page);
  // The history panel read the rollup, not the raw options' history.
  expect(readAccessLog(start).filter((e) => e.uri.includes('/rollups/year=')).length).toBeGreaterThan(0);
  const select = page.getByTestId('symbol-select');
  const symbols = await select.locator('option').allTextContents();
  const other = symbols.find((s) => s !== (symbols[0] ?? ''))!;
  expect(other).toBeTruthy();

  const before = currentOffset();
  await select.selectOption(other);
  await expect(page.getByTestId('iv-history-table').locator('caption')).toContainText(other, { timeout: 45_000 });
  await settled(page);
  const stats = page.getByTestId('iv-history-stats');
  // The worker's count for this one query: network bytes and every response's status.
  const workerBytes = Number(await stats.getAttribute('data-bytes'));
  const statuses = JSON.parse((await stats.getAttribute('data-statuses')) ?? '{}') as Record<string, number>;
  // The history reads options_daily: the year's rollup came whole with the first symbol, so the
  // switch's history query may need no network at all; anything it does fetch is a range.
  expect(Object.keys(statuses).filter((s) => s !== '206')).toEqual([]);
  expect(workerBytes / optionsBytes).toBeLessThan(0.03);

  // The server's view of everything the page fetched meanwhile (all panels): ranges only, and the
  // options reads stay inside the one month on screen.
  await expect(page.locator('[data-testid="chain"][data-state="done"]')).toBeVisible({ timeout: 45_000 });
  const parquet = readAccessLog(before).filter((e) => e.uri.includes('.parquet'));
  expect(parquet.filter((e) => e.status !== 206)).toEqual([]);
  const options = parquet.filter((e) => e.uri.includes('/options/'));
  // At most the one month on screen; often none, when the worker's range cache already holds
  // the month's blocks the new symbol's rows sit in.
  expect(new Set(options.map((e) => e.uri.replace(/\?.*$/, ''))).size).toBeLessThanOrEqual(1);
  const served = options.reduce((n, e) => n + e.bytes, 0);
  // Everything every panel fetched from the options table, as the server counted it.
  expect(served / optionsBytes).toBeLessThan(0.03);
  test.info().annotations.push({
    type: 'bytes',
    description: `ATM IV query: ${workerBytes} of ${optionsBytes} options bytes (${((100 * workerBytes) / optionsBytes).toFixed(2)}%); all panels: ${served} options bytes in ${options.length} requests`,
  });
  await screenshot(page, 'selective-query');
});

test('a missing data file shows a clear message, not a blank page', async ({ page }) => {
  const { missing } = lakeFixtures();
  await page.goto(`/?data=${encodeURIComponent(`${missing.lake.replace(/^\//, '')}manifest.json`)}`);
  const banner = page.getByRole('alert').filter({ hasText: /missing on the server/ }).first();
  await expect(banner).toBeVisible({ timeout: 45_000 });
  await banner.locator('summary').click();
  await expect(banner).toContainText(missing.file);
  await expect(banner).not.toContainText(/\n\s+at /);
  // Panels that need the failed expiry list say why instead of loading forever.
  await expect(page.getByTestId('chain-idle')).toContainText('list of expiries failed');
  await screenshot(page, 'missing-file');
});

test('a truncated data file is named as damaged', async ({ page }) => {
  const { truncated } = lakeFixtures();
  await page.goto(`/?data=${encodeURIComponent(`${truncated.lake.replace(/^\//, '')}manifest.json`)}`);
  const banner = page.getByRole('alert').filter({ hasText: /damaged or truncated/ }).first();
  await expect(banner).toBeVisible({ timeout: 45_000 });
  await screenshot(page, 'truncated-file');
});

test('an unreachable manifest and a malformed link fall back with messages', async ({ page }) => {
  await page.goto('/?data=data/nowhere/manifest.json&symbol=not%20a%20ticker&from=2025-13-40');
  await expect(page.getByTestId('url-notice')).toHaveCount(2);
  const banner = page.getByTestId('error-banner');
  await expect(banner).toBeVisible({ timeout: 45_000 });
  await expect(banner).toContainText(/manifest could not be loaded/);
  await screenshot(page, 'bad-link');
});

test('fast switching never leaves an older symbol on screen', async ({ page }) => {
  await page.goto('/');
  await settled(page);
  const select = page.getByTestId('symbol-select');
  const symbols = await select.locator('option').allTextContents();
  expect(symbols.length).toBeGreaterThanOrEqual(3);
  for (const s of [symbols[1]!, symbols[2]!, symbols[0]!, symbols[2]!]) await select.selectOption(s);
  await settled(page);
  await expect(page.getByTestId('iv-history-table').locator('caption')).toContainText(symbols[2]!);
  await expect(page).toHaveURL(new RegExp(`symbol=${symbols[2]}`));
  await screenshot(page, 'after-fast-switching');
});

test("the worker's network byte count agrees with nginx's access log", async ({ page }) => {
  await page.goto('/?page=console');
  await expect(page.getByTestId('schema-browser')).toContainText('options', { timeout: 45_000 });
  const editor = page.getByTestId('sql-editor');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText("SELECT count(*) AS n, avg(vol)::DOUBLE AS iv FROM options WHERE year = 2025 AND month = 7 AND act_symbol = 'SPY'");
  const before = currentOffset();
  await page.keyboard.press('Control+Enter');
  const stats = page.getByTestId('console-stats');
  await expect(stats).toHaveAttribute('data-state', 'done', { timeout: 45_000 });
  const log = readAccessLog(before).filter((e) => e.uri.includes('.parquet'));
  const served = log.reduce((n, e) => n + e.bytes, 0);
  const worker = Number(await stats.getAttribute('data-bytes'));
  const requests = Number(await stats.getAttribute('data-requests'));
  expect(served).toBeGreaterThan(0);
  expect(requests).toBe(log.length);
  // Resource Timing's transferSize adds each response's headers to the body nginx logged.
  expect(worker).toBeGreaterThanOrEqual(served);
  expect(worker - served).toBeLessThan(1024 * requests);
});

async function runConsole(page: Page, sql: string): Promise<{ bytes: number; requests: number; reads: number }> {
  await page.getByTestId('sql-editor').click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText(sql);
  await page.keyboard.press('Control+Enter');
  const stats = page.getByTestId('console-stats');
  await expect(stats).toHaveAttribute('data-state', 'done', { timeout: 45_000 });
  const n = async (name: string) => Number(await stats.getAttribute(name));
  return { bytes: await n('data-bytes'), requests: await n('data-requests'), reads: await n('data-reads') };
}

test('what was read is kept: a repeat costs no request and no read, a cold scan makes few large requests', async ({ page }) => {
  const m = manifest();
  const options = m.files.filter((f) => f.table === 'options');
  const optionsBytes = options.reduce((n, f) => n + f.bytes, 0);
  await page.goto('/?page=console');
  await expect(page.getByTestId('schema-browser')).toContainText('options', { timeout: 45_000 });
  const scan = 'SELECT act_symbol, count(*) AS n, avg(vol)::DOUBLE AS iv, sum(volume) AS v FROM options GROUP BY 1 ORDER BY 1';

  let before = currentOffset();
  const cold = await runConsole(page, scan);
  const coldLog = readAccessLog(before).filter((e) => e.uri.includes('.parquet'));
  // Few, large requests: a handful per file (its footer, then read-ahead runs up to 8 MiB). Measured
  // on the 30-symbol demo lake's 20 files: 138 requests for 415 reads (with the files registered
  // for direct IO, DuckDB's reads were smaller and the scan took 256); without the range cache the
  // engine sends ~100 a file.
  expect(coldLog.length).toBe(cold.requests);
  expect(coldLog.every((e) => e.method === 'GET' && e.status === 206)).toBe(true);
  expect(cold.requests).toBeLessThanOrEqual(Math.ceil(13 * options.length));
  const served = coldLog.reduce((n, e) => n + e.bytes, 0);
  expect(served / cold.requests).toBeGreaterThan(100 * 1024);
  expect(served).toBeLessThanOrEqual(optionsBytes * 1.05);
  // DuckDB's reads, each answered by the worker: many more than the requests they became.
  expect(cold.reads).toBeGreaterThan(cold.requests);

  // The same question again (other text, so the page's result cache does not answer it).
  before = currentOffset();
  const warm = await runConsole(page, `${scan} -- again`);
  expect(readAccessLog(before).filter((e) => e.uri.includes('.parquet'))).toEqual([]);
  // DuckDB's own file cache answers the repeat: not even the worker's range cache is asked. With
  // the files registered for direct IO it was asked again for every byte.
  expect(warm).toEqual({ bytes: 0, requests: 0, reads: 0 });
  test.info().annotations.push({
    type: 'bytes',
    description: `cold scan: ${cold.requests} requests (${cold.reads} reads), ${served} of ${optionsBytes} options bytes; repeat: ${warm.requests} requests, ${warm.reads} reads`,
  });
});
