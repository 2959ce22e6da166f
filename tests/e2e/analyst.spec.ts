// The analyst's daily tool (issue 13): the current forecast, date entry that costs one query,
// a chain that fits the screen, formatted tables and notices instead of silent fallbacks.
import type { Locator, Page } from '@playwright/test';
import { expect, screenshot, test } from './harness/fixtures.ts';
import { LAKE_DIR } from './harness/paths.ts';
import { DEFAULT_SYMBOL_COUNT as DEMO_SYMBOLS } from '../../src/node/generate/universe.ts';

test.use({ locale: 'en-US', viewport: { width: 1440, height: 900 } });

const done = (l: Locator) => expect(l).toHaveAttribute('data-state', 'done', { timeout: 45_000 });
const drawn = (page: Page, id: string) =>
  expect(page.getByTestId(id)).toHaveAttribute('data-points', /^[1-9]\d*$/, { timeout: 45_000 });

/** The x values Plotly drew for a chart's traces (Plotly keeps them on its div). */
function plottedX(page: Page, id: string): Promise<string[]> {
  return page.getByTestId(id).locator('.plot').evaluate((el) =>
    ((el as unknown as { data?: { x?: unknown[] }[] }).data ?? []).flatMap((t) => (t.x ?? []).map(String)));
}

/** Counts every time a panel starts a query from now on. */
async function countRuns(page: Page, testid: string): Promise<() => Promise<number>> {
  await page.evaluate((id) => {
    const w = window as unknown as { __runs: number };
    w.__runs = 0;
    const el = document.querySelector(`[data-testid="${id}"]`)!;
    new MutationObserver(() => {
      if (el.getAttribute('data-state') === 'running') w.__runs += 1;
    }).observe(el, { attributes: true, attributeFilter: ['data-state'] });
  }, testid);
  return () => page.evaluate(() => (window as unknown as { __runs: number }).__runs);
}

test('forecasts: the chart reaches the newest, still-open forecast and headlines it with its bands', async ({ page }) => {
  await page.goto('/?page=forecasts&symbol=SPY&horizon=5d');
  await done(page.getByTestId('forecast'));
  await drawn(page, 'forecast-chart');
  const xs = await plottedX(page, 'forecast-chart');
  // The demo lake's forecasts run to 2025-08-29; its 5-day labels stop a week earlier.
  expect(xs.map((x) => x.slice(0, 10)).sort().at(-1)).toBe('2025-08-29');
  // Price units on a number axis (a shared theme axis object once turned it into a date axis).
  const yType = await page.getByTestId('forecast-chart').locator('.plot').evaluate((el) =>
    (el as unknown as { _fullLayout: { yaxis: { type: string } } })._fullLayout.yaxis.type);
  expect(yType).toBe('linear');
  const headline = page.getByTestId('forecast-headline');
  await expect(headline).toHaveAttribute('data-date', '2025-08-29');
  await expect(headline).toContainText(/SPY next 5 days\s*±[\d,]+\.\d\d\s*±\d+\.\d\d%/);
  await expect(page.getByTestId('forecast-band68')).toContainText(/68% band ±[\d,]+\.\d\d to ±[\d,]+\.\d\d/);
  await expect(page.getByTestId('forecast-band95')).toContainText(/95% band ±[\d,]+\.\d\d to ±[\d,]+\.\d\d/);
  await expect(headline).toContainText('outcome still open');
  await screenshot(page, 'analyst-forecasts');
});

/** Every address the page takes from now on (navigations and history.replaceState). */
async function watchUrls(page: Page): Promise<string[]> {
  const urls: string[] = [];
  page.on('framenavigated', () => urls.push(page.url()));
  await page.exposeFunction('__url', (u: string) => urls.push(u));
  await page.evaluate(() => {
    const replace = history.replaceState.bind(history);
    history.replaceState = (d, t, u) => {
      (window as unknown as { __url: (u: string) => void }).__url(String(u));
      replace(d, t, u);
    };
  });
  return urls;
}

/**
 * SPY's Symbol page with the history drawn, the 'from' field focused on its month segment (en-US:
 * mm/dd/yyyy), and counters of the history's runs and of the URLs the page takes from here on.
 */
