// Live updates end to end: a quote XADDed to a real Redis is ingested into a writable copy of the
// lake, published as a new manifest, picked up by the open page's poll and shown in the table
// without a reload. Prints the XADD -> visible latency. A link pinned to the old version keeps it.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Page } from '@playwright/test';
import { parseManifest } from '../../src/lake/manifest.ts';
import { generateQuotes, xaddMessages } from '../../src/node/realtime/produce.ts';
import { connectRedis } from '../../src/node/realtime/stream.ts';
import { startRedis } from '../support/redis.ts';
import { dataRoot, expect, screenshot, test } from './harness/fixtures.ts';
import { LAKE_DIR, REPO_ROOT } from './harness/paths.ts';

/**
 * A writable lake under the served root: real folders, the published files as symlinks into ./data
 * (never written: ingest only adds new files and replaces manifest.json, which is a copy).
 */
function writableLake(into: string): void {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = join(dir, e.name);
      return e.isDirectory() || (e.isSymbolicLink() && statSync(p).isDirectory()) ? walk(p) : [p];
    });
  for (const src of walk(LAKE_DIR)) {
    const rel = relative(LAKE_DIR, src);
    const dest = join(into, rel);
    mkdirSync(dirname(dest), { recursive: true });
    if (rel === 'manifest.json' || rel.startsWith('manifests')) copyFileSync(src, dest);
    else symlinkSync(src, dest);
  }
}

async function settled(page: Page): Promise<void> {
  await expect(page.getByTestId('iv-history')).toHaveAttribute('data-state', 'done', { timeout: 45_000 });
}

/** Resolves (in the page) with Date.now() at the first DOM change that shows `date` in the table. */
async function watchFor(page: Page, date: string): Promise<void> {
  await page.evaluate((d) => {
    const w = window as unknown as { __seen?: Record<string, number> };
    w.__seen ??= {};
    const seen = w.__seen;
    const has = () => [...document.querySelectorAll('[data-testid="iv-history-table"] td:first-child')].some((td) => td.textContent?.trim() === d);
    const obs = new MutationObserver(() => {
      if (!seen[d] && has()) {
        seen[d] = Date.now();
        obs.disconnect();
      }
    });
    obs.observe(document.body, { subtree: true, childList: true, characterData: true });
  }, date);
}

// Defaults keep the test short; QUANTIV_LIVE_FLUSH_MS / QUANTIV_LIVE_POLL_S measure other settings.
const FLUSH_MS = process.env.QUANTIV_LIVE_FLUSH_MS ?? '250';
const POLL_S = process.env.QUANTIV_LIVE_POLL_S ?? '1';

test('a quote XADDed to Redis shows up in the open page without a reload', async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  const lake = join(dataRoot(), 'live');
  writableLake(lake);
  const redisServer = await startRedis();
  const redis = await connectRedis(redisServer.url);
  const ingestLog: string[] = [];
  let ingest: ChildProcess | null = null;
  try {
    ingest = spawn(process.execPath, [join(REPO_ROOT, 'bin/quantiv.mjs'), 'ingest', '--redis', redisServer.url, '--data', lake, '--flush-ms', FLUSH_MS, '--consumer', 'e2e'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    ingest.stdout!.on('data', (b: Buffer) => ingestLog.push(b.toString()));
    ingest.stderr!.on('data', (b: Buffer) => ingestLog.push(b.toString()));

    await page.goto(`/?data=data/live/manifest.json&poll=${POLL_S}`);
    await settled(page);
    const first = parseManifest(JSON.parse(readFileSync(join(lake, 'manifest.json'), 'utf8')));
    const freshness = page.getByTestId('freshness');
    await expect(freshness).toHaveAttribute('data-version', first.datasetVersion);
    const symbol = await page.getByTestId('symbol-select').inputValue();
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
    await screenshot(page, 'live-before');

    const latencies: number[] = [];
    for (let run = 1; run <= 3; run++) {
      const before = await freshness.getAttribute('data-newest');
      // The generator's quotes for the next trading day, for the symbol on screen (seed 42 = ./data's).
      const { date, messages } = await generateQuotes({ root: lake, symbols: [symbol], seed: 42 });
      expect(date > before!).toBe(true);
      await watchFor(page, date);
      const sentAt = Date.now();
      await xaddMessages(redis, 'quotes', messages);
      await expect(page.getByTestId('iv-history-table').locator('td:first-child', { hasText: date })).toBeVisible({ timeout: 20_000 });
      await expect(freshness).toHaveAttribute('data-newest', date);
      const seenAt = await page.evaluate((d) => (window as unknown as { __seen: Record<string, number> }).__seen[d]!, date);
      const ms = seenAt - sentAt;
      latencies.push(ms);
      const line = `live: run ${run}: ${messages.length} quotes for ${symbol} ${date}: XADD -> visible ${ms} ms`;
      console.log(line);
      testInfo.annotations.push({ type: 'latency', description: line });
    }
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    await expect(page.getByTestId('iv-history')).toHaveAttribute('data-state', 'done');
    await screenshot(page, 'live-after');
    const summary = `live: XADD -> visible ms: ${latencies.join(', ')} (median ${[...latencies].sort((a, b) => a - b)[1]}) with --flush-ms ${FLUSH_MS}, poll ${POLL_S} s`;
    console.log(summary);
    testInfo.annotations.push({ type: 'latency-summary', description: summary });

    // A link pinned to the first version keeps showing it, and does not follow new data.
    const url = new URL(page.url());
    url.searchParams.set('v', first.datasetVersion);
    await page.goto(url.pathname + url.search);
    await settled(page);
    await expect(freshness).toHaveAttribute('data-pinned', first.datasetVersion);
    await expect(freshness).toContainText(`Pinned to ${first.datasetVersion}`);
    const pinnedNewest = await freshness.getAttribute('data-newest');
    expect(pinnedNewest! < (await generateQuotes({ root: lake, symbols: [symbol], seed: 42, count: 1 })).date).toBe(true);
    await expect(page.getByTestId('dataset-info')).toContainText(first.datasetVersion);
    const { messages } = await generateQuotes({ root: lake, symbols: [symbol], seed: 42 });
    await xaddMessages(redis, 'quotes', messages);
    await page.waitForTimeout(2500);
    await expect(freshness).toHaveAttribute('data-version', first.datasetVersion);
    await expect(page.getByTestId('iv-history-table').locator('td:first-child', { hasText: messages[0]!.date! })).toHaveCount(0);
    await screenshot(page, 'live-pinned');
  } finally {
    if (ingest && ingest.exitCode === null) {
      const exited = new Promise((r) => ingest!.once('exit', r));
      ingest.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    }
    console.log(ingestLog.join('').split('\n').filter((l) => /flush|recover|dead|stopped/.test(l)).slice(-8).join('\n'));
    await redis.close();
    await redisServer.stop();
  }
});
