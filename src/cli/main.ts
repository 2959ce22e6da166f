// The `quantiv` command: a table of subcommands, each a module with run(argv). Modules are imported
// lazily so one command's dependencies never slow down another. Exit codes: src/node/exit-codes.ts.
import { EXIT } from '../node/exit-codes.ts';
import { connectionError } from '../node/reconnect.ts';

export interface Subcommand {
  summary: string;
  load: () => Promise<{ run(argv: string[]): Promise<number | void> }>;
}

export const COMMANDS: Record<string, Subcommand> = {
  generate: {
    summary: 'write a deterministic demo lake (options, volatility, forecasts, metadata)',
    load: () => import('../node/generate/index.ts'),
  },
  'pg-load': {
    summary: 'load a lake into the legacy PostgreSQL schema (optionally with the legacy quirks)',
    load: () => import('./pg-load.ts'),
  },
  export: {
    summary: 'export the legacy PostgreSQL to the lake, month by month, resumable, with a quirk report',
    load: () => import('./export.ts'),
  },
  validate: {
    summary: 'compare PostgreSQL and the lake per partition: counts, column checksums, key hashes',
    load: () => import('./validate.ts'),
  },
  'build-db': {
    summary: 'write quantiv.duckdb: the lake tables and views for native DuckDB users',
    load: () => import('./build-db.ts'),
  },
  ingest: {
    summary: 'consume option quotes from a Redis stream into new Parquet files + manifest',
    load: () => import('./ingest.ts'),
  },
  compact: {
    summary: "merge a month's small ingest files into one new file (old files kept for old readers)",
    load: () => import('./compact.ts'),
  },
  rollup: {
    summary: 'derive the rollups (options_daily) a lake lacks and republish its manifest',
    load: () => import('./rollup.ts'),
  },
  produce: {
    summary: 'replay generated quotes for the next trading day into a Redis stream (tests, demos)',
    load: () => import('./produce.ts'),
  },
  check: {
    summary: 'probe a deployment as DuckDB-WASM uses it (manifest, ranges, encoding, CORS, wasm, freshness)',
    load: () => import('./check.ts'),
  },
  monitor: {
    summary: 'scheduled check, stream lag, Redis/PostgreSQL up and lake freshness as Prometheus metrics',
    load: () => import('./monitor.ts'),
  },
  serve: {
    summary: 'serve the built site and a lake with the production nginx.conf',
    load: () => import('./serve.ts'),
  },
  demo: {
    summary: 'generate the demo lake if missing, build the site and serve it (npm start)',
    load: () => import('./demo.ts'),
  },
};

export function usage(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length));
  const lines = names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n]!.summary}`);
  return `usage: quantiv <command> [flags]\n\ncommands:\n${lines.join('\n')}\n\nRun 'quantiv <command> --help' for a command's flags.`;
}

/** Returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? EXIT.USAGE : EXIT.OK;
  }
  const cmd = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!cmd) {
    console.error(`quantiv: unknown command '${name}'\n\n${usage()}`);
    return EXIT.USAGE;
  }
  try {
    const code = await (await cmd.load()).run(rest);
    return typeof code === 'number' ? code : EXIT.OK;
  } catch (err) {
    if (err instanceof Error && err.name === 'UsageError') {
      console.error(`quantiv ${name}: ${err.message}\nRun 'quantiv ${name} --help' for usage.`);
      return EXIT.USAGE;
    }
    // Expected failures, including a lost or refused Redis/PostgreSQL a tool did not handle itself:
    // one line, no stack.
    const expected = connectionError(err);
    if (expected) {
      console.error(`quantiv ${name}: ${expected.message}`);
      return expected.exitCode;
    }
    console.error(`quantiv ${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return EXIT.FAILED;
  }
}
