// One writer at a time per lake: ingest (around each publish) and compaction take an exclusive
// lock file, so two read-modify-write cycles of manifest.json never interleave. A lock whose
// process is gone (a crash) is taken over.
import { open, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { processAlive } from '../pid.ts';

export const LOCK_FILE = '.quantiv-writer.lock';

async function tryLock(path: string): Promise<boolean> {
  try {
    const fh = await open(path, 'wx');
    await fh.writeFile(String(process.pid));
    await fh.close();
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
  if (pid === process.pid) return true;
  if (Number.isInteger(pid) && pid > 0) {
    // The holder died: take it over.
    if (!processAlive(pid)) await rm(path, { force: true });
  } else {
    // No pid yet: either being written this instant or left half-written by a crash long ago.
    const age = Date.now() - ((await stat(path).catch(() => null))?.mtimeMs ?? Date.now());
    if (age > 10_000) await rm(path, { force: true });
  }
  return false;
}

/** Runs fn while holding the lake's writer lock; waits up to timeoutMs for another writer. */
export async function withLakeLock<T>(root: string, fn: () => Promise<T>, timeoutMs = 120_000): Promise<T> {
  const path = join(root, LOCK_FILE);
  const deadline = Date.now() + timeoutMs;
  while (!(await tryLock(path))) {
    if (Date.now() > deadline) throw new Error(`another writer holds ${path} (pid in the file); gave up after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
  try {
    return await fn();
  } finally {
    await rm(path, { force: true });
  }
}
