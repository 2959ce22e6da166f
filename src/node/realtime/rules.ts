// Ingest rules beyond the column types (quote.ts): what a quote may claim about the world. One
// quote dated 2099-01-02 made the app say "data through 2099-01-02" and show every reader an empty
// default range, so each quote must be
//   - dated within [first lake date, today + 1 day] (UTC) and on a trading day (the generator's NYSE
//     calendar: no weekends, no exchange holidays);
//   - expiring within maxExpirationYears (default 5) of its quote date;
//   - for a symbol the lake already has (symbols_metadata, the options rollup) or one listed in
//     allowSymbols.
// Earnings records (earnings-record.ts) must name a symbol the lake has (or one allowed), and a
// report date that is a trading day no earlier than a year before the lake's first date and no
// later than a year after today: a calendar lists the next report, not one in 2099.
// A violation is returned as a reason; ingest dead-letters the message with it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { filesOf, type Manifest } from '../../lake/manifest.ts';
import { quoteString } from '../../lake/schema.ts';
import { dayOf, isoOf, isTradingDay } from '../generate/calendar.ts';
import type { EarningsRow } from './earnings-record.ts';
import type { QuoteRow } from './quote.ts';

export interface IngestRules {
  /** Earliest quote date accepted (ISO); null accepts any past date. */
  firstDate: string | null;
  /** Latest quote date accepted (ISO): today + 1 day by default. */
  lastDate: string;
  /** Latest earnings report date accepted (ISO): today + 366 days. */
  lastEarningsDate: string;
  tradingDaysOnly: boolean;
  maxExpirationYears: number;
  /** Symbols accepted; null accepts any. */
  symbols: Set<string> | null;
}

export interface RuleOptions {
  /** Symbols accepted besides the lake's own. */
  allowSymbols?: string[];
  /** Accept any symbol (a new lake with no symbols yet). */
  anySymbol?: boolean;
  maxExpirationYears?: number;
  /** Accept weekend and holiday dates (back-fills of sources that quote them). */
  allowNonTradingDays?: boolean;
  /** The clock, for tests. */
  now?: Date;
}

export const DEFAULT_MAX_EXPIRATION_YEARS = 5;
/** How far ahead (and before the lake's start) an earnings report date may lie. */
export const EARNINGS_AHEAD_DAYS = 366;

/** The rules for a lake: its first options date and its symbols, plus the options. */
export async function rulesFor(conn: DuckDBConnection, root: string, manifest: Manifest | null, opts: RuleOptions = {}): Promise<IngestRules> {
  const today = dayOf((opts.now ?? new Date()).toISOString().slice(0, 10));
  const options = manifest ? filesOf(manifest, 'options') : [];
  const firstDate = options.map((f) => f.minDate).filter((d): d is string => d !== null).sort()[0] ?? null;
  let symbols: Set<string> | null = null;
  if (!opts.anySymbol) {
    symbols = new Set(opts.allowSymbols ?? []);
    // The small tables, never the raw options: the rollup lists every (date, symbol) the options have.
    const sources = [...(manifest ? filesOf(manifest, 'symbols_metadata') : []).map((f) => ['symbol', f] as const),
      ...(manifest ? filesOf(manifest, 'options_daily') : []).map((f) => ['act_symbol', f] as const)]
      .filter(([, f]) => existsSync(join(root, f.path)));
    for (const [col, f] of sources) {
      const rows = (await conn.runAndReadAll(`SELECT DISTINCT "${col}" FROM read_parquet(${quoteString(join(root, f.path))})`)).getRows();
      for (const r of rows) if (r[0] !== null) symbols.add(String(r[0]));
    }
  }
  return {
    firstDate,
    lastDate: isoOf(today + 1),
    lastEarningsDate: isoOf(today + EARNINGS_AHEAD_DAYS),
    tradingDaysOnly: !opts.allowNonTradingDays,
    maxExpirationYears: opts.maxExpirationYears ?? DEFAULT_MAX_EXPIRATION_YEARS,
    symbols,
  };
}

/** The first rule the (type-valid) row breaks, or null. */
export function ruleViolation(row: QuoteRow, r: IngestRules): string | null {
  const date = row.date!, exp = row.expiration!, symbol = row.act_symbol!;
  if (r.firstDate !== null && date < r.firstDate) return `rule date: ${date} is before the lake's first date ${r.firstDate}`;
  if (date > r.lastDate) return `rule date: ${date} is after ${r.lastDate} (today + 1 day)`;
  if (r.tradingDaysOnly && !isTradingDay(dayOf(date))) return `rule date: ${date} is not a trading day`;
  const limit = `${String(Number(date.slice(0, 4)) + r.maxExpirationYears).padStart(4, '0')}${date.slice(4)}`;
  if (exp > limit) return `rule expiration: ${exp} is more than ${r.maxExpirationYears} years after ${date}`;
  if (r.symbols !== null && !r.symbols.has(symbol)) return `rule symbol: ${symbol} is not in the lake; allow it with --allow-symbols ${symbol}`;
  return null;
}

/** The first rule the (type-valid) earnings row breaks, or null. */
export function earningsRuleViolation(row: EarningsRow, r: IngestRules): string | null {
  const date = row.earnings_date!, symbol = row.symbol!;
  const earliest = r.firstDate === null ? null : isoOf(dayOf(r.firstDate) - EARNINGS_AHEAD_DAYS);
  if (earliest !== null && date < earliest) return `rule earnings_date: ${date} is more than a year before the lake's first date ${r.firstDate}`;
  if (date > r.lastEarningsDate) return `rule earnings_date: ${date} is after ${r.lastEarningsDate} (today + ${EARNINGS_AHEAD_DAYS} days)`;
  if (r.tradingDaysOnly && !isTradingDay(dayOf(date))) return `rule earnings_date: ${date} is not a trading day`;
  if (r.symbols !== null && !r.symbols.has(symbol)) return `rule symbol: ${symbol} is not in the lake; allow it with --allow-symbols ${symbol}`;
  return null;
}
