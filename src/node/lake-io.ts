// Reading a local lake's manifest, for every node tool that works on a lake folder.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseManifest, type Manifest } from '../lake/manifest.ts';

export async function readLakeManifest(root: string): Promise<Manifest> {
  return parseManifest(JSON.parse(await readFile(join(root, 'manifest.json'), 'utf8')));
}
