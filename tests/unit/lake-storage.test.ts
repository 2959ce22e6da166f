// A full disk and a read-only lake, for real: small tmpfs mounts (root only, as CI runs). generate
// must fail with one line naming the folder, exit 1, and leave no Parquet file or temp file that no
// manifest lists.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const asRoot = process.getuid?.() === 0;
const mounts: string[] = [];
let dir: string;

function mountTmpfs(name: string, size: string): string {
  const m = join(dir, name);
  mkdirSync(m);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', m]);
  mounts.push(m);
  return m;
}

const generate = (out: string) =>
  spawnSync(process.execPath, [join(ROOT, 'bin/quantiv.mjs'), 'generate', '--out', out, '--symbols', 'SPY,QQQ,IWM', '--from', '2025-01-02', '--to', '2025-04-30', '--seed', '4'], { encoding: 'utf8', timeout: 120_000 });

const files = (root: string): string[] => (existsSync(root) ? readdirSync(root, { recursive: true }).map(String) : []);

beforeAll(() => {
  if (asRoot) dir = mkdtempSync(join(tmpdir(), 'quantiv-storage-'));
});
afterAll(() => {
  for (const m of mounts.reverse()) spawnSync('umount', [m]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!asRoot)('generate on storage that refuses writes', () => {
  it('a full disk: names the folder, exits 1 without a stack, leaves no orphaned file', () => {
    const m = mountTmpfs('full', '1m');
    const out = join(m, 'lake');
    const r = generate(out);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^quantiv generate: cannot write to ${out}[^\\n]*: no space left on the device\\n$`));
    // January was published before the disk filled, so the clean-up really had a file to remove.
    expect(r.stdout).toMatch(/^2025-01 +options/m);
    const left = files(out);
    expect(left.filter((f) => f.endsWith('.parquet') || f.endsWith('.tmp'))).toEqual([]);
    expect(left).not.toContain('manifest.json');
  }, 180_000);

  it('a read-only lake: says read-only and names the folder, not ENOENT', () => {
    const m = mountTmpfs('ro', '1m');
    execFileSync('mount', ['-o', 'remount,ro', m]);
    const out = join(m, 'lake');
    const r = generate(out);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^quantiv generate: cannot write to ${m}[^\\n]*: read-only file system\\n$`));
    expect(files(m)).toEqual([]);
    // export checks its folder before it connects to PostgreSQL (none listens on port 1).
    const e = spawnSync(process.execPath, [join(ROOT, 'bin/quantiv.mjs'), 'export', '--pg', 'postgres://x@127.0.0.1:1/x', '--out', out], { encoding: 'utf8', timeout: 60_000 });
    expect(e.status, e.stderr).toBe(1);
    expect(e.stderr).toBe(`quantiv export: cannot write to ${m}: read-only file system\n`);
  }, 180_000);
});