async function typingIntoFromDate(page: Page): Promise<{ from: Locator; runs: () => Promise<number>; urls: string[] }> {
  await page.goto('/?symbol=SPY&from=2025-07-01&to=2025-08-29');
  await done(page.getByTestId('iv-history'));
  const runs = await countRuns(page, 'iv-history');
  const urls = await watchUrls(page);
  const from = page.getByTestId('date-from');
  await from.focus();
  return { from, runs, urls };
}

test('dates: a year typed digit by digit runs at most one query and never reaches the URL', async ({ page }) => {
  const { runs, urls } = await typingIntoFromDate(page);
  // To the year segment: only the year is typed, so every intermediate value (0002, 0020, 0202)
  // is a year outside the data, and no stall between keystrokes can make a valid date early.
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.type('2024', { delay: 150 });
  await expect(page).toHaveURL(/from=2024-07-01/);
  await done(page.getByTestId('iv-history'));
  expect(await runs()).toBeLessThanOrEqual(1);
  expect(await runs()).toBe(1);
  expect(urls.filter((u) => /from=0\d{3}-/.test(u))).toEqual([]);
  await expect(page.getByTestId('iv-history-table')).toContainText('2024-07-01');
});

test('dates: month, day and year typed with long stalls run one query, for the final date only', async ({ page }) => {
  test.setTimeout(90_000);
  const { from, runs, urls } = await typingIntoFromDate(page);
  // 03, 15, 2024 with a stall longer than the field's 700 ms pause after every digit: after the
  // month the field already holds a valid date (2025-03-01), after the day another (2025-03-15).
  // Neither may commit; only the finished year does.
  for (const key of '03152024') {
    await page.keyboard.type(key);
    await page.waitForTimeout(900);
    if (key !== '4') expect(await runs(), `after typing ${key}`).toBe(0);
  }
  await expect(from).toHaveValue('2024-03-15');
  await expect(page).toHaveURL(/from=2024-03-15/);
  await done(page.getByTestId('iv-history'));
  expect(await runs()).toBe(1);
  const fromValues = [...new Set(urls.map((u) => new URL(u, 'http://x').searchParams.get('from')))];
  expect(fromValues.filter((f) => f !== '2025-07-01' && f !== '2024-03-15')).toEqual([]);
  await expect(page.getByTestId('iv-history-table')).toContainText('2024-03-15');
});

test('dates: presets, an inverted range explained inline with every panel marked not current', async ({ page }) => {
  await page.goto('/?symbol=QQQ');
  await done(page.getByTestId('iv-history'));
  await page.getByTestId('preset-3M').click();
  await expect(page).toHaveURL(/from=2025-05-30&to=2025-08-29/);
  await expect(page.getByTestId('preset-3M')).toHaveAttribute('aria-pressed', 'true');
  await done(page.getByTestId('iv-history'));
  await page.getByTestId('preset-YTD').click();
  await expect(page).toHaveURL(/from=2025-01-01&to=2025-08-29/);
  await page.getByTestId('preset-All').click();
  await expect(page).toHaveURL(/from=2024-01-02&to=2025-08-29/);
  await page.getByTestId('preset-1M').click();
  await expect(page).toHaveURL(/from=2025-07-30&to=2025-08-29/);
  for (const id of ['iv-history', 'expected-move', 'chain']) await done(page.getByTestId(id));

  await page.getByTestId('date-to').fill('2025-07-10');
  await page.getByTestId('date-to').blur();
  await expect(page.getByTestId('range-problem')).toContainText('To (2025-07-10) is before From (2025-07-30)');
  await expect(page.getByText('The query failed')).toHaveCount(0);
  // Every panel still showing the old range says so.
  for (const id of ['iv-history', 'expected-move', 'iv-rank', 'chain', 'term']) {
    await expect(page.getByTestId(id)).toHaveAttribute('data-stale', 'true');
  }
  await expect(page).toHaveURL(/to=2025-08-29/);
  await screenshot(page, 'analyst-inverted-range');
  // Moving From before To applies both ends.
  await page.getByTestId('date-from').fill('2025-06-02');
  await page.getByTestId('date-from').blur();
  await expect(page).toHaveURL(/from=2025-06-02&to=2025-07-10/);
  await expect(page.getByTestId('range-problem')).toHaveCount(0);
  await done(page.getByTestId('iv-history'));
  await expect(page.getByTestId('iv-history')).not.toHaveAttribute('data-stale', 'true');
});

