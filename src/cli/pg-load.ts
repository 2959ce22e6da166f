// `quantiv pg-load --data DIR --pg URL [--quirks] [--seed N] [--replace]`: loads a lake into the
// legacy PostgreSQL schema (tests/fixtures/legacy-schema.sql), optionally with the legacy quirks.
// `quantiv generate --pg URL` calls loadIntoPg() after generating.
import { parseFlags } from './flags.ts';
import { UsageError } from '../node/usage-error.ts';
import { loadIntoPg, type LoadResult } from '../node/pg/load.ts';
import { redactUrl } from '../node/pg/client.ts';

export { loadIntoPg };
export type { LoadOptions, LoadResult } from '../node/pg/load.ts';

export const PG_LOAD_USAGE = `usage: quantiv pg-load --data DIR --pg URL [flags]

  --data DIR     lake folder holding manifest.json
  --pg URL       postgres://user@host:port/db (tables, partitions and views are created if missing)
  --quirks       inject the legacy quirks into options_chain (duplicates, NULL greeks, IV in percent,
                 'Call'/'Put' spellings, weekend dates, bad rows); counts are printed
  --seed N       seed of the quirk injection (default 1)
  --replace      empty the legacy tables first (default: refuse a non-empty database)
  --quiet        print only the summary
  -h, --help     this text`;

export function loadSummary(r: LoadResult): string {
  const rows = Object.entries(r.rows).map(([t, n]) => `  ${t.padEnd(20)} ${n.toLocaleString('en-US').padStart(12)} rows`);
  const total = Object.values(r.rows).reduce((s, n) => s + n, 0);
  const injected = Object.entries(r.injected).filter(([, n]) => n > 0).map(([q, n]) => `  injected ${q.padEnd(18)} ${n}`);
  return [...rows, ...injected, `loaded ${total.toLocaleString('en-US')} rows in ${r.seconds.toFixed(1)} s (${Math.round(total / r.seconds).toLocaleString('en-US')} rows/s)`].join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const values = parseFlags(
    argv,
    {
      data: { type: 'string' },
      pg: { type: 'string' },
      quirks: { type: 'boolean' },
      seed: { type: 'string' },
      replace: { type: 'boolean' },
      quiet: { type: 'boolean' },
    },
    PG_LOAD_USAGE,
  );
  if (!values) return 0;
  if (!values.data) throw new UsageError('--data DIR is required');
  if (!values.pg) throw new UsageError('--pg URL is required');
  if (values.seed !== undefined && !/^\d+$/.test(values.seed)) throw new UsageError(`--seed must be a non-negative integer, got '${values.seed}'`);
  const log = values.quiet ? () => {} : (l: string) => console.log(l);
  log(`loading ${values.data} into ${redactUrl(values.pg)}${values.quirks ? ' with quirks' : ''}`);
  const r = await loadIntoPg(values.data, values.pg, {
    quirks: values.quirks ?? false,
    seed: values.seed === undefined ? 1 : Number(values.seed),
    replace: values.replace ?? false,
    log,
  });
  console.log(loadSummary(r));
  return 0;
}
