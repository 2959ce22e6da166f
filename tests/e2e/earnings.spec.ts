// The Symbol page's earnings panel on the demo lake: a company shows its next report with the
// straddle-implied move and the history of implied vs realised moves; a fund says it has none.
// Screenshots of the panel in both themes and on a 390 px phone are kept as artifacts.
import type { Page } from '@playwright/test';
import { expect, screenshot, test } from './harness/fixtures.ts';

async function panelDone(page: Page): Promise<void> {
  await expect(page.getByTestId('earnings')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
}

test('a company: the next report with its implied move, and past reports implied vs realised', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/?symbol=AAPL&from=2025-06-02&to=2025-08-29&date=2025-07-21');
  await panelDone(page);
  const next = page.getByTestId('earnings-next');
  // AAPL's July report in the demo calendar (seed 42): the snapshot is a week before it.
  await expect(next).toHaveAttribute('data-date', /^2025-07-\d\d$/);
  const date = (await next.getAttribute('data-date'))!;
  expect(date > '2025-07-21').toBe(true);
  await expect(page.getByTestId('earnings-next-date')).toHaveText(date);
  await expect(next).toContainText(/after the close|before the open/);
  const move = (await page.getByTestId('earnings-next-move').innerText()).trim();
  expect(move).toMatch(/^±\d+\.\d%$/);
  const pct = Number(move.slice(1, -1));
  expect(pct).toBeGreaterThan(1);
  expect(pct).toBeLessThan(30);
  await expect(page.getByTestId('earnings-next-dollars')).toHaveText(/^±\$\d+\.\d\d on \d[\d,]*\.\d\d · straddle of \d{4}-\d\d-\d\d \(\d+d\)$/);
  // History: the reports before the snapshot only, newest first, each with both moves.
  const rows = page.getByTestId('earnings-history').locator('tbody tr');
  expect(await rows.count()).toBeGreaterThanOrEqual(5);
  const first = await rows.first().locator('td').allInnerTexts();
  expect(first[0]! < date).toBe(true);
  expect(first[2]).toMatch(/^±\d+\.\d%$/);
  expect(first[3]).toMatch(/^[+-]?\d+\.\d%$/);
  await expect(page.getByTestId('earnings-chart')).toHaveAttribute('data-state', 'drawn', { timeout: 30_000 });

  // One trading day after the report: it has moved into the history with its realised move.
  await page.goto(`/?symbol=AAPL&from=2025-06-02&to=2025-08-29&date=2025-08-29`);
  await panelDone(page);
  await expect(page.getByTestId('earnings-history').locator('tbody tr').first().locator('td').first()).toContainText(date);
  await expect(page.getByTestId('earnings-next')).not.toHaveAttribute('data-date', date);
});

test('a fund: a clear "no earnings" line, not an empty box', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/?symbol=SPY');
  await panelDone(page);
  await expect(page.getByTestId('earnings-none')).toHaveText('No earnings: SPY is an ETF or index (no reports in the calendar).');
  await expect(page.getByTestId('earnings-history')).toHaveCount(0);
});

for (const theme of ['light', 'dark'] as const) {
  for (const [size, viewport] of [['desktop', { width: 1440, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
    test(`earnings panel screenshot, ${theme}, ${size}`, async ({ browser, baseURL }) => {
      test.setTimeout(120_000);
      const ctx = await browser.newContext({ viewport, baseURL, colorScheme: theme, locale: 'en-US', isMobile: size === 'phone', hasTouch: size === 'phone' });
      const page = await ctx.newPage();
      await page.goto('/?symbol=AAPL&from=2025-06-02&to=2025-08-29&date=2025-07-21&embed=1&chart=earnings');
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      await panelDone(page);
      await expect(page.getByTestId('earnings-chart')).toHaveAttribute('data-state', 'drawn', { timeout: 30_000 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, 'the panel scrolls sideways').toBeLessThanOrEqual(1);
      await screenshot(page, `panel-earnings-${theme}-${size}`);
      await ctx.close();
    });
  }
}