test('snapshot date: a date input held to trading dates, a weekend shows the Friday', async ({ page }) => {
  await page.goto('/?symbol=SPY&from=2025-07-01&to=2025-08-29');
  await done(page.getByTestId('chain'));
  const snap = page.getByTestId('snapshot-date');
  await expect(snap).toHaveAttribute('type', 'date');
  await expect(snap).toHaveAttribute('min', '2025-07-01');
  await expect(snap).toHaveAttribute('max', '2025-08-29');
  await expect(snap).toHaveValue('2025-08-29');
  await snap.fill('2025-08-03'); // a Sunday
  await snap.blur();
  await expect(snap).toHaveValue('2025-08-01');
  await expect(page.getByTestId('snapshot-snapped')).toContainText('2025-08-03 is not a trading date; showing 2025-08-01');
  await expect(page).toHaveURL(/date=2025-08-01/);
  await page.getByTestId('snapshot-next').click();
  await expect(page).toHaveURL(/date=2025-08-04/);
  await done(page.getByTestId('chain'));
});

test('chain: fits 1440 px with greeks, shades ITM on both sides, adjustable strikes, prices with two decimals', async ({ page }) => {
  await page.goto('/?symbol=SPY');
  await done(page.getByTestId('chain'));
  const wrap = page.getByTestId('chain-wrap');
  const fit = await wrap.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
  expect(fit.scroll).toBeLessThanOrEqual(fit.client);
  const heads = await page.getByTestId('chain-table').locator('thead tr').nth(1).locator('th').allTextContents();
  for (const h of ['Mid', 'Sprd', 'Γ', 'Θ', 'Vega', 'B/E', 'Vol', 'OI', 'Strike']) expect(heads).toContain(h);
  // The last header (the puts' OI) is on screen.
  const lastBox = await page.getByTestId('chain-table').locator('thead tr').nth(1).locator('th').last().boundingBox();
  expect(lastBox!.x + lastBox!.width).toBeLessThanOrEqual(1440);
  const rows = page.getByTestId('chain-table').locator('tbody tr');
  await expect(rows).toHaveCount(16);
  expect(await page.locator('tr[data-itm-put="true"] td.itm').count()).toBeGreaterThan(0);
  expect(await page.locator('tr[data-itm-call="true"] td.itm').count()).toBeGreaterThan(0);
  for (const s of await page.getByTestId('chain-table').locator('tbody th.strike').allTextContents()) expect(s).toMatch(/^\d[\d,]*\.\d\d$/);
  await page.getByTestId('chain-strikes').selectOption('5');
  await expect(rows).toHaveCount(10);
  await screenshot(page, 'analyst-chain-1440');
});

test('chain on a 390 px phone: the strike column stays on screen', async ({ browser, baseURL }) => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, baseURL, locale: 'en-US' });
  const page = await ctx.newPage();
  await page.goto('/?symbol=SPY');
  await done(page.getByTestId('chain'));
  const strike = page.getByTestId('chain-table').locator('tbody th.strike').first();
  await strike.scrollIntoViewIfNeeded();
  for (const left of [0, 10_000]) {
    await page.getByTestId('chain-wrap').evaluate((el, x) => (el.scrollLeft = x), left);
    const box = await strike.boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
  }
  await screenshot(page, 'analyst-chain-phone');
  await ctx.close();
});

