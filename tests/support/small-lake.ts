// One small generated lake per test run, made by the real `quantiv generate` command and shared
// by the unit tests that need data.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SMALL_LAKE_ARGS = ['--symbols', 'SPY,QQQ,AAPL', '--from', '2025-05-01', '--to', '2025-08-29', '--seed', '7'];

const ROOT = resolve(import.meta.dirname, '../..');

export function smallLake(): string {
  const dir = join(ROOT, 'tmp', `small-lake-${SMALL_LAKE_ARGS.join('_').replace(/[^A-Za-z0-9_-]/g, '')}`);
  if (!existsSync(join(dir, 'manifest.json'))) {
    mkdirSync(dir, { recursive: true });
    execFileSync(process.execPath, [join(ROOT, 'bin/quantiv.mjs'), 'generate', '--out', dir, '--quiet', ...SMALL_LAKE_ARGS], {
      stdio: 'inherit',
    });
  }
  return dir;
}
