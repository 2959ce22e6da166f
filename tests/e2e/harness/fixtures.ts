// Import `test`/`expect` from here in e2e specs: baseURL comes from the nginx that globalSetup
// started, whatever port it got.
import { test as base, expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LakeFixtures } from './lake-fixtures.ts';
import { RESULTS_DIR } from './paths.ts';

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run through playwright.config.ts (its globalSetup sets it)`);
  return v;
}

export const test = base.extend<{ rtt40URL: string }>({
  baseURL: async ({}, use) => {
    await use(env('QUANTIV_BASE_URL'));
  },
  /** The same nginx behind a proxy that holds every request 40 ms (src/node/latency-proxy.ts). */
  rtt40URL: async ({}, use) => {
    await use(env('QUANTIV_RTT40_URL'));
  },
});
export { expect };

/** The broken lakes under /data/ and which file each one damages. */
export function lakeFixtures(): LakeFixtures {
  return JSON.parse(env('QUANTIV_LAKE_FIXTURES')) as LakeFixtures;
}

export function dataRoot(): string {
  return env('QUANTIV_DATA_ROOT');
}

/** Full-page PNG kept as a CI artifact: test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = join(RESULTS_DIR, 'screenshots');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