test('IV rank and IV percentile headline with a 252-day sparkline, equal to the volatility table', async ({ page }) => {
  test.setTimeout(120_000); // two cold Symbol pages
  await page.goto('/?symbol=TSLA&from=2025-08-01&to=2025-08-29');
  await done(page.getByTestId('iv-headline'));
  const rank = page.getByTestId('iv-rank-value');
  const pct = page.getByTestId('iv-percentile-value');
  await expect(rank).toHaveText(/^\d{1,3}\.\d$/);
  await expect(pct).toHaveText(/^\d{1,3}\.\d$/);
  await expect(page.getByTestId('iv-now-value')).toHaveText(/^\d+\.\d%$/);
  await expect(page.getByTestId('iv-sparkline')).toHaveAttribute('data-points', '252');
  await expect(page.getByTestId('iv-headline')).toContainText('Over the 252 trading days to 2025-08-29');
  // The raw table's stored values for that day (the generator's, rounded to 2 decimals).
  const { openDuck } = await import('../../src/node/duck.ts');
  const db = await openDuck();
  try {
    const [row] = (await db.conn.runAndReadAll(`SELECT iv_rank::DOUBLE, iv_percentile::DOUBLE
      FROM read_parquet('${LAKE_DIR}/volatility/*/*.parquet') WHERE symbol = 'TSLA' AND date = DATE '2025-08-29'`)).getRows();
    // Shown with one decimal (±0.05) of a value stored with two (±0.005).
    expect(Math.abs(Number(await rank.textContent()) - Number(row![0]))).toBeLessThanOrEqual(0.06);
    expect(Math.abs(Number(await pct.textContent()) - Number(row![1]))).toBeLessThanOrEqual(0.06);
  } finally {
    db.close();
  }
  await screenshot(page, 'analyst-iv-rank-headline');
  // Early in the data the window is shorter, and the panel says so.
  await page.goto('/?symbol=TSLA&from=2024-02-01&to=2024-02-29');
  await done(page.getByTestId('iv-headline'));
  await expect(page.getByTestId('iv-headline')).toContainText(/Over the \d+ trading days the data holds before 2024-02-29 \(fewer than 252\)/);
});

test('skew metrics on the Symbol page; the skew axis travels in the link; a stale expiry leaves it', async ({ page, context }) => {
  await page.goto('/?symbol=SPY&expiry=2024-03-15');
  await done(page.getByTestId('skew-metrics'));
  await expect(page.getByTestId('skew-metrics-values')).toHaveAttribute('data-date', '2025-08-29');
  for (const k of ['rr25', 'fly25', 'term_slope', 'atm_iv']) await expect(page.getByTestId(`skew-${k}`)).toHaveText(/^-?\d+\.\d\d%$/);
  await expect(page.getByTestId('skew-rr25')).toHaveText(/^-/); // equity skew: puts richer
  // 2024-03-15 is not listed on 2025-08-29: the page shows the default expiry and the link drops it.
  await done(page.getByTestId('chain'));
  await expect(page).not.toHaveURL(/expiry=/);
  await page.getByTestId('skew').getByRole('button', { name: 'by delta' }).click();
  await expect(page).toHaveURL(/skew=delta/);
  const other = await context.newPage();
  await other.goto(page.url());
  await done(other.getByTestId('skew'));
  await expect(other.getByTestId('skew').getByRole('button', { name: 'by delta' })).toHaveAttribute('aria-pressed', 'true');
  await expect(other.getByTestId('skew-chart')).toHaveAttribute('aria-label', 'IV by delta');
  await screenshot(other, 'analyst-skew-metrics');
});

