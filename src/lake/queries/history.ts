// Daily history queries over a date range, built on manifest-pruned file lists so a date filter
// never opens the footers of other months.
import type { Manifest } from '../manifest.ts';
import { ATM_CONTRACT_SQL, rollupCoversRange } from '../rollups.ts';
import { scan, type Locate } from '../views.ts';
import { dateLit, rangeCheck, symbolLit } from './params.ts';

export interface SymbolRange {
  symbol: string;
  from: string;
  to: string;
}

export function assertRange(r: SymbolRange): void {
  symbolLit(r.symbol);
  rangeCheck(r.from, r.to);
}

/**
 * Daily ATM implied volatility (ATM_CONTRACT_SQL), contract count, volume, and put/call ratios of
 * volume and open interest for one symbol. Read from options_daily where it is current for the
 * range (a few KiB), else from the raw options (the same numbers, tested).
 */
export function atmIvHistorySql(manifest: Manifest, locate: Locate, r: SymbolRange): string {
  assertRange(r);
  const where = `WHERE act_symbol = ${symbolLit(r.symbol)} AND date BETWEEN ${dateLit(r.from)} AND ${dateLit(r.to)}`;
  const range = { from: r.from, to: r.to };
  const side = (col: string, cp: 'C' | 'P') => `sum(${col}) FILTER (WHERE call_put = '${cp}')`;
  const ratios = `(${side('volume', 'P')})::DOUBLE / nullif(${side('volume', 'C')}, 0) AS put_call_volume,
       (${side('open_interest', 'P')})::DOUBLE / nullif(${side('open_interest', 'C')}, 0) AS put_call_oi`;
  const rollup = rollupCoversRange(manifest, r.from, r.to);
  const [atmIv, contracts] = rollup
    ? ['(sum(atm_vol_sum) / nullif(sum(atm_n), 0))::DOUBLE', 'sum(contracts)::BIGINT']
    : [`avg(vol) FILTER (WHERE ${ATM_CONTRACT_SQL})::DOUBLE`, 'count(*)'];
  return `
SELECT date,
       ${atmIv} AS atm_iv,
       ${contracts} AS contracts,
       sum(volume) AS volume,
       ${ratios}
FROM ${scan(manifest, rollup ? 'options_daily' : 'options', locate, range)}
${where}
GROUP BY date
ORDER BY date`.trim();
}

/** IV, HV, IV rank and IV percentile (252-day window, 0-100) per day. */
export function ivRankSql(manifest: Manifest, locate: Locate, r: SymbolRange): string {
  assertRange(r);
  return `
SELECT date, iv::DOUBLE AS iv, hv::DOUBLE AS hv, iv_rank::DOUBLE AS iv_rank, iv_percentile::DOUBLE AS iv_percentile
FROM ${scan(manifest, 'volatility', locate, { from: r.from, to: r.to })}
WHERE symbol = ${symbolLit(r.symbol)} AND date BETWEEN ${dateLit(r.from)} AND ${dateLit(r.to)}
ORDER BY date`.trim();
}

/** Trading days in the IV rank and IV percentile window (52 weeks). */
export const IV_WINDOW_DAYS = 252;

/** ISO date `days` calendar days before `iso`. */
function daysBefore(iso: string, days: number): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - days)).toISOString().slice(0, 10);
}

/**
 * The headline IV rank and IV percentile on a date, with the 252-day IV series for a sparkline
 * (one row per day of the window; the headline columns repeat on every row). From the volatility
 * table's daily IV, whose files the IV panel reads anyway (they are small and read whole):
 *   IV rank       = 100 * (IV now - low) / (high - low), low and high over the 252 trading days
 *                   up to and including the date;
 *   IV percentile = 100 * share of the 252 trading days before the date with an IV below today's.
 * Fewer days when the data starts later: `days` says how many the rank used.
 */
export function ivRankHeadlineSql(manifest: Manifest, locate: Locate, s: { symbol: string; date: string }): string {
  symbolLit(s.symbol);
  dateLit(s.date);
  // 253 trading days (today and the 252 before it) fit in 380 calendar days.
  const from = daysBefore(s.date, 380);
  return `
WITH series AS (
  SELECT date, iv::DOUBLE AS iv, row_number() OVER (ORDER BY date DESC) - 1 AS back
  FROM ${scan(manifest, 'volatility', locate, { from, to: s.date })}
  WHERE symbol = ${symbolLit(s.symbol)} AND date BETWEEN ${dateLit(from)} AND ${dateLit(s.date)} AND iv IS NOT NULL
), today AS (
  SELECT date AS as_of, iv AS iv_now FROM series WHERE back = 0
), headline AS (
  SELECT as_of, iv_now,
         min(iv) FILTER (WHERE back < ${IV_WINDOW_DAYS}) AS low,
         max(iv) FILTER (WHERE back < ${IV_WINDOW_DAYS}) AS high,
         count(*) FILTER (WHERE back < ${IV_WINDOW_DAYS}) AS days,
         count(*) FILTER (WHERE back BETWEEN 1 AND ${IV_WINDOW_DAYS}) AS prior_days,
         count(*) FILTER (WHERE back BETWEEN 1 AND ${IV_WINDOW_DAYS} AND iv < iv_now) AS below
  FROM series CROSS JOIN today GROUP BY as_of, iv_now
)
SELECT s.date, s.iv, h.as_of, h.iv_now, h.low, h.high, h.days,
       100 * (h.iv_now - h.low) / nullif(h.high - h.low, 0) AS iv_rank,
       100 * h.below / nullif(h.prior_days, 0) AS iv_percentile
FROM series s CROSS JOIN headline h
WHERE s.back < ${IV_WINDOW_DAYS}
ORDER BY s.date`.trim();
}

/** Trading dates of a symbol in a range, from the small ATM features table. */
export function tradingDatesSql(r: SymbolRange): string {
  assertRange(r);
  return `SELECT date FROM spot_history WHERE symbol = ${symbolLit(r.symbol)} AND date BETWEEN ${dateLit(r.from)} AND ${dateLit(r.to)} ORDER BY date`;
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

/**
 * Skew metrics per trading day from atm_features, at the expiry nearest 30 days: the 25-delta risk
 * reversal (call IV − put IV), the 25-delta butterfly (wings over ATM) and the ATM term slope (IV
 * change per 30 days), all in IV units, so they read beside the ATM IV.
 */
export function skewMetricsSql(r: SymbolRange): string {
  assertRange(r);
  return `
SELECT quote_date AS date, exp_date AS expiry, dte, atm_iv, rr_25delta AS rr25, fly_25delta AS fly25, iv_term_slope AS term_slope
FROM atm_features
WHERE underlying = ${symbolLit(r.symbol)} AND quote_date BETWEEN ${dateLit(r.from)} AND ${dateLit(r.to)} AND dte > 0
QUALIFY row_number() OVER (PARTITION BY quote_date ORDER BY abs(dte - 30), dte) = 1
ORDER BY quote_date`.trim();
}
