// Screenshots of every page in both themes, on a 1440 px screen and a 390x844 phone, kept as test
// artifacts (test-results/screenshots/). Each also asserts the page drew and nothing overflows
// the viewport sideways on the phone (tables scroll inside their own box).
import type { Page } from '@playwright/test';
import { expect, screenshot, test } from './harness/fixtures.ts';

const PAGES: [name: string, link: string, ready: string][] = [
  ['symbol', '/?symbol=SPY', 'chain'],
  ['forecasts', '/?page=forecasts&symbol=SPY', 'accuracy'],
  ['screener', '/?page=screener', 'screener'],
  ['console', '/?page=console', 'schema-browser'],
];

async function settle(page: Page, ready: string): Promise<void> {
  const el = page.getByTestId(ready);
  if (ready === 'schema-browser') await expect(el).toContainText('options', { timeout: 45_000 });
  else await expect(el).toHaveAttribute('data-state', 'done', { timeout: 45_000 });
  // Every chart on the page finished drawing.
  await page.waitForFunction(() => [...document.querySelectorAll('figure[data-state]')].every((f) => f.getAttribute('data-state') !== 'drawing'), null, { timeout: 45_000 });
}

for (const theme of ['light', 'dark'] as const) {
  for (const [size, viewport] of [['desktop', { width: 1440, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
    test(`screenshots: every page, ${theme}, ${size}`, async ({ browser, baseURL }) => {
      test.setTimeout(240_000);
      const ctx = await browser.newContext({ viewport, baseURL, colorScheme: theme, locale: 'en-US', isMobile: size === 'phone', hasTouch: size === 'phone' });
      const page = await ctx.newPage();
      for (const [name, link, ready] of PAGES) {
        await page.goto(link);
        await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
        await settle(page, ready);
        if (size === 'phone') {
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          expect(overflow, `${name} scrolls sideways on a phone`).toBeLessThanOrEqual(1);
          expect(await page.locator('.modebar').count(), `${name}: no Plotly toolbar on a phone`).toBe(0);
        }
        await screenshot(page, `page-${name}-${theme}-${size}`);
      }
      await ctx.close();
    });
  }
}