test('screener: formatted columns, human headers, filters, sparklines, CSV export, click-through', async ({ page }) => {
  await page.goto('/?page=screener');
  await done(page.getByTestId('screener'));
  const table = page.getByTestId('screener-table');
  await expect(table.locator('tbody tr')).toHaveCount(DEMO_SYMBOLS);
  const heads = (await table.locator('thead th').allTextContents()).map((h) => h.replace(/[▲▼]/g, '').trim());
  expect(heads).toEqual(['Symbol', 'As of', 'IV', 'HV', 'IV − HV', 'IV rank', 'IV pctl', 'Exp. move 1M', 'Avg volume', 'ATM IV trend']);
  const cells = await table.locator('tbody tr').first().locator('td').allTextContents();
  expect(cells[2]).toMatch(/^\d+\.\d%$/); // IV as a percent, not 0.2834
  expect(cells[7]).toMatch(/^\d+\.\d\d%$/); // the 1-month move in % of spot
  expect(cells[8]).toMatch(/^\d{1,3}(,\d{3})*$/); // volume: whole contracts, grouped
  await expect(table.getByTestId('sparkline')).toHaveCount(DEMO_SYMBOLS);

  await page.getByTestId('filter-iv-rank').fill('50');
  const shown = Number(await table.getAttribute('data-rows'));
  expect(shown).toBeGreaterThan(0);
  expect(shown).toBeLessThan(DEMO_SYMBOLS);
  for (const rank of await table.locator('tbody tr td:nth-child(6)').allTextContents()) expect(Number(rank)).toBeGreaterThanOrEqual(50);
  await expect(page.getByTestId('screener-count')).toHaveText(`${shown} of ${DEMO_SYMBOLS} symbols`);
  await page.getByTestId('filter-iv-rank').fill('');
  await page.getByTestId('filter-text').fill('Q');
  await expect(table.locator('tbody tr')).toHaveCount(1);
  await page.getByTestId('filter-text').fill('');

  const download = page.waitForEvent('download');
  await page.getByTestId('screener-csv').click();
  const { readFileSync } = await import('node:fs');
  const csv = readFileSync((await (await download).path())!, 'utf8').trim().split('\r\n');
  expect(csv[0]).toBe('symbol,as_of,iv,hv,iv_hv_spread,iv_rank,iv_percentile,em_1m_pct,avg_daily_volume');
  expect(csv).toHaveLength(DEMO_SYMBOLS + 1);
  expect(Number(csv[1]!.split(',')[2])).toBeLessThan(1); // raw fractions for a spreadsheet
  await screenshot(page, 'analyst-screener');

  await table.getByRole('button', { name: 'Exp. move 1M' }).click();
  const top = (await table.locator('tbody tr').first().locator('td').first().textContent())!.trim();
  await table.locator('tbody tr').first().click();
  await expect(page).toHaveURL(new RegExp(`symbol=${top}`));
  await expect(page.getByTestId('symbol-select')).toHaveValue(top);
});

