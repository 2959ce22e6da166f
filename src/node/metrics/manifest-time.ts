// The lake's last publish as its manifest says (createdAt), for metrics: null when the manifest is
// missing or unreadable, which a scrape reports as no sample rather than an error.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Milliseconds since the epoch of manifest.json's createdAt under root, or null. */
export async function manifestCreatedAt(root: string): Promise<number | null> {
  try {
    const t = Date.parse(String((JSON.parse(await readFile(join(root, 'manifest.json'), 'utf8')) as { createdAt?: unknown }).createdAt));
    return Number.isNaN(t) ? null : t;
  } catch {
    return null;
  }
}
