// Starts one real nginx (the production nginx.conf, rendered for a temp prefix) for the whole
// e2e run and hands its address to tests through environment variables, which workers inherit.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLatencyProxy } from '../../../src/node/latency-proxy.ts';
import { startNginx } from '../../../src/node/nginx.ts';
import { buildServedDataRoot } from './lake-fixtures.ts';
import { LAKE_DIR, SITE_DIR } from './paths.ts';

/** The delay tests/e2e/latency.spec.ts reads the same nginx through (QUANTIV_RTT40_URL). */
const RTT_MS = 40;

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(join(SITE_DIR, 'index.html'))) {
    throw new Error(`${SITE_DIR}/index.html is missing: run \`npx vite build\` first (or set QUANTIV_SITE_DIR)`);
  }
  if (!existsSync(join(LAKE_DIR, 'manifest.json'))) {
    throw new Error(`${LAKE_DIR}/manifest.json is missing: run \`node bin/quantiv.mjs generate\` first (or set QUANTIV_DATA_DIR)`);
  }
  const dataRoot = mkdtempSync(join(tmpdir(), 'quantiv-e2e-data-'));
  const fixtures = buildServedDataRoot(LAKE_DIR, dataRoot);
  const server = await startNginx({ siteRoot: SITE_DIR, dataRoot });

  process.env.QUANTIV_BASE_URL = server.url;
  process.env.QUANTIV_ACCESS_LOG = server.accessLog;
  process.env.QUANTIV_DATA_ROOT = dataRoot;
  process.env.QUANTIV_SITE_ROOT = SITE_DIR;
  process.env.QUANTIV_LAKE_FIXTURES = JSON.stringify(fixtures);
  process.env.QUANTIV_NGINX_PID = String(server.pid);
  process.env.QUANTIV_NGINX_PREFIX = server.prefix;
  // In this (the runner's) process, so it lives as long as the run; the returned function stops it.
  const proxy = await startLatencyProxy({ upstream: server.url, delayMs: RTT_MS });
  process.env.QUANTIV_RTT40_URL = proxy.url;
  console.log(`e2e: nginx ${server.url} (site ${SITE_DIR}, data ${dataRoot}, logs ${server.prefix}); ${RTT_MS} ms proxy ${proxy.url}`);
  return () => proxy.stop();
}
