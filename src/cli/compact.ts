// `quantiv compact`: merges each month's options files into one new file; optional GC.
import { resolve } from 'node:path';
import { parseFlags } from './flags.ts';
import { UsageError } from '../node/usage-error.ts';
import { compactLake, gcLake } from '../node/realtime/compact.ts';
import { openWriterDb } from '../node/realtime/lake-io.ts';

export const COMPACT_USAGE = `usage: quantiv compact --data DIR [flags]

  --data DIR             lake folder holding manifest.json (required)
  --month YYYY-MM        only this month (default: every month with 2+ options files)
  --gc-older-than MIN    afterwards delete pinned manifests older than MIN minutes (not the current
                         one) and Parquet files no remaining manifest lists, also older than MIN
  -h, --help             this text

Merged inputs stay on disk: readers holding an older manifest keep working until GC removes them.`;

export async function run(argv: string[]): Promise<number> {
  const values = parseFlags(
    argv,
    {
      data: { type: 'string' },
      month: { type: 'string' },
      'gc-older-than': { type: 'string' },
    },
    COMPACT_USAGE,
  );
  if (!values) return 0;
  if (!values.data) throw new UsageError('--data DIR is required');
  if (values.month !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(values.month)) {
    throw new UsageError(`--month must be YYYY-MM, got '${values.month}'`);
  }
  const gc = values['gc-older-than'];
  if (gc !== undefined && !/^\d+(\.\d+)?$/.test(gc)) throw new UsageError(`--gc-older-than must be minutes, got '${gc}'`);
  const root = resolve(values.data);
  const db = await openWriterDb();
  try {
    const { results, manifest } = await compactLake(db.conn, root, values.month ? { month: values.month } : {});
    for (const r of results) console.log(`compacted ${r.month}: ${r.inputs.length} files -> ${r.output.path} (${r.output.rows} rows)`);
    console.log(manifest ? `published dataset ${manifest.datasetVersion}` : 'nothing to compact');
  } finally {
    db.close();
  }
  if (gc !== undefined) {
    const r = await gcLake(root, Number(gc) * 60_000);
    console.log(`gc: deleted ${r.deletedFiles.length} file(s), ${r.deletedManifests.length} pinned manifest(s); kept ${r.keptFiles} file(s)`);
  }
  return 0;
}
