// Forecast pages: forecast vs realised move with bands, and accuracy by model, symbol, horizon.
import type { Manifest } from '../manifest.ts';
import { ACCURACY_COLUMNS_SQL, outcomesSql } from '../metrics.ts';
import { forecastRollupCurrent, wholeMonths } from '../rollups.ts';
import { dateLit, rangeCheck, symbolLit, wordLit } from './params.ts';

export const HORIZONS = ['1d', '5d', 'to_exp'] as const;

export interface ForecastSelection {
  symbol: string;
  model: string;
  horizon: string;
  from: string;
  to: string;
}

function inRange(from: string, to: string): string {
  rangeCheck(from, to);
  return `l.quote_date BETWEEN ${dateLit(from)} AND ${dateLit(to)}`;
}

/**
 * One point per quote date (the nearest expiry), in price units so it reads next to the spot.
 * Labels are a LEFT JOIN: the newest forecasts have no outcome yet, and they are the ones an analyst
 * opens the page for; `realized` is NULL for them.
 */
export function forecastSeriesSql(s: ForecastSelection): string {
  rangeCheck(s.from, s.to);
  const qd = 'CAST(CAST(f.quote_ts AS TIMESTAMP) AS DATE)';
  // One struct per row so arg_min takes the nearest expiry's values together: arg_min skips rows
  // whose value is NULL, which would pair an open forecast with another expiry's outcome. A
  // row_number() window here trips an internal error in native DuckDB 1.5.
  return `
SELECT date, expiry, p.em AS em_hat, p.lo68 AS band68_low, p.hi68 AS band68_high,
       p.lo95 AS band95_low, p.hi95 AS band95_high, p.y AS realized, p.spot AS spot
FROM (
SELECT date, min(exp_date) AS expiry,
       arg_min({'em': em_hat, 'lo68': band68_low, 'hi68': band68_high, 'lo95': band95_low, 'hi95': band95_high,
                'y': realized, 'spot': spot}, exp_date) AS p
FROM (
  SELECT ${qd} AS date, f.exp_date, f.em_hat, f.band68_low, f.band68_high, f.band95_low, f.band95_high,
         l.realized_move * s.spot AS realized, s.spot
  FROM em_forecasts f
  LEFT JOIN em_labels l
    ON l.underlying = f.underlying AND l.exp_date = f.exp_date AND l.horizon = f.horizon AND l.quote_date = ${qd}
  LEFT JOIN spot_history s ON s.symbol = f.underlying AND s.date = ${qd}
  WHERE f.underlying = ${symbolLit(s.symbol)} AND f.model_version = ${wordLit(s.model, 'model')}
    AND f.horizon = ${wordLit(s.horizon, 'horizon')} AND ${qd} BETWEEN ${dateLit(s.from)} AND ${dateLit(s.to)}
)
GROUP BY date
)
ORDER BY date`.trim();
}

const SUMS = 'n, hits68, hits95, abs_err_sum, y_sum, pinball68_sum, pinball95_sum';

/**
 * The accuracy columns (ACCURACY_COLUMNS_SQL's names and types) from the forecast rollups' sums,
 * grouped by `keys`: the same numbers as over the raw outcomes (tested). Months wholly inside the
 * range come from forecast_monthly where it is current, the partial ones from forecast_daily.
 */
function accuracyFromRollup(manifest: Manifest, keys: string, from: string, to: string, symbol?: string): string {
  rangeCheck(from, to);
  const bySymbol = symbol ? ` AND symbol = ${symbolLit(symbol)}` : '';
  const whole = forecastRollupCurrent(manifest.files, 'forecast_monthly') ? wholeMonths(from, to) : null;
  const daily = (where: string) => `SELECT ${keys}, ${SUMS} FROM forecast_daily WHERE ${where}${bySymbol}`;
  // Only the partial months read forecast_daily: a whole-month range reads forecast_monthly alone.
  const parts = !whole ? [daily(`date BETWEEN ${dateLit(from)} AND ${dateLit(to)}`)] : [
    `SELECT ${keys}, ${SUMS} FROM forecast_monthly WHERE month BETWEEN ${dateLit(whole.first)} AND ${dateLit(whole.end)}${bySymbol}`,
    ...(from < whole.first ? [daily(`date >= ${dateLit(from)} AND date < ${dateLit(whole.first)}`)] : []),
    ...(to > whole.end ? [daily(`date > ${dateLit(whole.end)} AND date <= ${dateLit(to)}`)] : []),
  ];
  return `
SELECT ${keys},
  sum(n)::BIGINT AS n,
  sum(hits68)::DOUBLE / sum(n) AS coverage_68,
  sum(hits95)::DOUBLE / sum(n) AS coverage_95,
  sum(abs_err_sum) / sum(n) AS mae,
  sum(abs_err_sum) / nullif(sum(y_sum), 0) AS mape,
  sum(pinball68_sum) / sum(n) AS pinball_68,
  sum(pinball95_sum) / sum(n) AS pinball_95
FROM (
  ${parts.join('\n  UNION ALL\n  ')}
)
GROUP BY ${keys}
ORDER BY ${keys}`.trim();
}

/**
 * Accuracy per model, symbol and horizon over a date range; `symbol` narrows it to one. From
 * forecast_daily when the manifest's copy is current.
 */
export function accuracySql(manifest: Manifest, from: string, to: string, symbol?: string): string {
  if (forecastRollupCurrent(manifest.files)) return accuracyFromRollup(manifest, 'model, symbol, horizon', from, to, symbol);
  const where = `${inRange(from, to)}${symbol ? ` AND f.underlying = ${symbolLit(symbol)}` : ''}`;
  return `
SELECT model, symbol, horizon,
  ${ACCURACY_COLUMNS_SQL}
FROM (${outcomesSql(where)})
GROUP BY model, symbol, horizon
ORDER BY model, symbol, horizon`.trim();
}

/** Calibration: nominal vs observed coverage per model and horizon, pooled over symbols. */
export function calibrationSql(manifest: Manifest, from: string, to: string): string {
  if (forecastRollupCurrent(manifest.files)) return accuracyFromRollup(manifest, 'model, horizon', from, to);
  return `
SELECT model, horizon,
  ${ACCURACY_COLUMNS_SQL}
FROM (${outcomesSql(inRange(from, to))})
GROUP BY model, horizon
ORDER BY model, horizon`.trim();
}

export const MODELS_SQL = 'SELECT model_name AS model, version, notes FROM model_meta ORDER BY model_name';
