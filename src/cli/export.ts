// `quantiv export --pg URL --out DIR [--redo-from YYYY-MM]`: the legacy PostgreSQL to the lake,
// resumable, with a report of rows, quirk-rule counts, rejects and throughput. See
// docs/migration-runbook.md and src/node/pg/export.ts.
import { parseFlags } from './flags.ts';
import { giveUpMs, giveUpUsage } from './give-up.ts';
import { UsageError } from '../node/usage-error.ts';
import { exportPg, MIGRATION_DIR, REPORT_FILE, type ExportReport } from '../node/pg/export.ts';
import { REJECT_REASONS, QUIRK_RULES } from '../node/pg/quirks.ts';

export const EXPORT_USAGE = `usage: quantiv export --pg URL --out DIR [flags]

  --pg URL              the legacy database, postgres://user@host:port/db (read only, one snapshot)
  --out DIR             lake folder; manifest.json is republished after every partition
  --redo-from YYYY-MM   re-export options months from this one, volatility years from its year and
                        every single-file table, even if already exported (the cut-over refresh)
  --source-time-zone Z  the IANA zone (America/New_York) that legacy 'timestamp without time zone'
                        columns hold wall time in; the lake stores the instant (TIMESTAMPTZ).
                        Without it such a column stays a TIMESTAMP in the lake
${giveUpUsage(24)}
  --quiet               print only the report
  -h, --help            this text

Re-running after an interruption resumes: finished partitions whose file and source row count are
unchanged are skipped. Each legacy column's type is read from the catalog and mapped knowingly
(numeric(p,s) stays an exact DECIMAL(p,s)); a column with no known mapping refuses the export
before any file is written (src/node/pg/catalog.ts). State, rejects and the JSON report are kept in DIR/${MIGRATION_DIR}/.
A lost PostgreSQL is reconnected to and the export resumed from that state (finished partitions
skipped). Exit codes: 0 done, 1 the lake folder refuses writes, 2 usage, 3 the legacy schema or
the zone refused, 4 PostgreSQL unreachable past --give-up-after, 5 PostgreSQL refused (password,
missing database); see docs/migration-runbook.md.`;

const fmt = (n: number): string => n.toLocaleString('en-US');

export function exportSummary(r: ExportReport): string {
  const lines = [`export ${r.source} -> ${r.out}  dataset ${r.datasetVersion}`];
  for (const [t, v] of Object.entries(r.rows)) {
    lines.push(`  ${t.padEnd(18)} source ${fmt(v.source).padStart(11)}  lake ${fmt(v.lake).padStart(11)}  rejects ${fmt(v.rejects)}`);
  }
  lines.push('  quirk rules (rows):');
  for (const k of QUIRK_RULES) lines.push(`    ${k.padEnd(20)} ${fmt(r.counts[k])}`);
  lines.push('  rejects by reason:');
  for (const k of REJECT_REASONS) lines.push(`    ${k.padEnd(20)} ${fmt(r.counts[k])}`);
  lines.push(
    `  ${r.exported.partitions} partitions exported, ${r.skipped} skipped (already done), ${r.tmpRemoved} stale tmp files removed` +
      (r.reconnects ? `, resumed after ${r.reconnects} PostgreSQL outage(s)` : ''),
    `  ${fmt(r.exported.sourceRows)} rows in ${r.seconds.toFixed(2)} s = ${fmt(Math.round(r.rowsPerSecond))} rows/s`,
    `  report: ${r.out}/${MIGRATION_DIR}/${REPORT_FILE}`,
  );
  return lines.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const values = parseFlags(
    argv,
    {
      pg: { type: 'string' },
      out: { type: 'string' },
      'redo-from': { type: 'string' },
      quiet: { type: 'boolean' },
      'source-time-zone': { type: 'string' },
      'give-up-after': { type: 'string' },
    },
    EXPORT_USAGE,
  );
  if (!values) return 0;
  if (!values.pg) throw new UsageError('--pg URL is required');
  if (!values.out) throw new UsageError('--out DIR is required');
  const redoFrom = values['redo-from'];
  if (redoFrom !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(redoFrom)) throw new UsageError(`--redo-from must be YYYY-MM, got '${redoFrom}'`);
  const report = await exportPg(values.pg, {
    out: values.out,
    ...(redoFrom ? { redoFrom } : {}),
    ...(values['source-time-zone'] ? { sourceTimeZone: values['source-time-zone'] } : {}),
    log: values.quiet ? () => {} : (l) => console.log(l),
    warn: (l) => console.error(`${new Date().toISOString()} export: ${l}`),
    giveUpMs: giveUpMs(values['give-up-after']),
  });
  console.log(exportSummary(report));
  return 0;
}
