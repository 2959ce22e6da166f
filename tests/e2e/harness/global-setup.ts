// Starts one real nginx (the production nginx.conf, rendered for a temp prefix) for the whole
// e2e run and hands its address to tests through environment variables, which workers inherit.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNginx } from '../../../src/node/nginx.ts';
import { buildServedDataRoot } from './lake-fixtures.ts';
import { LAKE_DIR, SITE_DIR } from './paths.ts';

export default async function globalSetup(): Promise<void> {
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
  console.log(`e2e: nginx ${server.url} (site ${SITE_DIR}, data ${dataRoot}, logs ${server.prefix})`);
}
