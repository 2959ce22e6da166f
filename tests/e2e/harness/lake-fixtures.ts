// Builds the data root nginx serves in e2e: the real lake (symlinked, never copied or touched)
// plus small broken lakes for the failure-path tests.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync, openSync, readSync, closeSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export interface BrokenLake {
  /** URL path of the lake folder, e.g. /data/broken-missing/ (its manifest is <lake>manifest.json). */
  lake: string;
  /** Manifest path of the damaged file, relative to the lake. */
  file: string;
}
export interface LakeFixtures {
  missing: BrokenLake;
  truncated: BrokenLake;
  /** The victim's path holds another valid Parquet file of the same table (the month before). */
  replaced: BrokenLake;
  /** The victim with bits flipped in its data pages; its footer is intact. */
  corrupt: BrokenLake;
}

const BROKEN = ['broken-missing', 'broken-truncated', 'broken-replaced', 'broken-corrupt'];

interface LooseFile { path: string; table?: string; maxDate?: string | null }

/** The options file with the latest data: the one a default view most likely opens. */
export function pickVictim(files: LooseFile[]): string {
  const options = files.filter((f) => f.table === 'options' || f.path.startsWith('options/'));
  const pool = options.length ? options : files;
  const key = (f: LooseFile) => `${f.maxDate ?? ''}|${f.path}`;
  const best = pool.reduce<LooseFile | undefined>((a, f) => (!a || key(f) > key(a) ? f : a), undefined);
  if (!best) throw new Error('the lake manifest lists no files');
  return best.path;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() || (e.isSymbolicLink() && statSync(p).isDirectory()) ? walk(p) : [p];
  });
}

function mirror(lake: string, into: string, victim: string, damage: (src: string, dest: string) => void): void {
  for (const src of walk(lake)) {
    const rel = relative(lake, src).split('\\').join('/');
    const dest = join(into, rel);
    mkdirSync(dirname(dest), { recursive: true });
    if (rel === victim) damage(src, dest);
    else symlinkSync(src, dest);
  }
}

function truncatedCopy(src: string, dest: string): void {
  // Half the file: the Parquet footer and its trailing magic bytes are gone.
  const keep = Math.floor(statSync(src).size / 2);
  const buf = Buffer.alloc(keep);
  const fd = openSync(src, 'r');
  try { readSync(fd, buf, 0, keep, 0); } finally { closeSync(fd); }
  writeFileSync(dest, buf);
}

/** The options file just before the victim in date order: valid Parquet with the same schema. */
function neighbour(files: LooseFile[], victim: string): string {
  const options = files.filter((f) => f.path.startsWith('options/')).map((f) => f.path).sort();
  const i = options.indexOf(victim);
  const other = options[i > 0 ? i - 1 : 1];
  if (!other) throw new Error('the lake needs two options files for the replaced-file fixture');
  return other;
}

function corruptCopy(src: string, dest: string): void {
  // 87 bits across the middle third (data pages, not the footer), as in issue 11.
  const buf = readFileSync(src);
  const from = Math.floor(buf.length / 3);
  const span = Math.floor(buf.length / 3);
  for (let i = 0; i < 87; i++) {
    const at = from + Math.floor((i * span) / 87);
    buf[at] = buf[at]! ^ (1 << (i % 8));
  }
  writeFileSync(dest, buf);
}

export function buildServedDataRoot(lake: string, root: string): LakeFixtures {
  const manifest = JSON.parse(readFileSync(join(lake, 'manifest.json'), 'utf8')) as { files?: LooseFile[] };
  for (const name of readdirSync(lake)) {
    if (!BROKEN.includes(name)) symlinkSync(join(lake, name), join(root, name));
  }
  const victim = pickVictim(manifest.files ?? []);
  if (!existsSync(join(lake, victim))) throw new Error(`lake manifest lists ${victim} but it is not in ${lake}`);
  mirror(lake, join(root, 'broken-missing'), victim, () => {});
  mirror(lake, join(root, 'broken-truncated'), victim, truncatedCopy);
  const other = join(lake, neighbour(manifest.files ?? [], victim));
  mirror(lake, join(root, 'broken-replaced'), victim, (_src, dest) => writeFileSync(dest, readFileSync(other)));
  mirror(lake, join(root, 'broken-corrupt'), victim, corruptCopy);
  return {
    missing: { lake: '/data/broken-missing/', file: victim },
    truncated: { lake: '/data/broken-truncated/', file: victim },
    replaced: { lake: '/data/broken-replaced/', file: victim },
    corrupt: { lake: '/data/broken-corrupt/', file: victim },
  };
}

