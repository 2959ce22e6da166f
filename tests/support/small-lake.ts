// One small generated lake per test run, made by the real `quantiv generate` command and shared
// by the unit tests that need data.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SMALL_LAKE_ARGS = ['--symbols', 'SPY,QQQ,AAPL', '--from', '2025-05-01', '--to', '2025-08-29', '--seed', '7'];

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * A hash of the code that makes a lake (the generator, the writers, the lake format), so a change
 * to any of it generates a new lake instead of testing against one the old code wrote.
 */
function lakeCodeHash(): string {
  const hash = createHash('sha256');
  for (const dir of ['src/lake', 'src/node']) {
    const files = readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .sort();
    for (const f of files) hash.update(`${dir}/${f}\0`).update(readFileSync(join(ROOT, dir, f)));
  }
  return hash.digest('hex').slice(0, 12);
}

export function smallLake(): string {
  const args = SMALL_LAKE_ARGS.join('_').replace(/[^A-Za-z0-9_-]/g, '');
  const dir = join(ROOT, 'tmp', `small-lake-${args}-${lakeCodeHash()}`);
  if (!existsSync(join(dir, 'manifest.json'))) {
    mkdirSync(dir, { recursive: true });
    execFileSync(process.execPath, [join(ROOT, 'bin/quantiv.mjs'), 'generate', '--out', dir, '--quiet', ...SMALL_LAKE_ARGS], {
      stdio: 'inherit',
    });
  }
  return dir;
}

/**
 * Each call copies `base` to a new folder under `scratch` and names a stream of its own, so tests
 * that write (ingest, compact) never share a lake or a stream.
 */
export function lakeCopies(base: string, scratch: string, streamPrefix: string): () => { root: string; stream: string } {
  let n = 0;
  return () => {
    n += 1;
    const root = join(scratch, `lake-${n}`);
    cpSync(base, root, { recursive: true });
    return { root, stream: `${streamPrefix}-${n}` };
  };
}
