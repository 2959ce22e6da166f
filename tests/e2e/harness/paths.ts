import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const RESULTS_DIR = join(REPO_ROOT, 'test-results');
/** Overridable so the harness can run against throwaway fixtures before the real build exists. */
export const SITE_DIR = process.env.QUANTIV_SITE_DIR ?? join(REPO_ROOT, 'dist');
export const LAKE_DIR = process.env.QUANTIV_DATA_DIR ?? join(REPO_ROOT, 'data');