/** WCAG contrast ratio of two rgb() colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = c.match(/\d+(\.\d+)?/g)!.slice(0, 3).map((x) => Number(x) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p) as [number, number];
  return (x + 0.05) / (y + 0.05);
}

test('dark theme: chart gridlines and editor keywords follow it; the toolbar is no Tab trap', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/?symbol=SPY');
  await drawn(page, 'iv-chart');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  const grid = await page.getByTestId('iv-chart').locator('.plot').evaluate((el) =>
    (el as unknown as { _fullLayout: { xaxis: { gridcolor: string } } })._fullLayout.xaxis.gridcolor);
  const want = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--grid').trim());
  expect(grid.toLowerCase()).toBe(want.toLowerCase());
  expect(grid.toLowerCase()).not.toMatch(/^#fff|white|rgb\(255, 255, 255\)/);
  // No toolbar button takes a Tab stop.
  expect(await page.locator('.modebar-btn:not([tabindex="-1"])').count()).toBe(0);
  await screenshot(page, 'theme-dark-symbol');

  await page.getByTestId('nav-console').click();
  await expect(page.getByTestId('sql-editor')).toContainText('SELECT', { timeout: 45_000 });
  const colours = await page.getByTestId('sql-editor').evaluate((el) => {
    const kw = [...el.querySelectorAll('span')].find((s) => s.textContent === 'SELECT')!;
    return { fg: getComputedStyle(kw).color, bg: getComputedStyle(el.closest('.cm-editor')!).backgroundColor };
  });
  expect(contrast(colours.fg, colours.bg)).toBeGreaterThan(4.5);
  await screenshot(page, 'theme-dark-console');
});

test('console: the example names its partition, a new result re-picks the chart, Cancel marks the old result, EXPLAIN, saved queries, chart in the link', async ({ page }) => {
  await page.goto('/?page=console');
  await expect(page.getByTestId('sql-editor')).toContainText(/year = 2025 AND month = 8 AND date = DATE '2025-08-29'/, { timeout: 45_000 });
  await page.getByTestId('run-sql').click();
  await done(page.getByTestId('console-stats'));
  expect(Number(await page.getByTestId('console-stats').getAttribute('data-requests'))).toBeLessThan(60);
  await expect(page.getByTestId('chart-x')).toHaveValue('act_symbol');

  await page.getByTestId('sql-editor').click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText("SELECT date, act_symbol, avg_vol FROM daily_iv_summary WHERE act_symbol = 'SPY' ORDER BY date");
  await page.getByTestId('run-sql').click();
  await done(page.getByTestId('console-stats'));
  await expect(page.getByTestId('chart-x')).toHaveValue('date');
  await expect(page.getByTestId('chart-kind')).toHaveValue('line');
  await page.getByTestId('chart-kind').selectOption('scatter');
  await expect(page).toHaveURL(/cx=date&cy=avg_vol&ck=scatter/);

  await page.getByTestId('explain-sql').click();
  await expect(page.getByTestId('sql-plan')).toContainText(/SEQ_SCAN|READ_PARQUET|PARQUET_SCAN|TABLE_SCAN|PROJECTION/i);

  await page.getByTestId('save-name').fill('spy iv');
  await page.getByTestId('save-sql').click();
  await expect(page.getByTestId('saved-queries')).toContainText('spy iv');

  const link = page.url();
  const other = await page.context().newPage();
  await other.goto(link);
  await done(other.getByTestId('console-stats'));
  await expect(other.getByTestId('chart-kind')).toHaveValue('scatter');
  await expect(other.getByTestId('saved-queries')).toContainText('spy iv');
  await other.close();

  await page.getByTestId('sql-editor').click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText('SELECT sum(hash(range)) FROM range(20000000000)');
  await page.getByTestId('run-sql').click();
  await expect(page.getByTestId('console-stats')).toHaveAttribute('data-state', 'running');
  await page.getByTestId('cancel-sql').click();
  await expect(page.getByTestId('sql-stale')).toContainText('Cancelled: the table below is the previous result');
  await expect(page.getByTestId('sql-result-box')).toHaveAttribute('data-current', 'false');
  await screenshot(page, 'analyst-console');
});

test('embed links with no chart or an unknown one explain themselves; unknown symbol and dates give a notice; unknown v= names its file', async ({ page }) => {
  await page.goto('/?embed=1');
  // The engine starts first (seconds under load); the message comes once the page knows its charts.
  const slow = { timeout: 45_000 };
  await expect(page.getByTestId('embed-problem')).toContainText('names no chart', slow);
  await page.goto('/?embed=1&chart=forecast&symbol=SPY');
  await expect(page.getByTestId('embed-problem')).toContainText('The symbol page has no chart "forecast"', slow);
  await expect(page.getByTestId('embed-problem')).toContainText('term');
  await page.goto('/?embed=1&chart=nonsense');
  await expect(page.getByTestId('url-notice')).toContainText('chart="nonsense"');
  await expect(page.getByTestId('embed-problem')).toBeVisible(slow);

  await page.goto('/?symbol=ZZZZ&from=2019-01-01&to=2019-02-01');
  await expect(page.getByTestId('url-notice')).toContainText(["The link's symbol ZZZZ is not in this dataset", 'outside the data (2024-01-02 to 2025-08-29)'], slow);
  await done(page.getByTestId('iv-history'));

  await page.goto('/?v=0123456789abcdef');
  await expect(page.getByTestId('pinned-help')).toContainText('manifests/0123456789abcdef.json', { timeout: 45_000 });
  await screenshot(page, 'analyst-unknown-version');
});

test('the console bytes-fetched figure agrees with what nginx sent', async ({ page }) => {
  const { currentOffset, readAccessLog } = await import('./harness/access-log.ts');
  await page.goto('/?page=console&poll=3600');
  await expect(page.getByTestId('schema-browser')).toContainText('options', { timeout: 45_000 });
  await page.waitForTimeout(500);
  await page.getByTestId('sql-editor').click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText('SELECT act_symbol, avg(vol) FROM options WHERE year = 2025 AND month = 3 GROUP BY act_symbol');
  const before = currentOffset();
  await page.getByTestId('run-sql').click();
  await done(page.getByTestId('console-stats'));
  await page.waitForTimeout(200);
  const sent = readAccessLog(before).filter((e) => e.uri.startsWith('/data/')).reduce((n, e) => n + e.bytes, 0);
  const shown = Number(await page.getByTestId('console-stats').getAttribute('data-bytes'));
  expect(sent).toBeGreaterThan(100_000);
  // transferSize includes response headers; nginx logs body bytes: within a few percent.
  expect(Math.abs(shown - sent) / sent).toBeLessThan(0.05);
});
