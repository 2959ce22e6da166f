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

/** One point per quote date (the nearest expiry), in price units so it reads next to the spot. */
export function forecastSeriesSql(s: ForecastSelection): string {
  const where = `${inRange(s.from, s.to)} AND f.underlying = ${symbolLit(s.symbol)}`;
  const pick = `model = ${wordLit(s.model, 'model')} AND horizon = ${wordLit(s.horizon, 'horizon')}`;
  // arg_min picks the nearest expiry's values; a row_number() window here trips an internal
  // error in native DuckDB 1.5.
  const nearest = (expr: string, name: string) => `arg_min(${expr}, exp_date) AS ${name}`;
  return `
SELECT qd AS date, min(exp_date) AS expiry,
       ${nearest('em * spot', 'em_hat')},
       ${nearest('lo68 * spot', 'band68_low')}, ${nearest('hi68 * spot', 'band68_high')},
       ${nearest('lo95 * spot', 'band95_low')}, ${nearest('hi95 * spot', 'band95_high')},
       ${nearest('y * spot', 'realized')}
FROM (${outcomesSql(where)})
WHERE ${pick}
GROUP BY qd
ORDER BY qd`.trim();
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
