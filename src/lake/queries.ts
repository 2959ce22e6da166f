// The app's queries, built over manifest-pruned file lists so a date filter never opens the
// footers of other months.
import type { Manifest } from './manifest.ts';
import { quoteString } from './schema.ts';
import { scan, type Locate } from './views.ts';

export interface SymbolRange {
  symbol: string;
  from: string;
  to: string;
}

const SYMBOL = /^[A-Z0-9.\-]{1,10}$/;
const ISO = /^\d{4}-\d{2}-\d{2}$/;

export function assertRange(r: SymbolRange): void {
  if (!SYMBOL.test(r.symbol)) throw new Error(`Invalid symbol "${r.symbol}"`);
  if (!ISO.test(r.from) || !ISO.test(r.to)) throw new Error('Dates must be YYYY-MM-DD');
  if (r.from > r.to) throw new Error('The start date is after the end date');
}

/**
 * Daily ATM implied volatility (contracts with |delta| in [0.4, 0.6] and 20-45 days to expiry),
 * contract count, volume and put/call volume ratio for one symbol.
 */
export function atmIvHistorySql(manifest: Manifest, locate: Locate, r: SymbolRange): string {
  assertRange(r);
  const from = quoteString(r.from);
  const to = quoteString(r.to);
  return `
SELECT date,
       avg(vol) FILTER (WHERE abs(delta) BETWEEN 0.40 AND 0.60 AND expiration - date BETWEEN 20 AND 45)::DOUBLE AS atm_iv,
       count(*) AS contracts,
       sum(volume) AS volume,
       (sum(volume) FILTER (WHERE call_put = 'P'))::DOUBLE / nullif(sum(volume) FILTER (WHERE call_put = 'C'), 0) AS put_call_volume
FROM ${scan(manifest, 'options', locate, { from: r.from, to: r.to })}
WHERE act_symbol = ${quoteString(r.symbol)} AND date BETWEEN CAST(${from} AS DATE) AND CAST(${to} AS DATE)
GROUP BY date
ORDER BY date`.trim();
}

export const SYMBOLS_SQL = 'SELECT symbol FROM symbols_metadata ORDER BY symbol';

/** The dates the options table covers, read from the manifest without a query. */
export function optionsDateBounds(manifest: Manifest): { min: string; max: string } | null {
  let min: string | null = null;
  let max: string | null = null;
  for (const f of manifest.files) {
    if (f.table !== 'options' || f.minDate === null || f.maxDate === null) continue;
    if (min === null || f.minDate < min) min = f.minDate;
    if (max === null || f.maxDate > max) max = f.maxDate;
  }
  return min && max ? { min, max } : null;
}
