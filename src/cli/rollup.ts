// `quantiv rollup --data DIR`: derives the rollups a lake lacks (one published before they existed)
// and publishes a new manifest; a lake whose rollups are current is left as it is.
import { resolve } from 'node:path';
import { parseFlags } from './flags.ts';
import { UsageError } from '../node/usage-error.ts';
import { openWriterDb } from '../node/realtime/lake-io.ts';
import { refreshRollups } from '../node/rollups.ts';

export const ROLLUP_USAGE = `usage: quantiv rollup --data DIR

  --data DIR   lake folder holding manifest.json (required)
  -h, --help   this text

Every writer (generate, export, ingest, compact) publishes the rollups with the rows; this command
is for lakes written before, or repaired by hand. Only missing or stale years are derived.`;

export async function run(argv: string[]): Promise<number> {
  const values = parseFlags(argv, { data: { type: 'string' } }, ROLLUP_USAGE);
  if (!values) return 0;
  if (!values.data) throw new UsageError('--data DIR is required');
  const db = await openWriterDb();
  try {
    const { fixed, manifest } = await refreshRollups(db.conn, resolve(values.data));
    if (!manifest) console.log('rollups are current; nothing to do');
    else console.log(`${fixed.map((f) => `fixed ${f}`).join('\n')}\npublished dataset ${manifest.datasetVersion}`);
  } finally {
    db.close();
  }
  return 0;
}
