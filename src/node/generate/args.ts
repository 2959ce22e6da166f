// Flags of `quantiv generate`.
import { parseArgs } from 'node:util';
import { UsageError } from '../usage-error.ts';
import { dayOf } from './calendar.ts';
import { BUILTIN_SYMBOLS, DEFAULT_SYMBOL_COUNT } from './universe.ts';

export interface GenerateOptions {
  out: string;
  symbols: string[];
  from: string;
  to: string;
  seed: number;
  /** Strikes per side of ATM per expiration (2N+1 strikes, x2 for calls and puts). */
  strikes: number;
  quiet: boolean;
  /** Also load the lake into this legacy PostgreSQL (quantiv pg-load). */
  pg?: string | undefined;
  /** With pg: inject the legacy data's quirks (duplicates, percent IV, 'Call'/'Put', ...). */
  quirks?: boolean;
}

// 30 symbols x ~418 trading days x ~18 expirations x 17 strikes x 2 sides ~ 7.8M option rows.
export const DEFAULT_STRIKES = 8;

export const GENERATE_USAGE = `usage: quantiv generate [flags]

  --out DIR          lake folder (default ./data)
  --symbols LIST|N   comma-separated tickers, or N = the first N of the built-in ${BUILTIN_SYMBOLS.length}
                     (default ${BUILTIN_SYMBOLS.slice(0, DEFAULT_SYMBOL_COUNT).join(',')})
  --from YYYY-MM-DD  first quote date (default 2024-01-02)
  --to YYYY-MM-DD    last quote date (default 2025-08-29)
  --seed N           random seed, a non-negative integer (default 42)
  --strikes N        strikes per side of ATM per expiration, 1-100 (default ${DEFAULT_STRIKES})
  --quiet            print only the final summary
  --pg URL           then load the lake into the legacy PostgreSQL schema at URL
  --quirks           with --pg: add the legacy data's quirks (see docs/migration-runbook.md)
  -h, --help         this text

Same flags give byte-identical files; a symbol's path depends only on (seed, symbol).`;

export function parseGenerateArgs(argv: string[]): GenerateOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        out: { type: 'string' },
        symbols: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        seed: { type: 'string' },
        strikes: { type: 'string' },
        quiet: { type: 'boolean' },
        pg: { type: 'string' },
        quirks: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';
  const int = (name: string, raw: string | undefined, dflt: number, min: number, max: number): number => {
    if (raw === undefined) return dflt;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      throw new UsageError(`--${name} must be an integer in ${min}..${max}, got '${raw}'`);
    }
    return Number(raw);
  };
  const date = (name: string, raw: string | undefined, dflt: string): string => {
    const v = raw ?? dflt;
    try {
      dayOf(v);
    } catch {
      throw new UsageError(`--${name} must be a date YYYY-MM-DD, got '${v}'`);
    }
    if (v < '2000-01-01' || v > '2099-12-31') throw new UsageError(`--${name} must be within 2000-2099, got '${v}'`);
    return v;
  };
  const from = date('from', values.from, '2024-01-02');
  const to = date('to', values.to, '2025-08-29');
  if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  if (values.quirks && !values.pg) throw new UsageError('--quirks needs --pg URL');
  return {
    out: values.out ?? './data',
    symbols: parseSymbols(values.symbols),
    from,
    to,
    seed: int('seed', values.seed, 42, 0, 2 ** 31 - 1),
    strikes: int('strikes', values.strikes, DEFAULT_STRIKES, 1, 100),
    quiet: values.quiet ?? false,
    pg: values.pg,
    quirks: values.quirks ?? false,
  };
}

function parseSymbols(raw: string | undefined): string[] {
  if (raw === undefined) return BUILTIN_SYMBOLS.slice(0, DEFAULT_SYMBOL_COUNT);
  if (/^\d+$/.test(raw)) {
    const n = Number(raw);
    if (n < 1 || n > BUILTIN_SYMBOLS.length) {
      throw new UsageError(`--symbols N must be 1..${BUILTIN_SYMBOLS.length} (the built-in list), got ${n}`);
    }
    return BUILTIN_SYMBOLS.slice(0, n);
  }
  const list = raw.split(',').map((s) => s.trim().toUpperCase()).filter((s) => s !== '');
  if (list.length === 0) throw new UsageError('--symbols is empty');
  for (const s of list) {
    if (!/^[A-Z][A-Z0-9.]{0,9}$/.test(s)) throw new UsageError(`--symbols: '${s}' is not a ticker (A-Z, 0-9, '.', max 10)`);
  }
  if (new Set(list).size !== list.length) throw new UsageError('--symbols lists a ticker twice');
  return list;
}
