import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { stopNginxPid } from '../../../src/node/nginx.ts';
import { RESULTS_DIR } from './paths.ts';

export default async function globalTeardown(): Promise<void> {
  const pid = Number(process.env.QUANTIV_NGINX_PID);
  if (pid > 0) await stopNginxPid(pid);
  const prefix = process.env.QUANTIV_NGINX_PREFIX;
  if (prefix && existsSync(prefix)) {
    // Keep the logs and the exact config served as CI artifacts.
    const keep = join(RESULTS_DIR, 'nginx');
    mkdirSync(keep, { recursive: true });
    for (const f of ['access.log', 'error.log', 'nginx.conf']) {
      if (existsSync(join(prefix, f))) cpSync(join(prefix, f), join(keep, f));
    }
    rmSync(prefix, { recursive: true, force: true });
  }
  // Only symlinks and small damaged copies live here; rmSync does not follow symlinks.
  const dataRoot = process.env.QUANTIV_DATA_ROOT;
  if (dataRoot && dataRoot.includes('quantiv-e2e-data-')) rmSync(dataRoot, { recursive: true, force: true });
}
