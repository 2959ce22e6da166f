// Cold start: what the first chart needs loads in parallel from navigation, not one after another.
// Asserts orderings that follow from the code's structure, never durations: on a loaded 2-core CI
// machine a time limit would be noise. (Durations and long tasks: bench/browser.ts appColdStart.)
import { test, expect } from './harness/fixtures.ts';

const KINDS: Record<string, RegExp> = {
  wasm: /\/assets\/duckdb-eh[^/]*\.wasm$/,
  worker: /\/assets\/duckdb\.worker[^/]*\.js$/,
  plotly: /\/assets\/plotly[^/]*\.js$/,
  manifest: /\/data\/manifest\.json$/,
};

test('the engine, its worker, Plotly and the manifest are all requested before the first lake read', async ({ page }) => {
  const order: string[] = [];
  page.on('request', (req) => {
    const url = req.url().split('?')[0]!;
    if (/\/data\/.*\.parquet$/.test(url)) order.push('parquet');
    for (const [kind, re] of Object.entries(KINDS)) if (re.test(url)) order.push(kind);
  });
  await page.goto('/');
  await expect(page.locator('[data-testid=iv-chart]:not([data-points="0"])')).toBeVisible({ timeout: 45_000 });
  const firstParquet = order.indexOf('parquet');
  expect(firstParquet, `requests: ${order.join(', ')}`).toBeGreaterThan(0);
  for (const kind of Object.keys(KINDS)) {
    const at = order.indexOf(kind);
    expect(at, `${kind} requested (${order.join(', ')})`).toBeGreaterThanOrEqual(0);
    expect(at, `${kind} before the first parquet read (${order.join(', ')})`).toBeLessThan(firstParquet);
  }
});

test('the phase marks tell the cold start in causal order, Plotly started before the engine was ready', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('[data-testid=iv-chart]:not([data-points="0"])')).toBeVisible({ timeout: 45_000 });
  const { marks, plotlyStart } = await page.evaluate(() => ({
    marks: Object.fromEntries(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('quantiv:'))
      .map((m) => [m.name.slice('quantiv:'.length), m.startTime])),
    plotlyStart: performance.getEntriesByType('resource').find((r) => /\/assets\/plotly[^/]*\.js$/.test(r.name))?.startTime ?? NaN,
  }));
  // Each step needs the one before it. worker-started and the worker's later marks come from the
  // worker's clock, re-based on timeOrigin: allow a millisecond for the rounding.
  const chain = ['boot', 'worker-spawned', 'worker-started', 'wasm-fetched', 'wasm-compiled', 'engine-instantiated',
    'engine-opened', 'parquet-loaded', 'views-created', 'engine-ready', 'first-query-sent', 'first-result', 'chart-data', 'first-chart'];
  for (const name of [...chain, 'manifest-loaded', 'plotly-loaded', 'app-mounted']) expect(marks[name], name).toBeGreaterThanOrEqual(0);
  for (let i = 1; i < chain.length; i++) {
    expect(marks[chain[i]!]!, `${chain[i - 1]} then ${chain[i]}`).toBeGreaterThanOrEqual(marks[chain[i - 1]!]! - 1);
  }
  // The worker is spawned by main.ts before the app's own chunk has mounted.
  expect(marks['worker-spawned']!).toBeLessThan(marks['app-mounted']!);
  // Plotly's chunk is requested at boot, not after the first result.
  expect(plotlyStart).toBeLessThan(marks['engine-ready']!);
  expect(marks['manifest-loaded']!).toBeLessThan(marks['engine-ready']!);
});

test('2D charts draw with the basic Plotly bundle; only a 3D chart fetches the full one', async ({ page }) => {
  const scripts: string[] = [];
  page.on('request', (req) => {
    // The two bundles only (plotly-basic.min, plotly.min), not the app's own small plotly.ts chunk.
    const m = /\/assets\/(plotly[^/]*?\.min)-[\w-]+\.js$/.exec(req.url().split('?')[0]!);
    if (m) scripts.push(m[1]!);
  });
  // Forecasts: three 2D charts and no 3D one.
  await page.goto('/?page=forecasts&symbol=SPY&horizon=5d');
  await expect(page.locator('[data-testid=forecast-chart]:not([data-points="0"])')).toBeVisible({ timeout: 45_000 });
  await expect(page.locator('[data-testid=calibration-chart]:not([data-points="0"])')).toBeVisible({ timeout: 45_000 });
  expect(scripts).toEqual(['plotly-basic.min']);
  // The Symbol page's IV surface is mesh3d: the full bundle, once.
  await page.goto('/?symbol=SPY');
  await expect(page.locator('[data-testid=surface-chart]:not([data-points="0"])')).toBeVisible({ timeout: 45_000 });
  expect(scripts.filter((s) => s === 'plotly.min')).toHaveLength(1);
});
