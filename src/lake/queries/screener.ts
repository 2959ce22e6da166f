// All symbols over a date range: volatility state at the range's last date, expected move and
// average daily volume (from options_daily where it is current: the same sum and day count).
import type { Manifest } from '../manifest.ts';
import { rollupCoversRange } from '../rollups.ts';
import { scan, type Locate } from '../views.ts';
import { dateLit, rangeCheck } from './params.ts';

export function screenerSql(manifest: Manifest, locate: Locate, from: string, to: string): string {
  rangeCheck(from, to);
  const range = { from, to };
  return `
WITH v AS (
  SELECT symbol, date, iv::DOUBLE AS iv, hv::DOUBLE AS hv, iv_rank::DOUBLE AS iv_rank, iv_percentile::DOUBLE AS iv_percentile
  FROM ${scan(manifest, 'volatility', locate, range)}
  WHERE date BETWEEN ${dateLit(from)} AND ${dateLit(to)}
  QUALIFY row_number() OVER (PARTITION BY symbol ORDER BY date DESC) = 1
), em AS (
  SELECT underlying AS symbol, em_baseline / spot_price * sqrt(30.0 / dte) AS em_1m_pct
  FROM atm_features
  WHERE quote_date BETWEEN ${dateLit(from)} AND ${dateLit(to)} AND dte > 0
  QUALIFY row_number() OVER (PARTITION BY underlying ORDER BY quote_date DESC, abs(dte - 30), dte) = 1
), vol AS (
  SELECT act_symbol AS symbol, sum(volume)::DOUBLE / count(DISTINCT date) AS avg_daily_volume
  FROM ${scan(manifest, rollupCoversRange(manifest, from, to) ? 'options_daily' : 'options', locate, range)}
  WHERE date BETWEEN ${dateLit(from)} AND ${dateLit(to)}
  GROUP BY act_symbol
)
SELECT v.symbol, v.date AS as_of, v.iv, v.hv, v.iv - v.hv AS iv_hv_spread, v.iv_rank, v.iv_percentile,
       em.em_1m_pct, vol.avg_daily_volume
FROM v LEFT JOIN em USING (symbol) LEFT JOIN vol USING (symbol)
ORDER BY v.symbol`.trim();
}

/**
 * Daily ATM IV per symbol for the screener's sparklines, or null when options_daily does not cover
 * the range: a sparkline is only worth a few KiB of rollup, never a scan of the raw options.
 */
export function screenerSparkSql(manifest: Manifest, locate: Locate, from: string, to: string): string | null {
  rangeCheck(from, to);
  if (!rollupCoversRange(manifest, from, to)) return null;
  return `
SELECT act_symbol AS symbol, date, (sum(atm_vol_sum) / nullif(sum(atm_n), 0))::DOUBLE AS atm_iv
FROM ${scan(manifest, 'options_daily', locate, { from, to })}
WHERE date BETWEEN ${dateLit(from)} AND ${dateLit(to)}
GROUP BY act_symbol, date
ORDER BY act_symbol, date`.trim();
}
