// `quantiv validate --pg URL --data DIR`: PostgreSQL vs the lake, per table and partition. Exit 0 when
// every count and checksum agrees, 1 with a readable list of differences otherwise.
import { parseFlags } from './flags.ts';
import { UsageError } from '../node/usage-error.ts';
import { validatePg, validateReport } from '../node/pg/validate.ts';

export const VALIDATE_USAGE = `usage: quantiv validate --pg URL --data DIR [flags]

  --pg URL     the legacy database (read only, one snapshot)
  --data DIR   lake folder holding manifest.json
  --json       print the full result as JSON
  --quiet      print only the verdict and the differences
  --source-time-zone Z   as given to export (the lake's types are checked against the same mapping)
  -h, --help   this text

Compares per partition: row count; per column NULL count, sum/min/max (exact for DECIMAL/INTEGER),
min/max for dates, timestamps and text, a hash of text values; a hash of the natural keys; a
content fingerprint over every column of every row (naming the first differing keys); and each
lake column's type against the source column's catalog type. The
PostgreSQL side applies the export's cleaning rules (duplicates, spellings, percent IV, rejects).`;

export async function run(argv: string[]): Promise<number> {
  const values = parseFlags(
    argv,
    {
      pg: { type: 'string' },
      data: { type: 'string' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean' },
      'source-time-zone': { type: 'string' },
    },
    VALIDATE_USAGE,
  );
  if (!values) return 0;
  if (!values.pg) throw new UsageError('--pg URL is required');
  if (!values.data) throw new UsageError('--data DIR is required');
  const quiet = values.quiet || values.json;
  const r = await validatePg(values.pg, values.data, {
    log: quiet ? () => {} : (l) => console.log(l),
    ...(values['source-time-zone'] ? { sourceTimeZone: values['source-time-zone'] } : {}),
  });
  console.log(values.json ? JSON.stringify(r, null, 2) : validateReport(r));
  return r.ok ? 0 : 1;
}
