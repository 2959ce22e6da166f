import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'tests/e2e',
  // One nginx and one browser: serial runs keep the access log attributable to one test.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  outputDir: 'test-results/e2e-artifacts',
  globalSetup: './tests/e2e/harness/global-setup.ts',
  globalTeardown: './tests/e2e/harness/global-teardown.ts',
  use: {
    // Set by globalSetup; workers start after it and inherit it. fixtures.ts sets it as well.
    baseURL: process.env.QUANTIV_BASE_URL,
    screenshot: 'on',
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's chromium: a Playwright browser download is impossible here and in CI.
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
